"""Read an uploaded .csv or .xlsx into plain rows, refusing what should never be parsed.

Checks happen before parsing: file size, that an .xlsx is a real zip archive with a sane
number of members and uncompressed size (openpyxl has no zip-bomb guard), and defusedxml is
installed so openpyxl parses the XML without entity expansion.
"""
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 100_000


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (not a row-level problem)."""


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[tuple[int, dict]]  # (spreadsheet row number, {column: text})


def _normalise_header(values) -> list[str]:
    return [str(value or "").strip().lower().lstrip("\ufeff") for value in values]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetError(_("The workbook has too many parts to be a normal spreadsheet."))
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(_("The workbook expands to more than 200 MB; it is refused."))
    if "[Content_Types].xml" not in archive.namelist():
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook."))


def _read_xlsx(data: bytes) -> Sheet:
    import defusedxml  # noqa: F401  openpyxl uses it for parsing when it is importable
    from openpyxl import load_workbook

    _check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc
    try:
        worksheet = workbook.worksheets[0]
        iterator = worksheet.iter_rows(values_only=True)
        header = _normalise_header(next(iterator, ()))
        rows = []
        for number, values in enumerate(iterator, start=2):
            if number > MAX_ROWS + 1:
                raise SpreadsheetError(_("The file has more than %(max)s rows.") % {
                    "max": MAX_ROWS})
            texts = [_cell_text(value) for value in values]
            if not any(texts):
                continue
            rows.append((number, dict(zip(header, texts))))
    finally:
        workbook.close()
    return Sheet(header=header, rows=rows)


def _read_csv(data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(_("The CSV file is not UTF-8 text.")) from exc
    if "\x00" in text:
        raise SpreadsheetError(_("The CSV file is not text."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = _normalise_header(next(reader, []))
    rows = []
    for number, values in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            raise SpreadsheetError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
        texts = [value.strip() for value in values]
        if not any(texts):
            continue
        rows.append((number, dict(zip(header, texts))))
    return Sheet(header=header, rows=rows)


def read_sheet(data: bytes, filename: str) -> Sheet:
    """Read the first sheet of an .xlsx or a .csv given as bytes."""
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetError(_("The file is larger than 20 MB."))
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(data)
    if suffix == ".csv":
        return _read_csv(data)
    raise SpreadsheetError(_("Only .xlsx and .csv files can be imported."))
