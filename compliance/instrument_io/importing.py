"""Import an instrument workbook as a new version: every sheet and row checked first, every
problem reported with its sheet, row and column, and nothing written unless all is well.

The checks are the instrument's invariants that a database constraint cannot state across
rows: the dimension weights sum to 100 (every shipped methodology's total), an indicator
weighs more than 0 and sits in exactly one dimension (one that holds indicators, not a survey
score), a dimension that is not a survey holds at least one indicator, a component-mean
dimension's indicators each name their component, rubric levels lie within their indicator's
scale, and the bands cover the methodology's published scale without gaps or overlaps and are
those the methodology holds (see the package docstring: an import never changes bands).
"""
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from compliance.models import (SCALE_MAX, Component, Dimension, Indicator, Instrument,
                               Methodology, RubricLevel, Zone)
from compliance.spreadsheets.errors import ImportRejected, RowError

from .columns import BANDS, COLUMNS, DIMENSIONS, INDICATORS, INSTRUMENT, REQUIRED, RUBRIC, SHEETS
from .export import STEP, band_rows

WEIGHT_TOTAL = Decimal(100)
TRUE = {"true", "1", "yes", "ya", "y"}
FALSE = {"false", "0", "no", "tidak", "n", ""}
MAX_ORDER = 32767
MAX_NUMBER = Decimal(10000)  # the weight and bound fields hold six digits, two after the point


@dataclass
class _Checker:
    """Collects the problems of one workbook."""

    errors: list = field(default_factory=list)

    def add(self, sheet, row, column, message):
        self.errors.append(RowError(row=row, column=column, message=str(message), sheet=sheet))

    def text(self, sheet, number, row, name):
        return row.get(name, "")

    def decimal(self, sheet, number, row, name, *, default=None, required=False):
        text = row.get(name, "").replace(" ", "")
        if not text:
            if required:
                self.add(sheet, number, name, _("a number is required"))
            return default
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # a decimal comma typed as text
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.add(sheet, number, name, _("%(value)r is not a number") % {"value": text[:40]})
            return None
        if abs(value) >= MAX_NUMBER or value != value.quantize(STEP):
            self.add(sheet, number, name, _("at most two decimals and four digits before "
                                            "the decimal point"))
            return None
        return value.quantize(STEP)

    def integer(self, sheet, number, row, name, *, default=None, low=0, high=MAX_ORDER):
        text = row.get(name, "")
        if not text:
            return default
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            self.add(sheet, number, name, _("a whole number from %(low)s to %(high)s") % {
                "low": low, "high": high})
            return None
        return value

    def boolean(self, sheet, number, row, name, *, default=False):
        text = row.get(name, "").casefold()
        if not text:
            return default
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        self.add(sheet, number, name, _("write true or false"))
        return default

    def model(self, sheet, number, obj, exclude):
        """The model's own field checks (lengths, codes, choices), per column."""
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.add(sheet, number, name, message)


def _check_header(check, sheets):
    present = {}
    for name in SHEETS:
        sheet = sheets.get(name)
        if sheet is None:
            check.add(name, 0, "", _("the sheet %(sheet)s is missing") % {"sheet": name})
            continue
        missing = [column for column in REQUIRED[name] if column not in sheet.header]
        for column in missing:
            check.add(name, 1, column, _("required column is missing"))
        unknown = [column for column in sheet.header if column and column not in COLUMNS[name]]
        for column in unknown:
            check.add(name, 1, column, _("unknown column"))
        seen = set()
        for column in sheet.header:
            if column and column in seen:
                check.add(name, 1, column, _("the column appears twice"))
            seen.add(column)
        for number, row in sheet.rows:
            if "" in row:
                check.add(name, number, "", _("a value in a column without a heading"))
        present[name] = sheet
    return present


