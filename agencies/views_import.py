"""The administrator's agency import: the upload page and the template workbook.

Administration pages: anyone else who is logged in gets 403 (there is no object scope to hide).
A rejected file imports nothing; the page lists every problem with its row and column so the
file can be corrected and uploaded again. A success redirects back (no double import on reload)
with the counts in a message.
"""
from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.print_setup import add_report_sheet, display_name, report_title
from compliance.spreadsheets.reading import SpreadsheetError, read_sheet
from compliance.spreadsheets.writing import new_workbook, to_bytes

from .access import may_administer, require
from .imports import COLUMNS, agencies_import
from .models import AgencyKind, Government

MAX_SHOWN_ERRORS = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_EXAMPLES = [
    ["Sulawesi Tenggara", "Kabupaten Muna Barat", "Dinas Kesehatan", "Dinkes", "kesehatan",
     "74.13"],
    ["Sulawesi Tenggara", "Kabupaten Muna Barat", "Dinas Kependudukan dan Pencatatan Sipil",
     "Disdukcapil", "disdukcapil", "74.13"],
]


def _require_administrator(user) -> None:
    require(may_administer(user))


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx or .csv)"),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
        help_text=gettext_lazy("The first sheet is read. Columns: province, government, name "
                               "(required); short_name, kind, government_code (optional)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token


@login_required
@require_http_methods(["GET", "POST"])
def agency_import_view(request):
    _require_administrator(request.user)
    posted = request.method == "POST"
    form = AgencyImportForm(request.POST if posted else None, request.FILES if posted else None)
    errors, problem = [], ""
    if posted:
        if getattr(request, "upload_too_large", False):  # set by the upload handler
            problem = _("The file is larger than %(limit)s.") % {
                "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES)}
            form = AgencyImportForm()  # not "this field is required" as well
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                sheet = read_sheet(upload.read(), upload.name)
                counts = agencies_import(sheet=sheet, by=request.user)
            except SpreadsheetError as exc:
                problem = str(exc)
            except ImportRejected as exc:
                errors = exc.errors
                problem = _("Nothing was imported: the file has %(count)s problem(s). Correct "
                            "them and upload the file again.") % {"count": len(errors)}
            else:
                messages.success(request, _(
                    "Agencies imported from %(file)s: %(created)s created, %(updated)s "
                    "updated, %(unchanged)s unchanged.") % {"file": upload.name, **counts})
                return redirect("agency-import")
    failed = bool(problem or form.errors)
    return render(request, "agencies/import/upload.html", {
        "form": form, "problem": problem, "errors": errors[:MAX_SHOWN_ERRORS],
        "hidden_errors": max(0, len(errors) - MAX_SHOWN_ERRORS), "columns": COLUMNS,
        "kinds": list(AgencyKind),
    }, status=400 if failed else 200)


def template_workbook(*, made_by="") -> bytes:
    """The header row and two example rows; the allowed kinds and the known governments on
    further sheets. The first sheet is the one that is imported, so its header stays in row 1
    (its title prints in the page header)."""
    workbook = new_workbook()
    title = report_title(_("Agency import template"), made_by=made_by, status=_(
        "A template for the agency import: it holds no assessment results."))
    add_report_sheet(workbook, title, _("Agencies"), list(COLUMNS),
                     lambda sheet: TEMPLATE_EXAMPLES, importable=True)
    add_report_sheet(workbook, title, _("Kinds"), ["kind", _("Meaning")],
                     lambda sheet: ([choice.value, str(choice.label)] for choice in AgencyKind))
    governments = Government.objects.select_related("province").order_by("province__name",
                                                                          "name")
    add_report_sheet(workbook, title, _("Governments"),
                     ["province", "government", _("Level"), "government_code"],
                     lambda sheet: ([g.province.name, g.name, g.get_level_display(), g.code]
                                    for g in governments.iterator(chunk_size=1000)))
    return to_bytes(workbook)


@login_required
@require_GET
@never_cache
def agency_import_template_view(request):
    _require_administrator(request.user)
    response = HttpResponse(template_workbook(made_by=display_name(request.user)),
                            content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="agency-import-template.xlsx"'
    return response
