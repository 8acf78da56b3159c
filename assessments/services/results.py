"""Importing official results of years that were never run in the app.

All-or-nothing: every row is checked first, and one bad row rejects the file with its row
number, column and reason. Imported results are published results, so they show in rankings
at once; importing the same file again changes nothing.

Each row finds its government by the rules of agencies.identity (code, else the name within
its province, else an alias): published tables spell names in many ways and one government
must keep one history. A row that matches nothing is refused with the closest names; a new
government is created only when the caller asks (``create_missing``), and a province never.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.identity import HOW_NEW, Directory, NoMatch, name_key, readings
from agencies.models import Government, Level, Province
from compliance.models import Methodology
from compliance.scoring import round2
from compliance.specs import methodology_spec
from compliance.spreadsheets.errors import ImportRejected, RowError
from compliance.spreadsheets.reading import Sheet

from ..models import GovernmentResult, Round

# The official table's methodology by year, when the import names none (docs/methodology.md,
# "Methodologies"): the compliance assessment to 2021, its 2022–2024 successor, the Opini
# Ombudsman from 2025.
METHODOLOGY_BY_YEAR = ((2021, "ombudsman-2016"), (2024, "ombudsman-2022"))
LATEST_METHODOLOGY = "ombudsman-2025"

REQUIRED_COLUMNS = ("province", "level", "name", "score")
NAME_MAX = Government._meta.get_field("name").max_length  # 150
REASON_MAX = GovernmentResult._meta.get_field("not_assessed_reason").max_length  # 300


@dataclass(frozen=True)
class ResultRow:
    row: int
    code: str
    province: str
    level: str
    name: str
    short_name: str
    score: Decimal | None  # None: not assessed, for ``not_assessed_reason``
    category: str
    zone: str
    published_rank: str
    not_assessed_reason: str = ""


@dataclass(frozen=True)
class Planned:
    """A checked row and its government: found (``how`` = code, name or alias), or to be
    created in ``province`` (``how`` = new)."""
    row: ResultRow
    government: Government | None
    how: str
    province: Province | None = None


def default_methodology_code(year: int) -> str:
    return next((code for last, code in METHODOLOGY_BY_YEAR if year <= last),
                LATEST_METHODOLOGY)


def parse_score(text: str) -> Decimal:
    """A score as published: "69.27" or Indonesian "69,27"; NaN and infinities refused."""
    value = Decimal(text.replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation
    return value


def validate_rows(sheet: Sheet, methodology: Methodology, *,
                  create_missing: bool = False) -> list[Planned]:
    """Every row checked and matched to its government, or ImportRejected with every problem."""
    spec = methodology_spec(methodology.id)
    errors: list[RowError] = []
    missing = [column for column in REQUIRED_COLUMNS if column not in sheet.header]
    if missing:
        raise ImportRejected([RowError(1, column, _("required column is missing"))
                              for column in missing])
    rank_column = next((c for c in sheet.header if c.startswith("published_rank")), None)
    rows: list[ResultRow] = []
    levels = {choice.value for choice in Level}
    if not sheet.rows:
        raise ImportRejected([RowError(2, "name", _("the file has no data rows"))])
    for number, data in sheet.rows:
        row_errors = []
        province = data.get("province", "")
        name = data.get("name", "")
        level = data.get("level", "").lower()
        if not province:
            row_errors.append(RowError(number, "province", _("is empty")))
        if not name:
            row_errors.append(RowError(number, "name", _("is empty")))
        elif len(name) > NAME_MAX or len(province) > 120:
            row_errors.append(RowError(number, "name", _("is too long")))
        if level not in levels:
            row_errors.append(RowError(number, "level", _(
                "unknown level %(level)r (expected provinsi, kabupaten or kota)") % {
                    "level": data.get("level", "")}))
        score = None
        text = data.get("score", "")
        reason = " ".join(data.get("not_assessed_reason", "").split())
        if reason and text:
            row_errors.append(RowError(number, "not_assessed_reason", _(
                "a row with a score was assessed: leave the reason empty")))
        elif len(reason) > REASON_MAX:
            row_errors.append(RowError(number, "not_assessed_reason", _("is too long")))
        elif not text and not reason:
            row_errors.append(RowError(number, "score", _(
                "is empty (give not_assessed_reason for a government that was not assessed)")))
        elif text:
            try:
                score = parse_score(text)
            except (InvalidOperation, ValueError):
                row_errors.append(RowError(number, "score", _("%(value)r is not a number") % {
                    "value": text}))
            else:
                if not Decimal(0) <= score <= Decimal(100):
                    row_errors.append(RowError(number, "score", _(
                        "%(value)s is outside 0–100") % {"value": text}))
                    score = None
        band = spec.band(score) if score is not None else None
        published_category = data.get("published_category", "").upper()
        if band and published_category and published_category != band.category:
            row_errors.append(RowError(number, "published_category", _(
                "%(published)s does not match score %(score)s (category %(computed)s)") % {
                    "published": published_category, "score": score,
                    "computed": band.category or "-"}))
        published_zone = data.get("published_zone", "").lower()
        if band and published_zone and not spec.has_zones:
            row_errors.append(RowError(number, "published_zone", _(
                "this methodology publishes no zones")))
        elif band and published_zone and published_zone != band.zone:
            row_errors.append(RowError(number, "published_zone", _(
                "%(published)s does not match score %(score)s (zone %(computed)s)") % {
                    "published": published_zone, "score": score, "computed": band.zone}))
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(ResultRow(
            row=number, code=data.get("code", ""), province=province, level=level, name=name,
            short_name=data.get("short_name", "")[:60],
            score=round2(score) if score is not None else None, not_assessed_reason=reason,
            category=band.category if band else "", zone=band.zone if band else "",
            published_rank=(data.get(rank_column, "") if rank_column else "")[:120],
        ))
    plans, match_errors = match_rows(rows, create_missing=create_missing)
    errors.extend(match_errors)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.row))
    return plans


def match_rows(rows: list[ResultRow], *, create_missing: bool) -> tuple[list[Planned], list]:
    """Each row's government; two rows for one government are refused (one result each)."""
    directory = Directory()
    plans, errors = [], []
    first_row: dict = {}
    for row in rows:
        try:
            match = directory.government(province=row.province, name=row.name, level=row.level,
                                         code=row.code)
        except NoMatch as exc:
            if not (create_missing and exc.province is not None and not exc.ambiguous
                    and not row.code):
                errors.append(RowError(row.row, exc.column, exc.message))
                continue
            spelled = readings(row.name)[0].level
            if spelled and spelled != row.level:
                errors.append(RowError(row.row, "level", _(
                    "the name says %(spelled)s, the level column %(level)s") % {
                        "spelled": spelled, "level": row.level}))
                continue
            plan = Planned(row=row, government=None, how=HOW_NEW, province=exc.province)
            identity = ("new", exc.province.id, row.level, name_key(row.name))
        else:
            plan = Planned(row=row, government=match.government, how=match.how)
            identity = match.government.id
        if identity in first_row:
            errors.append(RowError(row.row, "name", _(
                "duplicate of row %(row)s (the same government)") % {"row": first_row[identity]}))
            continue
        first_row[identity] = row.row
        plans.append(plan)
    return plans, errors