def _instrument(check, sheet, methodology, version):
    rows = sheet.rows
    if len(rows) != 1:
        check.add(INSTRUMENT, rows[1][0] if len(rows) > 1 else 2, "code",
                  _("the sheet must have exactly one data row"))
        if not rows:
            return None
    number, row = rows[0]
    if row.get("methodology") and row["methodology"] != methodology.code:
        check.add(INSTRUMENT, number, "methodology", _(
            "the file is an instrument of %(file)s, not of %(chosen)s") % {
                "file": row["methodology"], "chosen": methodology.code})
    instrument = Instrument(
        methodology=methodology, code=row.get("code", ""), version=version or row.get(
            "version", ""), name_id=row.get("name_id", ""), name_en=row.get("name_en", ""),
        purpose=row.get("purpose", ""), status=row.get("status") or "assumption",
        source_note=row.get("source_note", ""),
        source_note_id=row.get("source_note_id", ""), is_default=False)
    check.model(INSTRUMENT, number, instrument, ["methodology"])
    if Instrument.objects.filter(code=instrument.code, version=instrument.version).exists():
        check.add(INSTRUMENT, number, "version", _(
            "version %(version)s of %(code)s exists already: an instrument is never changed, "
            "import it under a new version") % {"version": instrument.version,
                                                 "code": instrument.code})
    other = Instrument.objects.filter(code=instrument.code).exclude(
        methodology=methodology).select_related("methodology").first()
    if other is not None:
        check.add(INSTRUMENT, number, "code", _(
            "the code %(code)s belongs to an instrument of %(methodology)s") % {
                "code": instrument.code, "methodology": other.methodology.code})
    return instrument


def _dimensions(check, sheet):
    dimensions = {}
    for position, (number, row) in enumerate(sheet.rows, start=1):
        dimension = Dimension(
            code=row.get("code", ""),
            order=check.integer(DIMENSIONS, number, row, "order", default=position, low=1),
            name_id=row.get("name_id", ""), name_en=row.get("name_en", ""),
            weight=check.decimal(DIMENSIONS, number, row, "weight", required=True),
            is_survey=check.boolean(DIMENSIONS, number, row, "is_survey"),
            rollup=row.get("rollup") or Dimension.Rollup.POINTS,
            status=row.get("status") or "assumption", source_note=row.get("source_note", ""),
            source_note_id=row.get("source_note_id", ""))
        if dimension.order is None:
            dimension.order = position
        if dimension.weight is not None and dimension.weight < 0:
            check.add(DIMENSIONS, number, "weight", _("a weight cannot be negative"))
        check.model(DIMENSIONS, number, dimension, ["instrument", "weight"])
        if dimension.code in dimensions:
            check.add(DIMENSIONS, number, "code", _("the code %(code)s appears twice") % {
                "code": dimension.code})
            continue
        dimensions[dimension.code] = (number, dimension)
    if not dimensions:
        check.add(DIMENSIONS, 2, "code", _("the instrument has no dimension"))
        return dimensions
    weights = [d.weight for _, d in dimensions.values()]
    if None not in weights and sum(weights) != WEIGHT_TOTAL:
        check.add(DIMENSIONS, sheet.rows[0][0], "weight", _(
            "the dimension weights sum to %(sum)s; they must sum to %(total)s") % {
                "sum": sum(weights), "total": WEIGHT_TOTAL})
    return dimensions


