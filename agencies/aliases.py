"""Administrators extend the aliases: a spelling that the name keys cannot bridge (an old name,
an abbreviation) is tied to its province or government, so that every later import finds it.

An alias never shadows a name: a spelling that already reads as a government (or province) by
the rules of agencies.identity is refused, as is one that is already an alias of another."""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .identity import Directory, NoMatch, name_key
from .models import Alias, Government, Province


def alias_add(*, name: str, province: Province | None = None,
              government: Government | None = None) -> Alias:
    """An alias of ``government`` (in its province) or, without one, of ``province``."""
    name = " ".join((name or "").split())
    key = name_key(name)
    if not key:
        raise ValidationError(_("Write the spelling to add."))
    if government is not None:
        province = government.province
    if province is None:
        raise ValidationError(_("Choose a province or a government."))
    directory = Directory()
    if government is None:
        try:
            found, how = directory.province(name)
        except NoMatch:
            found = None
        if found is not None:
            raise ValidationError(_("“%(name)s” already reads as the province %(found)s.") % {
                "name": name, "found": found.name})
    else:
        try:
            match = directory.government(province=province.name, name=name,
                                         level=None)
        except NoMatch as exc:
            if exc.ambiguous:
                raise ValidationError(exc.message) from exc
        else:
            raise ValidationError(_("“%(name)s” already reads as %(found)s.") % {
                "name": name, "found": match.government.name})
    alias = Alias(province=province, government=government, name=name, key=key)
    alias.full_clean(exclude=["key"], validate_constraints=False)
    try:
        with transaction.atomic():
            alias.save()
    except IntegrityError as exc:  # a concurrent twin
        raise ValidationError(_("“%(name)s” is already an alias.") % {"name": name}) from exc
    return alias
