"""Importing official results of years that were never run in the app.

All-or-nothing: every row is checked first, and one bad row rejects the file with its row
number, column and reason. Imported results are published results, so they show in rankings
at once; importing the same file again changes nothing.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Government, Level, Province
from compliance.models import Methodology
from compliance.scoring import round2
from compliance.specs import methodology_spec
from compliance.spreadsheets.errors import ImportRejected, RowError
from compliance.spreadsheets.reading import Sheet

from ..models import GovernmentResult, Round

REQUIRED_COLUMNS = ("province", "level", "name", "score")


@dataclass(frozen=True)
class ResultRow:
    province: str
    level: str
    name: str
    short_name: str
    score: Decimal
    category: str
    zone: str
    published_rank: str


def default_methodology_code(year: int) -> str:
    return "ombudsman-2016" if year <= 2021 else "ombudsman-2022"


def parse_score(text: str) -> Decimal:
    """A score as published: "69.27" or Indonesian "69,27"; NaN and infinities refused."""
    value = Decimal(text.replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation
    return value


def validate_rows(sheet: Sheet, methodology: Methodology) -> list[ResultRow]:
    spec = methodology_spec(methodology.id)
    errors: list[RowError] = []
    missing = [column for column in REQUIRED_COLUMNS if column not in sheet.header]
    if missing:
        raise ImportRejected([RowError(1, column, _("required column is missing"))
                              for column in missing])
    rank_column = next((c for c in sheet.header if c.startswith("published_rank")), None)
    seen: dict[tuple[str, str], int] = {}
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
        elif len(name) > 150 or len(province) > 120:
            row_errors.append(RowError(number, "name", _("is too long")))
        if level not in levels:
            row_errors.append(RowError(number, "level", _(
                "unknown level %(level)r (expected provinsi, kabupaten or kota)") % {
                    "level": data.get("level", "")}))
        score = None
        text = data.get("score", "")
        if not text:
            row_errors.append(RowError(number, "score", _("is empty")))
        else:
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
        key = (province.casefold(), name.casefold())
        if name and key in seen:
            row_errors.append(RowError(number, "name", _(
                "duplicate of row %(row)s") % {"row": seen[key]}))
        seen.setdefault(key, number)
        band = spec.band(score) if score is not None else None
        published_category = data.get("published_category", "").upper()
        if band and published_category and published_category != band.category:
            row_errors.append(RowError(number, "published_category", _(
                "%(published)s does not match score %(score)s (category %(computed)s)") % {
                    "published": published_category, "score": score,
                    "computed": band.category or "-"}))
        published_zone = data.get("published_zone", "").lower()
        if band and published_zone and published_zone != band.zone:
            row_errors.append(RowError(number, "published_zone", _(
                "%(published)s does not match score %(score)s (zone %(computed)s)") % {
                    "published": published_zone, "score": score, "computed": band.zone}))
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(ResultRow(
            province=province, level=level, name=name,
            short_name=data.get("short_name", "")[:60], score=round2(score),
            category=band.category if band else "", zone=band.zone if band else "",
            published_rank=(data.get(rank_column, "") if rank_column else "")[:120],
        ))
    if errors:
        raise ImportRejected(errors)
    return rows


def official_round(*, year: int, methodology: Methodology) -> Round:
    round_, _created = Round.objects.get_or_create(
        year=year, is_official=True,
        defaults={"name": _("Official results %(year)s") % {"year": year},
                  "methodology": methodology, "state": Round.State.PUBLISHED},
    )
    return round_


def results_import(*, sheet: Sheet, year: int, methodology_code: str | None = None) -> dict:
    """Validate every row, then write them all in one transaction. Returns counts."""
    code = methodology_code or default_methodology_code(year)
    methodology = Methodology.objects.filter(code=code).first()
    if methodology is None:
        raise ImportRejected([RowError(0, "methodology", _("unknown methodology %(code)r") % {
            "code": code})])
    rows = validate_rows(sheet, methodology)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "governments_created": 0}
    with transaction.atomic():
        round_ = official_round(year=year, methodology=methodology)
        if round_.methodology_id != methodology.id:
            raise ImportRejected([RowError(0, "methodology", _(
                "the %(year)s results already use methodology %(code)s") % {
                    "year": year, "code": round_.methodology.code})])
        for row in rows:
            province, _created = Province.objects.get_or_create(name=row.province)
            government, created = Government.objects.get_or_create(
                province=province, name=row.name,
                defaults={"level": row.level, "short_name": row.short_name})
            counts["governments_created"] += int(created)
            if not created and government.level != row.level:
                raise ImportRejected([RowError(0, "level", _(
                    "%(name)s is already recorded as %(level)s") % {
                        "name": row.name, "level": government.level})])
            values = {"score": row.score, "category": row.category, "zone": row.zone,
                      "published_rank": row.published_rank, "not_assessed": False,
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
