"""Writing instruments: edits of a draft, new versions, and the default per methodology.

An instrument that a round uses is frozen: its dimensions, indicators and rubric levels never
change again (``InstrumentFrozen``), so that no past or running round's figures move. A change
is a new version (``instrument_new_version``: a copy under the same code that can be edited
until a round uses it); making it the default (``instrument_make_default``) only affects
rounds created afterwards. The check is here, in the one module that writes instruments.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Dimension, Indicator, Instrument, RubricLevel
from .specs import clear_cache


class InstrumentFrozen(ValidationError):
    def __init__(self, instrument):
        super().__init__(_("%(instrument)s is used by a round and cannot change; publish a new "
                           "version instead.") % {"instrument": instrument})
        self.instrument = instrument


def instrument_in_use(instrument: Instrument) -> bool:
    return instrument.rounds.exists()


def _editable(instrument_id: int) -> Instrument:
    """The instrument, locked for the edit, if no round uses it."""
    instrument = Instrument.objects.select_for_update().get(id=instrument_id)
    if instrument_in_use(instrument):
        raise InstrumentFrozen(instrument)
    return instrument


def _saved(row, fields: dict):
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    clear_cache()
    return row


@transaction.atomic
def dimension_update(*, dimension: Dimension, **fields) -> Dimension:
    _editable(dimension.instrument_id)
    return _saved(dimension, fields)


@transaction.atomic
def dimension_create(*, instrument: Instrument, **fields) -> Dimension:
    _editable(instrument.id)
    return _saved(Dimension(instrument=instrument), fields)


@transaction.atomic
def indicator_update(*, indicator: Indicator, **fields) -> Indicator:
    _editable(indicator.instrument_id)
    return _saved(indicator, fields)


@transaction.atomic
def indicator_create(*, instrument: Instrument, dimension: Dimension, **fields) -> Indicator:
    _editable(instrument.id)
    return _saved(Indicator(instrument=instrument, dimension=dimension), fields)


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> None:
    _editable(indicator.instrument_id)
    indicator.delete()
    clear_cache()


@transaction.atomic
def rubric_level_set(*, indicator: Indicator, level: int, description_id: str,
                     description_en: str = "") -> RubricLevel:
    _editable(indicator.instrument_id)
    row = RubricLevel.objects.filter(indicator=indicator, level=level).first() or RubricLevel(
        indicator=indicator, level=level)
    return _saved(row, {"description_id": description_id, "description_en": description_en})


@transaction.atomic
def instrument_new_version(*, instrument: Instrument, version: str, name_id: str = "",
                           name_en: str = "") -> Instrument:
    """A copy of the instrument (dimensions, indicators, rubric levels) as a new version of the
    same code, not the default, free to edit until a round uses it."""
    copy = Instrument(
        methodology_id=instrument.methodology_id, code=instrument.code, version=version,
        name_id=name_id or instrument.name_id, name_en=name_en or instrument.name_en,
        purpose=instrument.purpose, status=instrument.status,
        source_note=instrument.source_note, source_note_id=instrument.source_note_id,
        is_default=False)
    copy.full_clean()
    copy.save()
    dimensions = {}
    for dimension in instrument.dimensions.all():
        old_id = dimension.id
        dimension.pk, dimension.id, dimension.instrument = None, None, copy
        dimension.save()
        dimensions[old_id] = dimension
    for indicator in instrument.indicators.prefetch_related("rubric"):
        levels = list(indicator.rubric.all())
        indicator.pk, indicator.id = None, None
        indicator.instrument, indicator.dimension = copy, dimensions[indicator.dimension_id]
        indicator.save()
        RubricLevel.objects.bulk_create([
            RubricLevel(indicator=indicator, level=level.level,
                        description_id=level.description_id,
                        description_en=level.description_en) for level in levels])
    return copy


@transaction.atomic
def instrument_make_default(*, instrument: Instrument) -> Instrument:
    """The methodology's default for its purpose from now on (rounds created later take it;
    existing rounds keep theirs)."""
    list(Instrument.objects.select_for_update().filter(
        methodology_id=instrument.methodology_id))
    Instrument.objects.filter(methodology_id=instrument.methodology_id,
                              purpose=instrument.purpose, is_default=True).exclude(
        id=instrument.id).update(is_default=False)
    instrument.is_default = True
    instrument.save(update_fields=["is_default"])
    return instrument
