"""Merging two governments that were split by mistake ("Kab. Muna Barat" beside "Kabupaten
Muna Barat"), so that one government keeps its whole history.

Everything that points at the dropped government moves to the one kept: results, round
participations, agencies (with their assessments, actions and obstacles, which hang on the
agency), memberships and aliases. The relations are found from the model, not listed here, so
that agencies need not know the assessments app and a relation added later is not forgotten.

A row clashes when the kept government already has one that a unique constraint would not
allow beside it (two results for one round, two agencies of one name). Clashes are refused
with a message naming them and nothing changes, except where the two rows say exactly the same
thing (the same user's same role, the same participation, the same result): then the dropped
copy goes. Agencies clash by name case-insensitively, as the agency import compares them.
The dropped government's name becomes an alias of the kept one, so a file that spells it that
way still finds it. The database's own guards (a closed round cannot change) still apply.
"""
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext as _

from audit.context import acting_user

from .identity import name_key
from .models import Alias, Government

# Rows that may be dropped when the kept government has an identical one.
COLLAPSIBLE = {"agencies.membership", "assessments.roundgovernment",
               "assessments.governmentresult"}
# Fields compared case-insensitively: "Dinas Kesehatan" and "DINAS KESEHATAN" are one agency to
# the agency import, so they may not meet under one government.
CASE_INSENSITIVE = {"agencies.agency": {"name"}}
SHOWN_CLASHES = 10


def relations():
    """Every foreign key that points at Government (hidden ones included), except aliases,
    which are re-keyed by hand."""
    found = []
    for field in Government._meta.get_fields(include_hidden=True):
        if not (field.auto_created and not field.concrete):
            continue
        if field.many_to_many:
            raise ImproperlyMerged(field)
        if field.related_model is not Alias:
            found.append(field.field)
    return found


class ImproperlyMerged(Exception):
    """A kind of relation the merge does not know how to move."""


def _unique_sets(model, fk_name):
    """(other fields, condition) of each uniqueness rule that includes the foreign key."""
    rules = []
    if model._meta.get_field(fk_name).unique:  # a one-to-one: one row per government
        rules.append(([], None))
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and fk_name in constraint.fields:
            rules.append(([f for f in constraint.fields if f != fk_name], constraint.condition))
    for together in model._meta.unique_together:
        if fk_name in together:
            rules.append(([f for f in together if f != fk_name], None))
    return rules


def _comparable(model, fields, row):
    folded = CASE_INSENSITIVE.get(model._meta.label_lower, set())
    return tuple(str(getattr(row, f)).casefold() if f in folded else getattr(row, _attname(
        model, f)) for f in fields)


def _attname(model, name):
    return model._meta.get_field(name).attname


def _same(model, fk, first, second) -> bool:
    skip = {model._meta.pk.attname, fk.attname}
    return all(getattr(first, f.attname) == getattr(second, f.attname)
               for f in model._meta.concrete_fields if f.attname not in skip)


def _plan_relation(fk, keep, drop, clashes):
    """Rows of this relation to delete (identical copies) and to move."""
    model = fk.model
    dropped = list(model._default_manager.filter(**{fk.name: drop}))
    if not dropped:
        return [], []
    kept = list(model._default_manager.filter(**{fk.name: keep}))
    delete = {}
    for fields, condition in _unique_sets(model, fk.name):
        if condition is not None:
            allowed = set(model._default_manager.filter(condition).filter(
                pk__in=[row.pk for row in kept + dropped]).values_list("pk", flat=True))
        else:
            allowed = {row.pk for row in kept + dropped}
        existing = {_comparable(model, fields, row): row for row in kept if row.pk in allowed}
        for row in dropped:
            twin = existing.get(_comparable(model, fields, row)) if row.pk in allowed else None
            if twin is None:
                continue
            if model._meta.label_lower in COLLAPSIBLE and _same(model, fk, row, twin):
                delete[row.pk] = row
            else:
                clashes.append(_("%(what)s: “%(kept)s” and “%(dropped)s”") % {
                    "what": model._meta.verbose_name, "kept": twin, "dropped": row})
    move = [row for row in dropped if row.pk not in delete]
    return list(delete.values()), move