def official_round(*, year: int, methodology: Methodology) -> Round:
    round_, _created = Round.objects.get_or_create(
        year=year, is_official=True,
        defaults={"name": _("Official results %(year)s") % {"year": year},
                  "methodology": methodology, "state": Round.State.PUBLISHED},
    )
    return round_


def _methodology(year: int, methodology_code: str | None) -> Methodology:
    code = methodology_code or default_methodology_code(year)
    methodology = Methodology.objects.filter(code=code).first()
    if methodology is None:
        raise ImportRejected([RowError(0, "methodology", _("unknown methodology %(code)r") % {
            "code": code})])
    return methodology


def results_match(*, sheet: Sheet, year: int, methodology_code: str | None = None,
                  create_missing: bool = False) -> list[Planned]:
    """What an import would do with each row (a dry run): nothing is written."""
    return validate_rows(sheet, _methodology(year, methodology_code),
                         create_missing=create_missing)


def _government(plan: Planned) -> tuple[Government, bool]:
    """The row's government; a new one only for ``create_missing``. An empty short name is
    filled from the file (the official list has none)."""
    row = plan.row
    if plan.government is None:
        government = Government(province=plan.province, level=row.level,
                                name=" ".join(row.name.split()), short_name=row.short_name)
        try:
            government.full_clean()
        except ValidationError as exc:
            raise ImportRejected([RowError(row.row, "name", message)
                                  for message in exc.messages]) from exc
        government.save()
        return government, True
    government = plan.government
    if row.short_name and not government.short_name:
        government.short_name = row.short_name
        government.save(update_fields=["short_name"])
    return government, False


def results_import(*, sheet: Sheet, year: int, methodology_code: str | None = None,
                   create_missing: bool = False) -> dict:
    """Validate and match every row, then write them all in one transaction. Returns counts."""
    methodology = _methodology(year, methodology_code)
    plans = validate_rows(sheet, methodology, create_missing=create_missing)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "governments_created": 0}
    with transaction.atomic():
        round_ = official_round(year=year, methodology=methodology)
        if round_.methodology_id != methodology.id:
            raise ImportRejected([RowError(0, "methodology", _(
                "the %(year)s results already use methodology %(code)s") % {
                    "year": year, "code": round_.methodology.code})])
        for plan in plans:
            row = plan.row
            government, created = _government(plan)
            counts["governments_created"] += int(created)
            values = {"score": row.score, "category": row.category, "zone": row.zone,
                      "published_rank": row.published_rank,
                      "not_assessed": row.score is None,
                      "not_assessed_reason": row.not_assessed_reason,
                      "source": GovernmentResult.Source.IMPORTED}
            existing = GovernmentResult.objects.filter(round=round_, government=government).first()
            if existing is None:
                result = GovernmentResult(round=round_, government=government, **values)
                result.full_clean()
                result.save()
                counts["created"] += 1
            elif any(getattr(existing, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(existing, key, value)
                existing.full_clean()
                existing.save()
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts
