"""Write one instrument version as a workbook (see ``columns`` for its sheets)."""
from decimal import Decimal

from django.utils.translation import gettext as _

from compliance.models import Instrument, RubricLevel
from compliance.spreadsheets.print_setup import add_report_sheet, report_title
from compliance.spreadsheets.writing import new_workbook, to_bytes

from .columns import BANDS, COLUMNS, DIMENSIONS, INDICATORS, INSTRUMENT, RUBRIC

STEP = Decimal("0.01")  # bands are published with two decimals


def _value(value):
    """Empty text as an empty cell; everything else as itself (numbers stay numbers)."""
    return None if value == "" else value


def _row(obj, columns, **override):
    return [_value(override[name] if name in override else getattr(obj, name))
            for name in columns]


def band_rows(methodology):
    """The methodology's bands with their upper bounds written out (the next band's lower
    bound less 0.01; the last one ends at the top of the published scale)."""
    bands = list(methodology.bands.order_by("lower_bound"))
    rows = []
    for index, band in enumerate(bands):
        upper = (bands[index + 1].lower_bound - STEP if index + 1 < len(bands)
                 else methodology.index_max)
        rows.append(_row(band, COLUMNS[BANDS], upper_bound=upper))
    return rows


def instrument_workbook(instrument: Instrument, *, made_by="") -> bytes:
    instrument = Instrument.objects.select_related("methodology").get(pk=instrument.pk)
    title = report_title(
        _("Instrument %(code)s version %(version)s") % {"code": instrument.code,
                                                        "version": instrument.version},
        made_by=made_by,
        status=_("An instrument definition: it holds no assessment results."))
    dimensions = list(instrument.dimensions.order_by("order", "id"))
    codes = {dimension.id: dimension.code for dimension in dimensions}
    indicators = list(instrument.indicators.select_related("component").order_by(
        "dimension__order", "order", "id"))
    levels = list(RubricLevel.objects.filter(
        indicator__instrument=instrument).select_related("indicator").order_by(
        "indicator__dimension__order", "indicator__order", "indicator__id", "level"))

    workbook = new_workbook()
    sheets = [
        (INSTRUMENT, [_row(instrument, COLUMNS[INSTRUMENT],
                           methodology=instrument.methodology.code)]),
        (DIMENSIONS, [_row(d, COLUMNS[DIMENSIONS]) for d in dimensions]),
        (INDICATORS, [_row(i, COLUMNS[INDICATORS], dimension=codes[i.dimension_id],
                           component=i.component.code if i.component_id else "")
                      for i in indicators]),
        (RUBRIC, [_row(level, COLUMNS[RUBRIC], indicator=level.indicator.code)
                  for level in levels]),
        (BANDS, band_rows(instrument.methodology)),
    ]
    for name, rows in sheets:
        add_report_sheet(workbook, title, name, list(COLUMNS[name]),
                         lambda sheet, rows=rows: rows, importable=True)
    return to_bytes(workbook)


class NoSuchInstrument(Exception):
    """The command line named no instrument, or several."""


def choose_instrument(methodology_code: str, version: str = "", code: str = "") -> Instrument:
    """The instrument of a methodology to export: the one with ``code`` and ``version`` when
    given; without a code, the assessing body's instrument (purpose "assessment") before the
    app's checklist; without a version, the default one, else the newest."""
    found = Instrument.objects.filter(methodology__code=methodology_code)
    if not found.exists():
        raise NoSuchInstrument(_("The methodology %(code)s has no instrument.") % {
            "code": methodology_code})
    if code:
        found = found.filter(code=code)
    if version:
        found = found.filter(version=version)
    if not code and found.filter(purpose=Instrument.Purpose.ASSESSMENT).exists():
        found = found.filter(purpose=Instrument.Purpose.ASSESSMENT)
    rows = list(found.order_by("-is_default", "-created_at", "-id"))
    if not rows:
        raise NoSuchInstrument(_("No instrument of %(methodology)s matches.") % {
            "methodology": methodology_code})
    if version and len({row.code for row in rows}) > 1:
        raise NoSuchInstrument(_("Several instruments have version %(version)s: choose one "
                                 "with --code (%(codes)s).") % {
            "version": version, "codes": ", ".join(sorted({row.code for row in rows}))})
    return rows[0]
