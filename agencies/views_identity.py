"""The administrator's pages for the identity of governments: merging two governments that
were split by mistake, and the aliases (spellings that imports accept).

Administration pages: anyone else who is logged in gets 403. The merge page lists the
governments that are not in the official list (no code), the usual result of a split, with
their ids; a refused merge or alias shows why and changes nothing; a success redirects back.
"""
from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .access import may_administer, require
from .aliases import alias_add
from .merge import government_merge
from .models import Alias, Government, Province

UNCODED_SHOWN = 200
ALIASES_SHOWN = 500


class GovernmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, government):
        return f"{government.name} · {government.province.name} · " \
               f"{government.code or _('no code')} · #{government.pk}"


class GovernmentMergeForm(forms.Form):
    keep = GovernmentChoice(
        queryset=Government.objects.none(), label=gettext_lazy("Government to keep"),
        help_text=gettext_lazy("Usually the one with the official code."))
    drop = GovernmentChoice(
        queryset=Government.objects.none(), label=gettext_lazy("Government to merge into it"),
        help_text=gettext_lazy("Its results, participations, agencies, memberships and aliases "
                               "move to the one kept; then it is deleted and its name becomes "
                               "an alias."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        governments = Government.objects.select_related("province").order_by("province__name",
                                                                              "name")
        self.fields["keep"].queryset = governments
        self.fields["drop"].queryset = governments
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token

    def clean(self):
        data = super().clean()
        if data.get("keep") and data.get("keep") == data.get("drop"):
            raise ValidationError(_("Choose two different governments."))
        return data


def _initial(query) -> dict:
    """?keep=ID&drop=ID, as load_regions' warnings name them; anything else is ignored."""
    return {name: query[name] for name in ("keep", "drop")
            if query.get(name, "").isdigit() and len(query[name]) < 19}


def _require_administrator(user) -> None:
    require(may_administer(user))


@login_required
@require_http_methods(["GET", "POST"])
def government_merge_view(request):
    _require_administrator(request.user)
    posted = request.method == "POST"
    form = GovernmentMergeForm(request.POST if posted else None,
                               initial=None if posted else _initial(request.GET))
    problem = ""
    if posted and form.is_valid():
        keep, drop = form.cleaned_data["keep"], form.cleaned_data["drop"]
        try:
            summary = government_merge(keep=keep, drop=drop, by=request.user)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            moved = ", ".join(f"{count} {what}" for what, count in summary["moved"].items())
            messages.success(request, _("%(drop)s was merged into %(keep)s (moved: %(moved)s).")
                             % {"drop": summary["dropped_name"], "keep": keep.name,
                                "moved": moved or "-"})
            return redirect("government-merge")
    uncoded = (Government.objects.filter(code="").select_related("province")
               .annotate(result_count=Count("results")).order_by("province__name", "name"))
    return render(request, "agencies/governments/merge.html", {
        "form": form, "problem": problem, "uncoded": uncoded[:UNCODED_SHOWN],
    }, status=400 if posted and (problem or form.errors) else 200)


class AliasForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Spelling"), max_length=150,
                           help_text=gettext_lazy("As a file writes it, e.g. “Toba Samosir” or "
                                                  "“Sultra”."))
    government = GovernmentChoice(
        queryset=Government.objects.none(), required=False,
        label=gettext_lazy("Government it stands for"),
        help_text=gettext_lazy("Leave empty for a province's spelling."))
    province = forms.ModelChoiceField(
        queryset=Province.objects.order_by("name"), required=False,
        label=gettext_lazy("Province it stands for"),
        help_text=gettext_lazy("Only for a province's spelling."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["government"].queryset = Government.objects.select_related(
            "province").order_by("province__name", "name")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        data = super().clean()
        if bool(data.get("government")) == bool(data.get("province")):
            raise ValidationError(_("Choose either a government or a province."))
        return data


@login_required
@require_http_methods(["GET", "POST"])
def government_aliases_view(request):
    _require_administrator(request.user)
    posted = request.method == "POST"
    form = AliasForm(request.POST if posted else None)
    problem = ""
    if posted and form.is_valid():
        try:
            alias = alias_add(name=form.cleaned_data["name"],
                              government=form.cleaned_data["government"],
                              province=form.cleaned_data["province"])
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            messages.success(request, _("Added: %(alias)s.") % {"alias": alias})
            return redirect("government-aliases")
    aliases = Alias.objects.select_related("province", "government").order_by(
        "province__name", "government__name", "name")
    return render(request, "agencies/governments/aliases.html", {
        "form": form, "problem": problem, "aliases": aliases[:ALIASES_SHOWN],
    }, status=400 if posted and (problem or form.errors) else 200)
