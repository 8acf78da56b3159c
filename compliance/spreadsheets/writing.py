"""Write workbooks safely: every user text as text, never as a formula.

A cell that starts with =, +, - or @ would be a live formula in Excel (formula injection): text
is always written as a string cell, and one that starts like a formula also gets Excel's own
"quote prefix" (the ' typed before =), so that editing the cell in Excel keeps it text. Control
characters make openpyxl fail and are removed (a line break from a browser's \r\n stays one
line break); a cell holds at most 32,767 characters as Excel counts them (UTF-16 units: an
emoji counts two).
"""
import datetime
import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

MAX_CELL_CHARS = 32_767
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\n")
ZONE_FILLS = {
    "red": PatternFill("solid", fgColor="F8696B"),
    "yellow": PatternFill("solid", fgColor="FFEB84"),
    "green": PatternFill("solid", fgColor="63BE7B"),
}
HEADER_FONT = Font(bold=True)
# Not allowed in XML either, and openpyxl would write them as an invalid character reference.
NOT_XML_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def clean_text(value) -> str:
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = NOT_XML_RE.sub("", ILLEGAL_CHARACTERS_RE.sub("", text))
    if len(text) > MAX_CELL_CHARS // 2:  # only then can it be too long in UTF-16 units
        units = text.encode("utf-16-le")[:2 * MAX_CELL_CHARS]
        text = units.decode("utf-16-le", "ignore")  # drops half an emoji cut at the end
    return text


def cell(worksheet, value, *, fill=None, bold=False, number_format=None):
    """A write-only cell: numbers stay numbers, text is forced to text."""
    if value is None:
        result = WriteOnlyCell(worksheet, value=None)
    elif isinstance(value, (bool, datetime.date)):
        result = WriteOnlyCell(worksheet, value=value)
        if isinstance(value, datetime.date):
            result.number_format = "yyyy-mm-dd"
    elif isinstance(value, (int, float, Decimal)):
        result = WriteOnlyCell(worksheet, value=float(value) if isinstance(value, Decimal)
                               else value)
        if number_format:
            result.number_format = number_format
    else:
        text = clean_text(value)
        result = WriteOnlyCell(worksheet, value=text)
        result.data_type = "s"
        if text.startswith(FORMULA_PREFIXES):
            result.quotePrefix = True
    if fill is not None:
        result.fill = fill
    if bold:
        result.font = HEADER_FONT
    return result


def new_workbook(*, in_memory=False):
    """Write-only (rows streamed through a temporary file per sheet, flat memory) for the large
    exports; ``in_memory`` for the small ones made by the hundred (the leaders' periodic
    reports), where creating and removing four temporary files costs more than the rows."""
    if in_memory:
        workbook = Workbook()
        workbook.remove(workbook.active)
        return workbook
    return Workbook(write_only=True)


def to_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