def _check(keep, drop):
    if keep.pk == drop.pk:
        raise ValidationError(_("A government cannot be merged into itself."))
    if keep.level != drop.level:
        raise ValidationError(_(
            "%(drop)s is a %(drop_level)s and %(keep)s a %(keep_level)s; only governments of "
            "one level can be the same government.") % {
                "drop": drop.name, "drop_level": drop.get_level_display(), "keep": keep.name,
                "keep_level": keep.get_level_display()})
    if keep.code and drop.code and keep.code != drop.code:
        raise ValidationError(_(
            "%(keep)s (%(keep_code)s) and %(drop)s (%(drop_code)s) both have an official code: "
            "they are two governments.") % {"keep": keep.name, "keep_code": keep.code,
                                             "drop": drop.name, "drop_code": drop.code})


def _move_aliases(keep, drop) -> int:
    """The dropped government's aliases, and its own name, become aliases of the kept one
    (unless the kept one's name already reads the same)."""
    taken = set(Alias.objects.filter(province=keep.province, government__isnull=False)
                .exclude(government=drop).values_list("key", flat=True))
    own = name_key(keep.name)
    added = 0
    spellings = [(alias.name, alias) for alias in Alias.objects.filter(government=drop)]
    spellings.append((drop.name, None))
    for spelling, alias in spellings:
        key = name_key(spelling)
        if alias is not None:
            alias.delete()
        if not key or key == own or key in taken:
            continue
        taken.add(key)
        new = Alias(province=keep.province, government=keep, name=spelling, key=key)
        new.full_clean(validate_constraints=False)
        new.save()
        added += 1
    return added


def government_merge(*, keep: Government, drop: Government, by=None) -> dict:
    """Move everything of ``drop`` to ``keep`` and delete ``drop``; refuse clashes with a
    ValidationError that names them. Returns what was moved, by kind."""
    _check(keep, drop)
    try:
        with acting_user(by), transaction.atomic():
            locked = {g.pk: g for g in Government.objects.select_for_update().filter(
                pk__in=[keep.pk, drop.pk]).select_related("province").order_by("pk")}
            if len(locked) != 2:
                raise ValidationError(_("One of the governments no longer exists."))
            keep, drop = locked[keep.pk], locked[drop.pk]
            _check(keep, drop)
            clashes, plans = [], []
            for fk in relations():
                plans.append((fk, *_plan_relation(fk, keep, drop, clashes)))
            if clashes:
                shown = clashes[:SHOWN_CLASHES]
                more = len(clashes) - len(shown)
                message = _("Nothing was merged: rows of %(drop)s clash with rows of %(keep)s: "
                            "%(clashes)s.") % {"drop": drop.name, "keep": keep.name,
                                               "clashes": "; ".join(shown)}
                if more:
                    message += _(" (and %(count)s more)") % {"count": more}
                raise ValidationError(message)
            moved, dropped = Counter(), Counter()
            for fk, delete, move in plans:
                what = str(fk.model._meta.verbose_name_plural)
                if delete:
                    fk.model._default_manager.filter(pk__in=[r.pk for r in delete]).delete()
                    dropped[what] += len(delete)
                if move:
                    fk.model._default_manager.filter(pk__in=[r.pk for r in move]).update(
                        **{fk.name: keep})
                    moved[what] += len(move)
            aliases = _move_aliases(keep, drop)
            code = drop.code
            if code and not keep.code:
                drop.code = ""
                drop.save(update_fields=["code"])
                keep.code = code
            keep.short_name = keep.short_name or drop.short_name
            keep.save(update_fields=["code", "short_name"])
            province = drop.province
            summary = {"kept": keep.pk, "dropped": drop.pk, "dropped_name": drop.name,
                       "moved": dict(moved), "removed_copies": dict(dropped),
                       "aliases": aliases, "province_removed": ""}
            drop.delete()
            if province.pk != keep.province_id and not province.code and \
                    not province.governments.exists():
                summary["province_removed"] = province.name
                province.delete()  # a province that an import created by mistake
    except DatabaseError as exc:  # e.g. the closed-round guard: nothing changed
        raise ValidationError(_("Nothing was merged: the database refused a change (%(reason)s).")
                              % {"reason": str(exc).splitlines()[0][:200]}) from exc
    return summary
