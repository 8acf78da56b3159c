"""Forms for user accounts and roles. They offer only what the actor may grant (the services
check again) and validate the shape of the input: which scope each role needs."""
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .access import grantable_agencies, grantable_governments, grantable_roles, may_administer
from .models import Role
from .services import GOVERNMENT_ROLES

# A service's error keys -> this module's field names.
SERVICE_FIELDS = {"username": "username", "first_name": "full_name", "email": "email",
                  "password": "password1", "role": "role", "governments": "governments",
                  "government": "governments", "agency": "agency"}


def government_label(government) -> str:
    return f"{government.name} ({government.province.name})"


def agency_label(agency) -> str:
    return f"{agency.name} — {agency.government.name}"


def agency_options(by, government_ids) -> list[tuple[str, str]]:
    """The agencies to offer: those of the chosen governments; with none chosen, all of a
    coordinator's (a few dozen) but none of an administrator's (tens of thousands)."""
    agencies = grantable_agencies(by)
    if government_ids:
        agencies = agencies.filter(government_id__in=government_ids)
    elif may_administer(by):
        return []
    return [(str(agency.pk), agency_label(agency)) for agency in agencies]


# The largest id an integer primary key can hold (BigAutoField; SQLite's INTEGER). A larger
# number names nothing, and SQLite cannot even bind it in a query (OverflowError, a 500).
MAX_ID = 2**63 - 1


def parse_ids(values) -> list[int]:
    """The ids among ``values``; anything else (text, 0, negative, too big) is ignored."""
    ids = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if 0 < number <= MAX_ID:
            ids.append(number)
    return ids


class BoundedIdsField(forms.ModelMultipleChoiceField):
    """Refuses an id beyond any integer column as invalid before the queryset sees it
    (Django checks ``pk__in`` without the overflow guard its exact lookups have)."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except (TypeError, ValueError):
                continue  # not a number at all: the parent refuses it
            if not -MAX_ID <= number <= MAX_ID:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"],
                                            code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)


class GovernmentsField(BoundedIdsField):
    def label_from_instance(self, obj):
        return government_label(obj)


class AgencyField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return agency_label(obj)


class RoleScopeForm(forms.Form):
    """A role and its scope: an agency for an operator, one government for a coordinator or a
    leader, one or more for an assessor, nothing for an administrator."""

    role = forms.ChoiceField(label=_("Role"), widget=forms.RadioSelect)
    governments = GovernmentsField(
        label=_("Government(s)"), required=False, queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("One government for a coordinator or a leader; one or more for an "
                    "assessor (hold Ctrl, or ⌘ on a Mac, to choose several). For an operator, "
                    "the agency's government narrows the list of agencies."))
    agency = AgencyField(label=_("Agency"), required=False, queryset=None,
                         help_text=_("Operators only."))

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        self.fields["role"].choices = [(role, Role(role).label) for role in grantable_roles(by)]
        governments = grantable_governments(by)
        self.fields["governments"].queryset = governments
        administrator = may_administer(by)
        if not administrator and len(governments) == 1:
            self.initial.setdefault("governments", [governments[0].pk])
        agency_field = self.fields["agency"]
        agency_field.queryset = grantable_agencies(by)
        options = agency_options(by, self._chosen_government_ids())
        empty = (_("Choose a government first") if not options and administrator
                 else agency_field.empty_label)
        agency_field.widget.choices = [("", empty), *options]
        self.fields["governments"].widget.attrs.update({
            "hx-get": reverse("user-agency-options"), "hx-trigger": "change",
            "hx-target": f"#{self['agency'].auto_id}", "hx-swap": "innerHTML",
            "aria-controls": self["agency"].auto_id,
        })
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has the token
        self.helper.layout = Layout(*self.layout_parts())

    def layout_parts(self):
        return [Fieldset(_("Role and scope"), "role", "governments", "agency")]

    def _chosen_government_ids(self) -> list[int]:
        name = self.add_prefix("governments")
        if self.is_bound:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else \
                self.data.get(name, [])
        else:
            values = self.initial.get("governments", [])
        return parse_ids(getattr(value, "pk", value) for value in values)

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        governments = list(cleaned.get("governments") or [])
        own = self.fields["governments"].queryset
        if not governments and role in GOVERNMENT_ROLES and not may_administer(self.by) \
                and len(own) == 1:
            governments = cleaned["governments"] = list(own)  # a coordinator's only choice
        agency = cleaned.get("agency")
        if role == Role.OPERATOR:
            if agency is None:
                self.add_error("agency", _("Choose the operator's agency."))
            elif governments and agency.government not in governments:
                self.add_error("agency", _("This agency does not belong to the chosen "
                                           "government."))
            cleaned["governments"] = []
        elif role in (Role.COORDINATOR, Role.LEADER):
            if len(governments) != 1:
                self.add_error("governments", _("Choose exactly one government for this role."))
            cleaned["agency"] = None
        elif role == Role.ASSESSOR:
            if not governments:
                self.add_error("governments", _("Choose at least one government."))
            cleaned["agency"] = None
        elif role == Role.ADMINISTRATOR:
            cleaned["governments"], cleaned["agency"] = [], None
        return cleaned

    def role_kwargs(self) -> dict:
        return {"role": self.cleaned_data["role"],
                "governments": list(self.cleaned_data["governments"] or []),
                "agency": self.cleaned_data["agency"]}

    def add_service_errors(self, errors: dict) -> None:
        for key, messages in errors.items():
            field = SERVICE_FIELDS.get(key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class MembershipGrantForm(RoleScopeForm):
    pass


class UserCreateForm(RoleScopeForm):
    username = forms.CharField(
        label=_("Username"), max_length=150,
        help_text=_("Letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    email = forms.EmailField(label=_("Email"), required=False)
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Type the same password again, to catch typing mistakes."))

    field_order = ["username", "full_name", "email", "password1", "password2",
                   "role", "governments", "agency"]

    def layout_parts(self):
        return [Fieldset(_("Account"), "username", "full_name", "email", "password1",
                         "password2"), *super().layout_parts()]

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            # Said here too so that it shows with the other errors; user_create checks again.
            candidate = get_user_model()(username=cleaned.get("username", ""),
                                         first_name=cleaned.get("full_name", ""),
                                         email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(first, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    def account_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"username": data["username"], "full_name": data["full_name"],
                "email": data["email"], "password": data["password1"]}


class LoginForm(AuthenticationForm):
    """Django's login form, refusing a username longer than the user model allows (its own
    form only sets the input's maxlength): the failed login would otherwise reach
    authenticate(), and django-axes would record the whole text in a 255-character column,
    which PostgreSQL refuses with an error (a 500)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
