"""The administrator's instrument page: every instrument version with a download of its
workbook, and an upload that imports a changed workbook as a new version.

Administration pages: anyone else who is logged in gets 403 (there is no object scope to hide).
A rejected file imports nothing; the page lists every problem with its sheet, row and column.
A success redirects back (no double import on reload) with a message.
"""
from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from agencies.access import may_manage_instruments, require
from compliance.instrument_io.columns import COLUMNS, SHEETS
from compliance.instrument_io.export import instrument_workbook
from compliance.instrument_io.importing import instrument_import
from compliance.models import Instrument, Methodology
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.print_setup import display_name
from compliance.spreadsheets.reading import SpreadsheetError, read_workbook

MAX_SHOWN_ERRORS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class InstrumentImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Instrument workbook (.xlsx)"),
        widget=forms.FileInput(attrs={"accept": ".xlsx"}),
        help_text=gettext_lazy("A workbook as the download below writes it: sheets "
                               "instrument, dimensions, indicators, rubric_levels and bands."))
    methodology = forms.ModelChoiceField(label=gettext_lazy("Methodology"), queryset=None)
    version = forms.CharField(
        label=gettext_lazy("New version label"), max_length=40, required=False,
        help_text=gettext_lazy("Left empty, the version written in the file is used. An "
                               "existing version is never changed."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methodology"].queryset = Methodology.objects.order_by("-first_year", "code")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token

    def clean_version(self):
        version = self.cleaned_data["version"].strip()
        if "\x00" in version:
            raise forms.ValidationError(_("The version label cannot hold a NUL character."))
        return version


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def instrument_list_view(request):
    require(may_manage_instruments(request.user))
    posted = request.method == "POST"
    form = InstrumentImportForm(request.POST if posted else None,
                                request.FILES if posted else None)
    errors, problem = [], ""
    if posted:
        if getattr(request, "upload_too_large", False):  # set by the upload handler
            problem = _("The file is larger than %(limit)s.") % {
                "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
            form = InstrumentImportForm()
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                instrument = instrument_import(
                    sheets=read_workbook(upload.read(), upload.name),
                    methodology_code=form.cleaned_data["methodology"].code,
                    version=form.cleaned_data["version"])
            except SpreadsheetError as exc:
                problem = str(exc)
            except ImportRejected as exc:
                errors = exc.errors
                problem = _("Nothing was imported: the file has %(count)s problem(s). Correct "
                            "them and upload the file again.") % {"count": len(errors)}
            else:
                messages.success(request, _(
                    "Imported %(code)s version %(version)s: %(dimensions)s dimensions, "
                    "%(indicators)s indicators. Rounds use it only when they are created with "
                    "it.") % {"code": instrument.code, "version": instrument.version,
                              "dimensions": instrument.dimensions.count(),
                              "indicators": instrument.indicators.count()})
                return redirect("instrument-list")
    instruments = Instrument.objects.select_related("methodology").annotate(
        indicator_count=Count("indicators", distinct=True),
        round_count=Count("rounds", distinct=True)).order_by(
        "methodology__first_year", "methodology__code", "code", "created_at", "id")
    failed = bool(problem or form.errors)
    return render(request, "assessments/instruments/list.html", {
        "form": form, "problem": problem, "errors": errors[:MAX_SHOWN_ERRORS],
        "hidden_errors": max(0, len(errors) - MAX_SHOWN_ERRORS),
        "instruments": instruments, "sheets": [(name, COLUMNS[name]) for name in SHEETS],
    }, status=400 if failed else 200)


@login_required
@require_safe
@never_cache
def instrument_export_view(request, pk):
    require(may_manage_instruments(request.user))
    instrument = get_object_or_404(Instrument, pk=pk)
    response = HttpResponse(instrument_workbook(instrument, made_by=display_name(request.user)),
                            content_type=XLSX)
    name = slugify(f"{instrument.code}-{instrument.version}") or "instrument"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