def _indicators(check, sheet, dimensions):
    components = {c.code: c for c in Component.objects.all()}
    indicators = {}
    placed = {}  # indicator code -> its dimension
    orders = {}
    for position, (number, row) in enumerate(sheet.rows, start=1):
        code = row.get("code", "")
        indicator = Indicator(
            code=code,
            order=check.integer(INDICATORS, number, row, "order", default=position, low=1),
            text_id=row.get("text_id", ""), text_en=row.get("text_en", ""),
            evidence_id=row.get("evidence_id", ""), evidence_en=row.get("evidence_en", ""),
            guidance_id=row.get("guidance_id", ""), guidance_en=row.get("guidance_en", ""),
            weight=check.decimal(INDICATORS, number, row, "weight", default=Decimal(1)),
            scale=row.get("scale", ""), source_kind=row.get("source_kind") or "document",
            per_product=check.boolean(INDICATORS, number, row, "per_product"),
            standing=check.boolean(INDICATORS, number, row, "standing"),
            active=check.boolean(INDICATORS, number, row, "active", default=True),
            status=row.get("status") or "assumption", source_note=row.get("source_note", ""),
            source_note_id=row.get("source_note_id", ""))
        if indicator.order is None:
            indicator.order = position
        if indicator.weight is not None and indicator.weight <= 0:
            check.add(INDICATORS, number, "weight", _("an indicator's weight must be above 0"))
        check.model(INDICATORS, number, indicator,
                    ["instrument", "dimension", "component", "weight"])
        found = dimensions.get(row.get("dimension", ""))
        if found is None:
            check.add(INDICATORS, number, "dimension", _(
                "no dimension with the code %(code)r on the dimensions sheet") % {
                    "code": row.get("dimension", "")[:60]})
        elif found[1].is_survey:
            check.add(INDICATORS, number, "dimension", _(
                "%(code)s is a survey score: it holds no indicators") % {"code": found[1].code})
        else:
            indicator.dimension = found[1]
            placed.setdefault(code, found[1])
        component = row.get("component", "")
        if component:
            if component not in components:
                check.add(INDICATORS, number, "component", _(
                    "no Art. 21 component with the code %(code)r") % {"code": component[:60]})
            else:
                indicator.component = components[component]
                key = (component, indicator.order)
                if key in orders:
                    check.add(INDICATORS, number, "order", _(
                        "row %(row)s has the same component and order") % {"row": orders[key]})
                orders.setdefault(key, number)
        elif found is not None and found[1].rollup == Dimension.Rollup.COMPONENT_MEAN:
            check.add(INDICATORS, number, "component", _(
                "the dimension averages components: name the indicator's component"))
        if code in indicators:
            check.add(INDICATORS, number, "code", _(
                "the code %(code)s appears twice (an indicator sits in one dimension)") % {
                    "code": code})
            continue
        indicators[code] = (number, indicator)
    held = {placed[code].code for code, (_n, i) in indicators.items()
            if code in placed and i.active}
    for code, (number, dimension) in dimensions.items():
        if not dimension.is_survey and code not in held:
            check.add(DIMENSIONS, number, "code", _(
                "the dimension holds no active indicator (or mark it as a survey score)"))
    return indicators


def _rubric(check, sheet, indicators):
    levels = []
    seen = {}
    for number, row in sheet.rows:
        code = row.get("indicator", "")
        found = indicators.get(code)
        level = check.integer(RUBRIC, number, row, "level", low=0, high=5)
        if found is None:
            check.add(RUBRIC, number, "indicator", _(
                "no indicator with the code %(code)r on the indicators sheet") % {
                    "code": code[:60]})
            continue
        indicator = found[1]
        top = SCALE_MAX.get(indicator.scale)
        if level is None:
            continue
        if top is not None and level > top:
            check.add(RUBRIC, number, "level", _(
                "level %(level)s is outside the indicator's scale 0–%(top)s") % {
                    "level": level, "top": top})
        if (code, level) in seen:
            check.add(RUBRIC, number, "level", _("row %(row)s describes the same level") % {
                "row": seen[(code, level)]})
        seen.setdefault((code, level), number)
        rubric = RubricLevel(level=level, description_id=row.get("description_id", ""),
                             description_en=row.get("description_en", ""))
        check.model(RUBRIC, number, rubric, ["indicator"])
        levels.append((indicator, rubric))
    return levels


