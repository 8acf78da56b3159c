"""Forms of the service products and the assessor's sources: input shape only (the rules are
in ``services.products`` and ``services.fieldwork``)."""
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ComplaintChannel, InterviewRole, ServiceProduct

VERSION = dict(min_value=0, max_value=2_000_000_000, widget=forms.HiddenInput)
DATE = dict(widget=forms.DateInput(attrs={"type": "date"}))
NOT_APPLICABLE = "na"


class NoNul(forms.CharField):
    """PostgreSQL cannot store NUL characters in text."""

    def clean(self, value):
        value = super().clean(value)
        if value and "\x00" in value:
            raise forms.ValidationError(_("The text holds a character that cannot be stored."))
        return value


class ProductForm(forms.Form):
    name = NoNul(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceProduct.Kind.choices)
    legal_basis = NoNul(label=_("Legal basis"), max_length=300, required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class SampleForm(forms.Form):
    products = forms.TypedMultipleChoiceField(label=_("Sampled products"), coerce=int,
                                              choices=())

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(str(p.id), p.name) for p in products]


class _Values(forms.Form):
    """One optional value field per indicator (``value_<id>``), on the indicator's scale."""

    def add_values(self, indicators, allow_na=False):
        for indicator in indicators:
            choices = [("", "—")] + [(str(v), str(v)) for v in range(indicator.scale_max + 1)]
            if allow_na:
                choices.append((NOT_APPLICABLE, _("Not applicable")))
            self.fields[f"value_{indicator.id}"] = forms.ChoiceField(choices=choices,
                                                                     required=False)
        self.indicators = indicators

    def values(self):
        found = {}
        for indicator in self.indicators:
            raw = self.cleaned_data.get(f"value_{indicator.id}", "")
            found[indicator.id] = None if raw in ("", NOT_APPLICABLE) else int(raw)
        return found

    def with_na(self):
        """indicator id -> (value or None, not applicable)."""
        found = {}
        for indicator in self.indicators:
            raw = self.cleaned_data.get(f"value_{indicator.id}", "")
            found[indicator.id] = (None, True) if raw == NOT_APPLICABLE else (
                None if raw == "" else int(raw), False)
        return found


class InterviewForm(_Values):
    role = forms.ChoiceField(label=_("Role interviewed"), choices=InterviewRole.choices)
    interviewed_on = forms.DateField(label=_("Date"), **DATE)
    note = NoNul(label=_("Note"), max_length=2000, required=False)
    version = forms.IntegerField(**VERSION)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_values(indicators)


class ObservationForm(_Values):
    observed_on = forms.DateField(label=_("Date"), **DATE)
    unannounced = forms.BooleanField(label=_("Unannounced visit"), required=False)
    note = NoNul(label=_("Note"), max_length=2000, required=False)
    version = forms.IntegerField(**VERSION)

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_values(indicators, allow_na=True)


class SurveyForm(forms.Form):
    respondents = forms.IntegerField(label=_("Respondents"), min_value=1,
                                     max_value=1_000_000, required=False)
    aggregate_score = NoNul(label=_("Aggregate score (0–100)"), max_length=20, required=False)
    question_scores = NoNul(label=_("Per-question scores (0–100, separated by spaces or "
                                    "semicolons)"), max_length=400, required=False)
    no_survey_reason = NoNul(label=_("Reason there is no survey"), max_length=500,
                             required=False)
    version = forms.IntegerField(**VERSION)

    def clean_question_scores(self):
        text = (self.cleaned_data.get("question_scores") or "").strip()
        if not text:
            return []
        parts = [p for p in re.split(r"[;\s]+", text) if p]
        scores = []
        for part in parts:
            try:
                value = float(part.replace(",", "."))
            except ValueError:
                raise forms.ValidationError(_("Enter each question's score as a number from 0 "
                                              "to 100.")) from None
            if not 0 <= value <= 100:  # also refuses NaN
                raise forms.ValidationError(_("Enter each question's score as a number from 0 "
                                              "to 100."))
            scores.append(part.replace(",", "."))
        return scores


class ComplaintForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=ComplaintChannel.choices)
    received = forms.IntegerField(label=_("Received"), min_value=0, max_value=1_000_000)
    resolved = forms.IntegerField(label=_("Resolved"), min_value=0, max_value=1_000_000)
    median_days = NoNul(label=_("Median days to resolve"), max_length=20, required=False)
    period_start = forms.DateField(label=_("Period from"), required=False, **DATE)
    period_end = forms.DateField(label=_("Period to"), required=False, **DATE)


class VisitForm(forms.Form):
    planned_on = forms.DateField(label=_("Planned for"), **DATE)
    done_on = forms.DateField(label=_("Done on"), required=False, **DATE)
    note = NoNul(label=_("Note"), max_length=300, required=False)
    visit = forms.IntegerField(min_value=1, max_value=2_000_000_000, required=False,
                               widget=forms.HiddenInput)
