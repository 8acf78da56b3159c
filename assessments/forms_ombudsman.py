"""The form of an Ombudsman product: input shape only (the rules, the dates' order and range,
the follow-up date's presence and the reference's uniqueness, are in
``services.ombudsman_products``)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_fieldwork import NoNul
from .models import OmbudsmanProduct

ACCEPT = ".pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


def _date(label, required=True):
    return forms.DateField(
        label=label, required=required, input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"},
                               format="%Y-%m-%d"))


def _select():
    return forms.Select(attrs={"class": "form-select"})


class OmbudsmanProductForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OmbudsmanProduct.Kind.choices,
                             widget=_select())
    reference = NoNul(label=_("Reference (letter or report number)"), max_length=120,
                      widget=forms.TextInput(attrs={"class": "form-control"}))
    issued_on = _date(_("Date of the product"))
    due_on = _date(_("Due date of the follow-up"))
    status = forms.ChoiceField(label=_("Status"), choices=OmbudsmanProduct.Status.choices,
                               widget=_select())
    followed_up_on = _date(_("Followed up on"), required=False)
    evidence_url = NoNul(label=_("Evidence link"), max_length=500, required=False,
                         widget=forms.URLInput(attrs={"class": "form-control",
                                                      "placeholder": "https://"}))
    evidence_file = forms.FileField(
        label=_("Evidence file (PDF, image, office document)"), required=False,
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ACCEPT}))
    remove_file = forms.BooleanField(label=_("Remove the evidence file"), required=False,
                                     widget=forms.CheckboxInput(
                                         attrs={"class": "form-check-input"}))

    def __init__(self, *args, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        if product is None or not product.evidence_file:
            del self.fields["remove_file"]
        self.fields["followed_up_on"].widget.attrs["aria-describedby"] = (
            f"{self['followed_up_on'].auto_id}-help")

    @classmethod
    def initial_for(cls, product):
        return {"kind": product.kind, "reference": product.reference,
                "issued_on": product.issued_on, "due_on": product.due_on,
                "status": product.status, "followed_up_on": product.followed_up_on,
                "evidence_url": product.evidence_url}

    def values(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("kind", "reference", "issued_on", "due_on",
                                              "status", "followed_up_on", "evidence_url")}
