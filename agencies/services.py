"""User accounts and memberships.

Who may hand out which role where is decided by the access policy (agencies/access.py); these
services ask it at every write, so that every way in (a page, the shell, a future import) obeys
it. Forms only offer what the policy would allow; the services still check, and raise
PermissionDenied.

Every write is recorded by the audit trail (audit/: the database's triggers on accounts and
memberships), with ``by`` as its actor where no request names one (the shell, a command).
"""
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.context import acting_user

from .access import (forget_scope, grant_refusal, may_grant_to, may_manage_users,
                     revoke_refusal)
from .models import Agency, Government, Membership, Role

GOVERNMENT_ROLES = (Role.COORDINATOR, Role.LEADER, Role.ASSESSOR)
UNIQUE_CONSTRAINTS = ("membership_operator_unique", "membership_government_unique",
                      "membership_administrator_unique")




def _scope_label(membership: Membership) -> str:
    if membership.agency_id:
        return f"{membership.agency.name} ({membership.agency.government.name})"
    if membership.government_id:
        return membership.government.name
    return _("everything")


# --- writes -----------------------------------------------------------------------------------

def user_create(*, username: str, full_name: str, email: str, password: str, by):
    """Create an active account with a hashed password that passes AUTH_PASSWORD_VALIDATORS.

    The full name goes into first_name whole: many Indonesians have one name only, and
    splitting "Wa Ode Siti Nurhayati" into first and last would be wrong."""
    if not may_manage_users(by):
        raise PermissionDenied(_("Only administrators and coordinators manage user accounts."))
    user_model = get_user_model()
    user = user_model(username=username.strip(), first_name=full_name.strip(),
                      email=user_model.objects.normalize_email(email.strip()), is_active=True)
    errors: dict[str, list] = {}
    if user.username and user_model.objects.filter(username__iexact=user.username).exists():
        errors["username"] = [_("A user with that username already exists.")]
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    user.set_password(password)
    try:
        user.full_clean(exclude=["username"] if "username" in errors else None)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    try:
        with acting_user(by), transaction.atomic():
            user.save()
    except IntegrityError as exc:  # someone took the username in the meantime
        raise ValidationError({"username": [_("A user with that username already exists.")]}) \
            from exc
    return user


def membership_grant(*, user, role: str, government: Government | None = None,
                     agency: Agency | None = None, by) -> Membership:
    """Give `user` one role with its scope (an agency for an operator, a government for a
    coordinator, leader or assessor, nothing for an administrator)."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    refusal = grant_refusal(by, role=role, government=government, agency=agency)
    if refusal:
        raise PermissionDenied(refusal)
    if not may_grant_to(by, user):
        raise PermissionDenied(_("A coordinator can only grant roles to users of their own "
                                 "government."))
    if role == Role.OPERATOR:
        if agency is None:
            raise ValidationError({"agency": [_("An operator needs an agency.")]})
        government = None
    elif role in GOVERNMENT_ROLES:
        if government is None:
            raise ValidationError({"governments": [_("This role needs a government.")]})
        agency = None
    else:
        government = agency = None
    membership = Membership(user=user, role=role, government=government, agency=agency)
    duplicate = ValidationError(_("%(user)s already holds the role “%(role)s” for %(scope)s.") % {
        "user": user.get_username(), "role": membership.get_role_display(),
        "scope": _scope_label(membership)})
    with transaction.atomic():
        if Membership.objects.filter(user=user, role=role, government=government,
                                     agency=agency).exists():
            raise duplicate
        try:
            membership.full_clean()
        except ValidationError as exc:
            # The unique constraints' own messages only name the constraint.
            if any(name in message for message in exc.messages for name in UNIQUE_CONSTRAINTS):
                raise duplicate from exc
            raise
        try:
            with acting_user(by), transaction.atomic():
                membership.save()
        except IntegrityError as exc:  # a concurrent grant of the same role
            raise duplicate from exc
    forget_scope(user, by)
    return membership


def memberships_grant(*, user, role: str, governments: Iterable[Government] = (),
                      agency: Agency | None = None, by) -> list[Membership]:
    """One membership per government (an assessor of several governments), or one for the
    agency or the administrator role; all or nothing."""
    governments = list(governments)
    with transaction.atomic():
        if role in GOVERNMENT_ROLES:
            if not governments:
                raise ValidationError({"governments": [_("Choose at least one government.")]})
            return [membership_grant(user=user, role=role, government=government, by=by)
                    for government in governments]
        return [membership_grant(user=user, role=role, agency=agency, by=by)]


def user_create_with_role(*, username: str, full_name: str, email: str, password: str,
                          role: str, governments: Iterable[Government] = (),
                          agency: Agency | None = None, by):
    """The "new user" page: the account and its first role(s), or nothing at all."""
    with transaction.atomic():
        user = user_create(username=username, full_name=full_name, email=email,
                           password=password, by=by)
        memberships_grant(user=user, role=role, governments=governments, agency=agency, by=by)
    return user


def membership_revoke(*, membership: Membership, by) -> None:
    """Remove one role (see revoke_refusal for who may)."""
    refusal = revoke_refusal(by, membership)
    if refusal:
        raise PermissionDenied(refusal)
    user = membership.user
    with acting_user(by), transaction.atomic():
        membership.delete()
    forget_scope(user, by)


def service_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as {field: messages}; messages without a field under
    NON_FIELD_ERRORS."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD_ERRORS: exc.messages}
