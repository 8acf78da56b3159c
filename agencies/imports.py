"""Importing a government's agencies (OPDs, Puskesmas) from a spreadsheet.

All-or-nothing, like the import of official results: every row is checked first, and one bad
row rejects the whole file with the row number, column and reason of every problem. Only the
governments are reference data (the official list, manage.py load_regions): a row finds its
government by ``government_code`` when given, else by name in its province or by alias, with
the rules of agencies.identity ("Kab. Muna Barat" is Kabupaten Muna Barat), and an import never
creates one. Agencies are matched by name within their government, case-insensitively, so that
importing the same file again changes nothing and a corrected file updates the agencies it
already created.

An empty optional cell means "not given", never "erase": a new agency gets no short name and
the kind "other", an existing one keeps what it has. Agencies missing from the file are left
alone (an import never deletes).
"""
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from compliance.spreadsheets.errors import ImportRejected, RowError
from compliance.spreadsheets.reading import Sheet
from audit.context import acting_user

from .identity import Directory, NoMatch
from .models import Agency, AgencyKind, Government

REQUIRED_COLUMNS = ("province", "government", "name")
OPTIONAL_COLUMNS = ("short_name", "kind", "government_code")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
NAME_MAX = Agency._meta.get_field("name").max_length              # 200
SHORT_NAME_MAX = Agency._meta.get_field("short_name").max_length  # 60
SHOWN_MAX = 60  # how much of a bad value an error message repeats
BATCH_SIZE = 500

_WHITESPACE = re.compile(r"\s+")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")
# Control, format (zero-width, bidi overrides) and surrogate characters: invisible in a name,
# they would make two agencies look alike and break exports.
_REFUSED_CATEGORIES = ("Cc", "Cf", "Cs")


@dataclass(frozen=True)
class AgencyRow:
    """One data row, cleaned. Empty optional values mean "not given"."""
    row: int
    province: str
    government: str
    name: str
    short_name: str
    kind: str
    government_code: str = ""


@dataclass(frozen=True)
class Planned:
    row: int
    agency: Agency
    action: str  # "created", "updated" or "unchanged"
    changed: tuple[str, ...] = ()
    how: str = ""  # how the government was found: code, name or alias


def key(text: str) -> str:
    """What two names must share to be "the same" name."""
    return text.casefold()


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX - 1] + "…"


def clean_cell(text: str) -> tuple[str, str | None]:
    """The cell's text with runs of whitespace (line breaks from Alt+Enter, tabs, no-break
    spaces) made one space and in NFC form; and, if it holds a character that must not be in a
    name, the reason it is refused."""
    text = unicodedata.normalize("NFC", _WHITESPACE.sub(" ", text or "").strip())
    for char in text:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return text, _("contains an invisible or control character (U+%(code)04X); type "
                           "the text again without it") % {"code": ord(char)}
    return text, None


def kind_aliases() -> dict[str, str]:
    """Every accepted spelling of a kind → its value: the value itself and the display label
    in every language of the site, with or without the part in parentheses."""
    aliases = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for choice in AgencyKind:
                label = str(choice.label)
                for alias in (label, _PARENTHESIS.sub("", label)):
                    aliases.setdefault(key(alias), choice.value)
    for choice in AgencyKind:  # values win over any label that happens to look like one
        aliases[key(choice.value)] = choice.value
    return aliases


# --- the file as a whole ----------------------------------------------------------------------

def check_header(sheet: Sheet) -> None:
    errors = []
    seen = set()
    for column in sheet.header:
        if not column:
            continue
        if column in seen:
            errors.append(RowError(1, column, _("the column appears more than once")))
        elif column not in COLUMNS:
            errors.append(RowError(1, column, _(
                "unknown column (the columns are: %(columns)s)") % {"columns": ", ".join(COLUMNS)}))
        seen.add(column)
    errors.extend(RowError(1, column, _("required column is missing"))
                  for column in REQUIRED_COLUMNS if column not in seen)
    if errors:
        raise ImportRejected(errors)
    if not sheet.rows:
        raise ImportRejected([RowError(2, "name", _("the file has no data rows"))])


# --- each row on its own ----------------------------------------------------------------------

def parse_rows(sheet: Sheet) -> tuple[list[AgencyRow], list[RowError]]:
    """Clean every row and check what needs no database: presence, length, characters, kind."""
    aliases = kind_aliases()
    rows, errors = [], []
    for number, data in sheet.rows:
        row_errors = []
        if data.get(""):
            row_errors.append(RowError(number, "-", _(
                "a value stands in a column without a heading: “%(value)s”") % {
                    "value": _shown(data[""])}))
        values = {}
        for column in COLUMNS:
            values[column], problem = clean_cell(data.get(column, ""))
            if problem:
                row_errors.append(RowError(number, column, problem))
        for column in REQUIRED_COLUMNS:
            if not values[column]:
                row_errors.append(RowError(number, column, _("is empty")))
        for column, limit in (("name", NAME_MAX), ("short_name", SHORT_NAME_MAX)):
            if len(values[column]) > limit:
                row_errors.append(RowError(number, column, _(
                    "is too long (%(length)s characters; at most %(max)s)") % {
                        "length": len(values[column]), "max": limit}))
        kind = ""
        if values["kind"]:
            kind = aliases.get(key(values["kind"]), "")
            if not kind:
                row_errors.append(RowError(number, "kind", _(
                    "unknown kind “%(value)s” (expected one of: %(kinds)s)") % {
                        "value": _shown(values["kind"]),
                        "kinds": ", ".join(choice.value for choice in AgencyKind)}))
        errors.extend(row_errors)
        rows.append(AgencyRow(row=number, province=values["province"],
                              government=values["government"], name=values["name"],
                              short_name=values["short_name"], kind=kind,
                              government_code=values["government_code"]))
    return rows, errors


