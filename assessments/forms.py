"""Forms validate input shape only; rules about when an answer may change live in services."""
from django import forms
from django.utils.translation import gettext_lazy as _


class AnswerForm(forms.Form):
    value = forms.TypedChoiceField(label=_("Value"), required=False, coerce=int,
                                   empty_value=None, choices=())
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(min_value=0, max_value=2_000_000_000, widget=forms.HiddenInput)

    def __init__(self, *args, scale_max: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [("", "—")] + [(str(v), str(v))
                                                      for v in range(scale_max + 1)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("not_applicable") and cleaned.get("value") is not None:
            raise forms.ValidationError(
                _("An indicator is either answered with a value or marked not applicable."))
        return cleaned


class VerifyForm(forms.Form):
    verified_value = forms.TypedChoiceField(label=_("Verified value"), required=False,
                                            coerce=int, empty_value=None, choices=())
    verified_not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    finding = forms.CharField(label=_("Finding"), required=False, max_length=2000)
    version = forms.IntegerField(min_value=0, max_value=2_000_000_000, widget=forms.HiddenInput)

    def __init__(self, *args, scale_max: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verified_value"].choices = [("", "—")] + [
            (str(v), str(v)) for v in range(scale_max + 1)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("verified_not_applicable") and cleaned.get("verified_value") is not None:
            raise forms.ValidationError(
                _("An indicator is either given a value or marked not applicable."))
        return cleaned


class ReturnForm(forms.Form):
    """The coordinator's comment when returning a checklist. Only its shape here (no NUL
    characters, which PostgreSQL cannot store in text); the service requires a comment and
    limits its length."""

    comment = forms.CharField(required=False, strip=False)  # the page has its own field