def _bands(check, sheet, methodology):
    """The bands must tile 0 … the published maximum in steps of 0.01 and be the
    methodology's own (an empty sheet says nothing about them)."""
    if not sheet.rows:
        return
    parsed = []
    for number, row in sheet.rows:
        lower = check.decimal(BANDS, number, row, "lower_bound", required=True)
        upper = check.decimal(BANDS, number, row, "upper_bound", required=True)
        if row.get("zone") and row["zone"] not in Zone.values:
            check.add(BANDS, number, "zone", _("one of %(zones)s, or empty") % {
                "zones": ", ".join(Zone.values)})
        if lower is None or upper is None:
            return
        if lower > upper:
            check.add(BANDS, number, "upper_bound", _("below the lower bound"))
        parsed.append((number, lower, upper, row))
    first, last = parsed[0], parsed[-1]
    if first[1] != 0:
        check.add(BANDS, first[0], "lower_bound", _("the first band must start at 0"))
    for (_n, _l, upper, _r), (number, lower, _u, _row) in zip(parsed, parsed[1:]):
        if lower > upper + STEP:
            check.add(BANDS, number, "lower_bound", _(
                "a gap: the band before ends at %(upper)s") % {"upper": upper})
        elif lower < upper + STEP:
            check.add(BANDS, number, "lower_bound", _(
                "an overlap: the band before ends at %(upper)s") % {"upper": upper})
    if last[2] != methodology.index_max:
        check.add(BANDS, last[0], "upper_bound", _(
            "the last band must end at the top of the published scale, %(top)s") % {
                "top": methodology.index_max})
    if check.errors:
        return
    stored = [[("" if v is None else v) for v in row] for row in band_rows(methodology)]
    given = [[lower, upper, *(row.get(name, "") for name in COLUMNS[BANDS][2:])]
             for _n, lower, upper, row in parsed]
    if stored != given:
        check.add(BANDS, first[0], "lower_bound", _(
            "these are not the bands of %(methodology)s: bands belong to the methodology and "
            "an instrument import does not change them") % {"methodology": methodology.code})


def instrument_import(*, sheets, methodology_code: str, version: str = "") -> Instrument:
    """Create a new instrument version from a workbook's sheets ({title: Sheet}), or raise
    ImportRejected with every problem (sheet, row, column) and write nothing."""
    methodology = Methodology.objects.filter(code=methodology_code).first()
    if methodology is None:
        raise ImportRejected([RowError(0, "methodology", _("unknown methodology %(code)r") % {
            "code": methodology_code[:60]}, sheet=INSTRUMENT)])
    check = _Checker()
    present = _check_header(check, sheets)
    if check.errors:
        raise ImportRejected(check.errors)
    instrument = _instrument(check, present[INSTRUMENT], methodology, version.strip())
    dimensions = _dimensions(check, present[DIMENSIONS])
    indicators = _indicators(check, present[INDICATORS], dimensions)
    levels = _rubric(check, present[RUBRIC], indicators)
    _bands(check, present[BANDS], methodology)
    if check.errors or instrument is None:
        order = {name: index for index, name in enumerate(SHEETS)}
        raise ImportRejected(sorted(check.errors, key=lambda e: (order.get(e.sheet, 9), e.row)))
    try:
        with transaction.atomic():
            instrument.save()
            for _number, dimension in dimensions.values():
                dimension.instrument = instrument
            Dimension.objects.bulk_create([d for _n, d in dimensions.values()])
            for _number, indicator in indicators.values():
                indicator.instrument = instrument
                indicator.dimension_id = indicator.dimension.pk
            Indicator.objects.bulk_create([i for _n, i in indicators.values()])
            for indicator, rubric in levels:
                rubric.indicator_id = indicator.pk
            RubricLevel.objects.bulk_create([rubric for _i, rubric in levels])
    except IntegrityError as exc:  # a concurrent import of the same version, or a constraint
        raise ImportRejected([RowError(2, "version", _(
            "the instrument could not be saved (%(reason)s); nothing was imported") % {
                "reason": str(exc)[:200]}, sheet=INSTRUMENT)]) from exc
    return instrument