# --- rows against each other and against the database -----------------------------------------

def _resolve(directory: Directory, row: AgencyRow):
    """(government, how, None) or (None, "", the row's error)."""
    if not row.province or not row.government:
        return None, "", None  # already reported as empty
    try:
        match = directory.government(province=row.province, name=row.government,
                                     code=row.government_code)
    except NoMatch as exc:
        column = "government" if exc.column == "name" else exc.column
        if column == "code":
            column = "government_code"
        return None, "", RowError(row.row, column, exc.message)
    return match.government, match.how, None


def _existing_agencies(government_ids) -> dict[tuple[int, str], list[Agency]]:
    found: dict[tuple[int, str], list[Agency]] = {}
    for agency in Agency.objects.filter(government_id__in=government_ids).order_by("id"):
        found.setdefault((agency.government_id, key(agency.name)), []).append(agency)
    return found


def _model_errors(number: int, exc: ValidationError) -> list[RowError]:
    """The model's own checks (length, choices), should a row slip past the ones above."""
    return [RowError(number, field if field in COLUMNS else "-", message)
            for field, messages in exc.message_dict.items() for message in messages]


def _plan(row: AgencyRow, government: Government, existing: list[Agency], how: str) -> Planned:
    """What importing this row would do to its agency. The model is checked here, before
    anything is written (full_clean without the uniqueness queries: the rows were matched
    against the database and against each other already, and the constraint still guards)."""
    exact = [agency for agency in existing if agency.name == row.name]
    current = (exact or existing)[0] if exact or len(existing) == 1 else None
    if current is None:
        agency = Agency(government=government, name=row.name, short_name=row.short_name,
                        kind=row.kind or AgencyKind.OTHER)
        action, changed = "created", ()
    else:
        agency = Agency(id=current.id, government=government, name=current.name,
                        short_name=row.short_name or current.short_name,
                        kind=row.kind or current.kind)
        changed = tuple(field for field in ("short_name", "kind")
                        if getattr(agency, field) != getattr(current, field))
        action = "updated" if changed else "unchanged"
    agency.full_clean(exclude=["government"], validate_unique=False, validate_constraints=False)
    return Planned(row=row.row, agency=agency, action=action, changed=changed, how=how)


def _position(error: RowError) -> tuple[int, int]:
    """Errors in file order: by row, then by column as in the template."""
    column = COLUMNS.index(error.column) if error.column in COLUMNS else len(COLUMNS)
    return error.row, column


def validate_rows(sheet: Sheet) -> list[Planned]:
    """Every row checked, or ImportRejected with every problem found."""
    check_header(sheet)
    rows, errors = parse_rows(sheet)
    directory = Directory()
    resolved = []
    first_row: dict[tuple, int] = {}
    for row in rows:
        government, how, problem = _resolve(directory, row)
        if problem:
            errors.append(problem)
        if row.name:
            place = government.id if government else (key(row.province), key(row.government))
            identity = (place, key(row.name))
            if identity in first_row:
                errors.append(RowError(row.row, "name", _(
                    "duplicate of row %(row)s (same government and name)") % {
                        "row": first_row[identity]}))
            first_row.setdefault(identity, row.row)
        resolved.append((row, government, how))
    existing = _existing_agencies({g.id for _row, g, _how in resolved if g is not None})
    failed = {error.row for error in errors}
    plans = []
    for row, government, how in resolved:
        if government is None or row.row in failed:
            continue
        matches = existing.get((government.id, key(row.name)), [])
        if len(matches) > 1 and not any(agency.name == row.name for agency in matches):
            errors.append(RowError(row.row, "name", _(
                "matches several agencies of %(government)s: %(names)s; use the exact "
                "spelling of one") % {"government": government.name,
                                      "names": "; ".join(a.name for a in matches)}))
            continue
        try:
            plans.append(_plan(row, government, matches, how))
        except ValidationError as exc:
            errors.extend(_model_errors(row.row, exc))
    if errors:
        raise ImportRejected(sorted(errors, key=_position))
    return plans


# --- the write --------------------------------------------------------------------------------

def _fill_missing_ids(created: list[Agency]) -> None:
    """bulk_create sets ids on PostgreSQL and recent SQLite; elsewhere read them back."""
    missing = [agency for agency in created if agency.pk is None]
    if not missing:
        return
    ids = {(a.government_id, a.name): a.pk for a in Agency.objects.filter(
        government_id__in={a.government_id for a in missing},
        name__in={a.name for a in missing})}
    for agency in missing:
        agency.pk = ids.get((agency.government_id, agency.name))


def agencies_import(*, sheet: Sheet, by=None) -> dict:
    """Validate every row, then create and update the agencies in one transaction.

    The audit trail records every agency created or changed (the database writes it); ``by``
    (a user) is its actor when no request names one (the command's ``--user``). Returns the
    counts: created, updated, unchanged."""
    plans = validate_rows(sheet)
    created = [plan.agency for plan in plans if plan.action == "created"]
    updated = [plan.agency for plan in plans if plan.action == "updated"]
    try:
        with acting_user(by), transaction.atomic():
            Agency.objects.bulk_create(created, batch_size=BATCH_SIZE)
            Agency.objects.bulk_update(updated, ["short_name", "kind"], batch_size=BATCH_SIZE)
            _fill_missing_ids(created)
    except IntegrityError as exc:
        # Someone created one of these agencies between the check and the write.
        raise ImportRejected([RowError(0, "name", _(
            "the agencies changed while the file was being imported; nothing was imported, "
            "please try again"))]) from exc
    return {"created": len(created), "updated": len(updated),
            "unchanged": sum(1 for plan in plans if plan.action == "unchanged")}
