"""Read an uploaded .csv or .xlsx into plain rows, refusing what should never be parsed.

Checks happen before parsing: file size, that an .xlsx is a real zip archive with a sane
number of members and uncompressed size (openpyxl has no zip-bomb guard), and one streaming
pass over every part that refuses XML document type declarations (no spreadsheet has one; they
carry entity tricks) and counts cells and shared strings, because a small part of tiny elements
(``<c/>`` × millions) costs openpyxl minutes and gigabytes although it is well under the size
limit. defusedxml must also be active in openpyxl, as the second line of defence.

While reading, the sheet's declared dimension is ignored, data past ``MAX_COLUMNS`` is refused
(openpyxl pads every row to the last column a cell names, up to 16,384), a formula cell is
refused with its sheet, row and column (even with a cached result), and whatever openpyxl
or the csv module raise on a damaged file becomes a ``SpreadsheetError``: a message for the
user, never a server error.
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
MAX_COLUMNS = 200
MAX_CELLS = 1_000_000  # cells in the sheets, and entries in the shared-string table
SCAN_CHUNK = 1024 * 1024
MAX_TAG_GAP = 1024 * 1024  # a real part never runs this long without a ">"
DTD_MARKERS = tuple(marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY")
                    for encoding in ("ascii", "utf-16-le", "utf-16-be"))
XML_SUFFIXES = (".xml", ".rels", ".vml")
# <c> is a cell of a sheet, <si> an entry of the shared-string table, with or without a
# namespace prefix; counted with bytes.count (a regex allocates per match: far too slow).
TAG_LEADS = (b"<", b":")
TAG_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")


def _count_tags(data: bytes, name: bytes) -> int:
    return sum(data.count(lead + name + end) for lead in TAG_LEADS for end in TAG_ENDS)


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


def _scan_member(archive, member) -> tuple[int, int]:
    """Stream one part: refuse a DTD (in UTF-8 or UTF-16, whatever the part's name: openpyxl
    parses what the relationships point at) and, in an XML part, a NUL byte (UTF-8 XML has
    none); return the part's (cells, shared strings). An XML part is cut after the last ">",
    so that no tag is split between two chunks and counted twice or not at all."""
    xml = member.filename.lower().endswith(XML_SUFFIXES)
    cells = strings = 0
    carry = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(SCAN_CHUNK)
            window = carry + chunk
            if any(marker in window for marker in DTD_MARKERS):
                raise SpreadsheetError(_(
                    "The workbook contains an XML document type declaration (DOCTYPE or "
                    "ENTITY), which a spreadsheet never has; it is refused."))
            if xml and b"\x00" in window:
                raise SpreadsheetError(_("The file is not a valid .xlsx workbook."))
            if not chunk:
                cut = len(window)
            elif xml:
                cut = window.rfind(b">") + 1
            else:  # keep enough to find a marker that straddles two chunks
                cut = max(0, len(window) - 32)
            done, carry = window[:cut], window[cut:]
            if len(carry) > MAX_TAG_GAP:
                raise SpreadsheetError(_("The file is not a valid .xlsx workbook."))
            cells += _count_tags(done, b"c")
            strings += _count_tags(done, b"si")
            if cells > MAX_CELLS or strings > MAX_CELLS:
                raise SpreadsheetError(_(
                    "The workbook has more than %(max)s cells; split it into smaller files.")
                    % {"max": MAX_CELLS})
            if not chunk:
                return cells, strings


def _check_zip(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, and more for a damaged central directory
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetError(_("The workbook has too many parts to be a normal spreadsheet."))
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(_("The workbook expands to more than 200 MB; it is refused."))
    if "[Content_Types].xml" not in archive.namelist():
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook."))
    cells = strings = 0
    for member in members:
        if member.is_dir():
            continue
        try:  # zipfile stops at the declared size and checks the CRC: a lying header fails
            member_cells, member_strings = _scan_member(archive, member)
        except SpreadsheetError:
            raise
        except Exception as exc:  # bad CRC, broken deflate data, encrypted, unknown method
            raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc
        cells, strings = cells + member_cells, strings + member_strings
        if cells > MAX_CELLS or strings > MAX_CELLS:
            raise SpreadsheetError(_(
                "The workbook has more than %(max)s cells; split it into smaller files.")
                % {"max": MAX_CELLS})


def _open_xlsx(data: bytes):
    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # e.g. OPENPYXL_DEFUSEDXML=False in the environment: fail closed
        raise SpreadsheetError(_("The server cannot read .xlsx files safely at the moment; "
                                 "save the sheet as .csv and import that."))
    _check_zip(data)
    try:  # data_only=False: a formula cell then says so (data type "f") instead of
        # passing off its cached result, which the file's author may have written by hand
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc


def _read_worksheet(worksheet) -> Sheet:
    worksheet.reset_dimensions()  # the declared size may be a lie; never pad rows to it
    iterator = worksheet.iter_rows()
    first = _values(worksheet, next(iterator, ()))
    _check_width(first)
    header = _normalise_header(first[:MAX_COLUMNS])
    rows = []
    for number, cells in enumerate(iterator, start=2):
        if number > MAX_ROWS + 1:
            raise SpreadsheetError(_("The file has more than %(max)s rows.") % {
                "max": MAX_ROWS})
        values = _values(worksheet, cells)
        if values.count(None) == len(values):  # cheap: a sheet may skip to row 1,048,576
            continue
        _check_width(values)
        texts = [_cell_text(value) for value in values[:MAX_COLUMNS]]
        if any(texts):
            rows.append((number, _row_dict(header, texts)))
    return Sheet(header=header, rows=rows)


def _read_xlsx(data: bytes, every_sheet=False):
    workbook = _open_xlsx(data)
    try:
        if every_sheet:
            return {worksheet.title: _read_worksheet(worksheet)
                    for worksheet in workbook.worksheets}
        if not workbook.worksheets:
            raise SpreadsheetError(_("The file is not a valid .xlsx workbook."))
        return _read_worksheet(workbook.worksheets[0])
    except SpreadsheetError:
        raise
    except Exception as exc:  # damaged XML or a bad reference deep in the sheet
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook.")) from exc
    finally:
        workbook.close()


def _values(worksheet, cells) -> tuple:
    """The cells' values; a formula is refused, also one that carries a cached result: what
    the file shows is then not necessarily what its formula computes, and the import would take
    a number nobody typed."""
    for cell in cells:
        if cell.data_type == "f":
            raise SpreadsheetError(_(
                "Sheet %(sheet)s, row %(row)s, column %(column)s holds a formula. Formulas are "
                "not imported: replace them with their values (copy, then Paste Special > "
                "Values) and import the file again.") % {
                    "sheet": worksheet.title, "row": cell.row, "column": cell.column_letter})
    return tuple(cell.value for cell in cells)


def _check_width(values) -> None:
    """Refuse data past ``MAX_COLUMNS`` (a row is as wide as its last cell, up to 16,384)."""
    if len(values) > MAX_COLUMNS and any(value not in (None, "")
                                         for value in values[MAX_COLUMNS:]):
        raise SpreadsheetError(_("The sheet has data beyond column %(max)s.") % {
            "max": MAX_COLUMNS})


def _row_dict(header: list[str], texts: list[str]) -> dict:
    """{column: text}; a value in a column without a heading (also past the last heading)
    is kept under "" so that an import can point at it."""
    row = dict(zip(header, texts))
    stray = next((text for index, text in enumerate(texts)
                  if text and (index >= len(header) or not header[index])), None)
    if stray is not None:
        row[""] = stray
    return row


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
    # newline="": the csv module handles \r, \r\n and line breaks inside quoted cells itself.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    try:
        first = next(reader, [])
        _check_width(first)
        header = _normalise_header(first[:MAX_COLUMNS])
        for number, values in enumerate(reader, start=2):
            if number > MAX_ROWS + 1:
                raise SpreadsheetError(_("The file has more than %(max)s rows.") % {
                    "max": MAX_ROWS})
            _check_width(values)
            texts = [value.strip() for value in values[:MAX_COLUMNS]]
            if any(texts):
                rows.append((number, _row_dict(header, texts)))
    except csv.Error as exc:  # a cell over the csv module's limit, a stray quote, ...
        raise SpreadsheetError(_(
            "Row %(row)s of the CSV file cannot be read: a cell is too long or its quotes "
            "do not match.") % {"row": max(reader.line_num, 1)}) from exc
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


def read_workbook(data: bytes, filename: str) -> dict[str, Sheet]:
    """Read every sheet of an .xlsx given as bytes: {sheet title: Sheet}. The same checks as
    ``read_sheet`` (size, zip, DTD, cell counts, formulas) apply to the whole workbook."""
    if len(data) > MAX_FILE_BYTES:
        raise SpreadsheetError(_("The file is larger than 20 MB."))
    if Path(filename).suffix.lower() != ".xlsx":
        raise SpreadsheetError(_("Only .xlsx files can be imported here."))
    return _read_xlsx(data, every_sheet=True)
