from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .kinds import Kind
from .models import Mode


class PreferencesForm(forms.Form):
    """One choice per kind, and the language of the mails."""

    def __init__(self, *args, initial_modes=None, language=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_modes = initial_modes or {}
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the mails"), choices=settings.LANGUAGES,
            initial=language or settings.LANGUAGE_CODE)
        for kind, label in Kind.choices:
            self.fields[f"mode_{kind}"] = forms.ChoiceField(
                label=label, choices=Mode.choices, widget=forms.RadioSelect,
                initial=initial_modes.get(kind, Mode.IMMEDIATE))

    def modes(self) -> dict:
        return {kind: self.cleaned_data[f"mode_{kind}"] for kind in Kind.values}
