"""Table sheets that print: every export builds its sheets here and sets nothing by hand.

District staff attach these workbooks to letters and print them for meetings, so a sheet must
read on paper on its own: a title block saying what it is, for whom, which round and
methodology, whether the figures are official or a projection, when and by whom it was made;
the table fitted to one page wide (landscape when it is wide), its header row repeated on every
page, "page X of Y" in the footer, columns as wide as their header and contents (long text
wraps, and the row is made tall enough for it), scores with two decimals, and zones written
out in the coloured cell (colour alone is lost on a grey printer and to colour-blind readers).

Widths are measured, not set by hand: the header (bold, plus the filter button) and the first
``MEASURED_ROWS`` rows give each column its width, so a streamed national workbook keeps flat
memory. Text columns give up width (and wrap) until the table fits a landscape page at a
readable scale; numbers never wrap. Row heights are computed here too: Excel and LibreOffice do
not grow a row for wrapped text when a file is opened, so an unset height prints overlapping
lines.

Lengths are counted for LibreOffice's fallback font (DejaVu Sans), which is wider than
Calibri: a width that fits there fits in Excel.
"""
import datetime
import functools
import getpass
import math
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from compliance.models import Zone

from .writing import ZONE_FILLS, cell, clean_text

SCORE_FORMAT = "0.00"
CHANGE_FORMAT = "+0.00;-0.00;0.00"
MEASURED_ROWS = 500
TITLE_ROWS = 4  # title, sheet and round, status, made on/by; the table header follows
A4 = 9  # openpyxl's paperSize code

# Column widths are in Excel's unit, the width of a digit of the default font. Text is measured
# with the advance widths of DejaVu Sans (LibreOffice's stand-in for Calibri, and wider than
# it) relative to its digit, so what fits there fits in Excel. Bold is about 12 % wider.
CHAR_WIDTHS = {
    **dict.fromkeys("ijlI J", 0.46), **dict.fromkeys(".,", 0.5), " ": 0.5,
    **dict.fromkeys(":;/", 0.53), "f": 0.55, "-": 0.57, **dict.fromkeys("()", 0.61), "t": 0.62,
    "r": 0.65, **dict.fromkeys("sz", 0.82), "c": 0.86, **dict.fromkeys("kvxy", 0.93),
    **dict.fromkeys("ae", 0.97), "w": 1.29, **dict.fromkeys("MW", 1.45), "m": 1.53,
}
WIDEST_CHAR = 1.53
BOLD, TITLE = 1.12, 1.45  # bold text, and the 14-point bold title, against plain text
PAD, FILTER_BUTTON = 2, 2.5  # air around a cell's text; the filter button on a header
# Checked against LibreOffice on the 96 indicator texts at widths 12 to 40: it never needs more
# lines than this estimate (with WRAP_PAD), and rarely one fewer.
WRAP_PAD = 1.0
SHORT_TEXT = 10  # codes, zones, categories: never wrapped
TEXT_MAX, TEXT_MIN = 48, 14  # text wraps beyond TEXT_MAX, and never gets narrower than TEXT_MIN
PORTRAIT_MAX = 95  # what A4 portrait holds at full size within the margins
LANDSCAPE_BUDGET = 175  # what A4 landscape holds at a readable scale (about 80 %)
LINE_HEIGHT, TITLE_LINE_HEIGHT, MAX_ROW_HEIGHT = 15, 20, 409  # points; 409 is Excel's limit

# The font is named: a bold font without a name prints in a serif face in LibreOffice.
FONT = "Calibri"
HEADER_FONT = Font(name=FONT, bold=True)
TITLE_FONT = Font(name=FONT, bold=True, size=14)
PLAIN_FONT = Font(name=FONT)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
# Wrapped cells keep the default bottom alignment of their row's other cells: aligning those
# too would cost a style per cell, and a national workbook has 300,000.
WRAP = Alignment(wrap_text=True)


@dataclass(frozen=True)
class ReportTitle:
    """What every sheet of one workbook says about itself, on screen and on paper."""

    title: str  # what it is and for whom
    details: str  # round and methodology ("" when there is no round)
    status: str  # official results or a projection (for a template: that it is one)
    made_by: str
    made_at: datetime.datetime

    @property
    def made_line(self) -> str:
        when = timezone.localtime(self.made_at).strftime("%Y-%m-%d %H:%M %Z")
        return _("Made on %(date)s by %(name)s") % {"date": when, "name": self.made_by}


def report_title(title, *, round_=None, status="", made_by="") -> ReportTitle:
    details = ""
    if round_ is not None:
        name = round_.name if str(round_.year) in round_.name else f"{round_.name} {round_.year}"
        details = _("%(round)s, methodology: %(methodology)s") % {
            "round": name, "methodology": round_.methodology.name}
    return ReportTitle(title=str(title), details=details, status=str(status),
                       made_by=made_by or command_line_user(), made_at=timezone.now())


def result_status(round_, *, verified: bool) -> str:
    """Whether the figures of a round are official results or a projection."""
    if round_.is_official:
        return _("Official results published by the Ombudsman (imported).")
    if round_.is_published:
        return _("Official results: verified scores of the published round.")
    if verified:
        return _("Projection: verified scores so far; the round is not published yet.")
    return _("Projection: self-assessment scores, not yet verified by the Ombudsman.")


def display_name(user) -> str:
    """Who asked for the file, as the title block names them."""
    if user is None or not user.is_authenticated:
        return _("a visitor (not logged in)")
    return user.get_full_name() or user.get_username()


def command_line_user() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        name = "?"
    return _("%(user)s on the command line") % {"user": name}


def zone_name(zone: str) -> str:
    return _zone_name(zone, get_language()) if zone else ""


@functools.lru_cache(maxsize=64)
def _zone_name(zone, language):  # a national workbook asks 300,000 times
    return str(Zone(zone).label)


def zone_cell(worksheet, zone: str):
    """The zone's name, on its colour."""
    return cell(worksheet, zone_name(zone), fill=ZONE_FILLS.get(zone))


def zone_score_cell(worksheet, score, zone: str):
    """A score on its zone's colour that shows the zone's name after it ("34.19 Merah") while
    staying a number: the name is part of the number format, not of the value."""
    if score is None or not zone:
        return cell(worksheet, score, number_format=SCORE_FORMAT)
    name = zone_name(zone).replace('"', "")
    return cell(worksheet, score, number_format=f'{SCORE_FORMAT}" {name}"',
                fill=ZONE_FILLS.get(zone))


def _text_of(item) -> str:
    """The text a cell shows, for measuring (numbers as their format prints them)."""
    value = item.value if isinstance(item, Cell) else item
    if value is None:
        return ""
    if isinstance(value, bool):
        return "FALSE"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "0000-00-00"
    if isinstance(value, (int, float)):
        fmt = item.number_format if isinstance(item, Cell) else "General"
        if "0.00" in fmt:
            text = f"{value:.2f}"
            suffix = fmt.split('"')[1] if fmt.count('"') >= 2 else ""
            return ("+" if "+" in fmt else "") + text + suffix
        return str(value)
    return str(value)


class _CharWidths(dict):
    def __missing__(self, char):
        width = 1.1 if char.isupper() else 1.0
        if char < "\u0250":  # Latin letters are remembered; the table stays small
            self[char] = width
        return width


_CHAR_WIDTH = _CharWidths(CHAR_WIDTHS)


def _width(text: str) -> float:
    return max(sum(map(_CHAR_WIDTH.__getitem__, line)) for line in text.split("\n"))


def _lines(text: str, capacity: float) -> int:
    """Lines of ``text`` wrapped at word boundaries into ``capacity`` digit widths (a word
    wider than that is broken, as spreadsheets do)."""
    capacity = max(capacity, 1.0)
    space = CHAR_WIDTHS[" "]
    total = 0
    for part in text.split("\n"):
        count, used = 1, 0.0
        for word in part.split(" "):
            width = _width(word)
            if width > capacity:
                pieces = math.ceil(width / capacity)
                count += (1 if used else 0) + pieces - 1
                used = width - (pieces - 1) * capacity
            elif used and used + space + width > capacity:
                count, used = count + 1, width
            else:
                used = used + space + width if used else width
        total += count
    return total


class _Columns:
    """Measured widths of a table, then fitted to a page."""

    def __init__(self, headers):
        self.headers = [str(h) for h in headers]
        self.count = len(self.headers)
        self.content = [0.0] * self.count
        self.text = [False] * self.count  # holds text that may wrap
        self.header = [max((_width(w) for w in h.split()), default=0) * BOLD + FILTER_BUTTON
                       for h in self.headers]

    def measure(self, row):
        for index, item in enumerate(row[:self.count]):
            text = _text_of(item)
            if not text:
                continue
            self.content[index] = max(self.content[index], _width(text) + PAD)
            if isinstance(item.value, str) and len(item.value) > SHORT_TEXT:
                self.text[index] = True

    def fit(self) -> list[int]:
        widths = []
        for index in range(self.count):
            width = max(self.header[index], self.content[index], 6)
            if self.text[index] and width > TEXT_MAX * 1.1:  # a little over: one line still
                width = max(TEXT_MAX, self.header[index])
            widths.append(math.ceil(width))
        while sum(widths) > LANDSCAPE_BUDGET:
            shrinkable = [i for i in range(self.count)
                          if self.text[i] and widths[i] > max(TEXT_MIN, self.header[i])]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            widths[widest] -= 1
        self.widths = widths
        return widths

    def wraps(self, index, item) -> bool:
        value = item.value
        if not (self.text[index] and isinstance(value, str)):
            return False
        if "\n" not in value and len(value) * WIDEST_CHAR + WRAP_PAD <= self.widths[index]:
            return False  # fits whatever its letters (the cheap test, for large exports)
        return "\n" in value or _width(value) + WRAP_PAD > self.widths[index]

    def lines(self, index, item, factor=1.0, reserve=WRAP_PAD) -> int:
        return _lines(_text_of(item), (self.widths[index] - reserve) / factor)


def _as_cell(worksheet, item):
    result = item if isinstance(item, Cell) else cell(worksheet, item)
    if (isinstance(result.value, float) and not isinstance(result.value, bool)
            and result.number_format == "General"):
        result.number_format = SCORE_FORMAT  # every non-integer figure with two decimals
    return result


def _header_footer_text(text: str, limit: int) -> str:
    text = clean_text(text).replace("\n", " ")
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("&", "&&")


def _page_setup(worksheet, report: ReportTitle, widths, header_row: int):
    worksheet.page_setup.paperSize = A4
    worksheet.page_setup.orientation = "portrait" if sum(widths) <= PORTRAIT_MAX else "landscape"
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    worksheet.page_margins.left = worksheet.page_margins.right = 0.4
    worksheet.page_margins.top = worksheet.page_margins.bottom = 0.7
    worksheet.page_margins.header = worksheet.page_margins.footer = 0.3
    worksheet.print_options.gridLines = True
    worksheet.print_title_rows = f"{header_row}:{header_row}"
    # Header and footer are not scaled with the table: short, small, and in sections that do
    # not run into each other on a portrait page. (A line break cannot be written: openpyxl
    # escapes it, and LibreOffice prints the escape.)
    header = worksheet.oddHeader.center
    header.text, header.size = _header_footer_text(report.title, 70) + " · &A", 9
    status = worksheet.oddFooter.left
    status.text, status.size = _header_footer_text(report.status, 70), 8
    page = worksheet.oddFooter.right
    page.text, page.size = _("Page &P of &N"), 9


def _title_block(worksheet, report, caption, widths):
    """Four rows above the table, each merged across its width and wrapped, so that the title
    prints inside the page however narrow the table is."""
    total = sum(widths)
    last = get_column_letter(len(widths))
    lines = [(report.title, TITLE_FONT, TITLE, TITLE_LINE_HEIGHT),
             (caption, HEADER_FONT, BOLD, LINE_HEIGHT),
             (report.status, HEADER_FONT, BOLD, LINE_HEIGHT),
             (report.made_line, PLAIN_FONT, 1.0, LINE_HEIGHT)]
    for row, (text, font, factor, height) in enumerate(lines, start=1):
        item = cell(worksheet, text)
        item.font, item.alignment = font, WRAP
        worksheet.row_dimensions[row].height = height * _lines(text, (total - WRAP_PAD) / factor)
        if len(widths) > 1:
            worksheet.merged_cells.add(f"A{row}:{last}{row}")
        worksheet.append([item])


def add_report_sheet(workbook, report: ReportTitle, name, headers, rows_for, *,
                     importable=False):
    """A print-ready table sheet. ``rows_for(worksheet)`` yields lists of cells or plain
    values (wrapped with ``writing.cell``); it gets the sheet so that styled cells can be bound
    to it in write-only mode. ``importable``: the header must be row 1, because the sheet is
    read back by an import (a template): the title then prints in the page header only."""
    worksheet = workbook.create_sheet(title=clean_text(name)[:31])
    workbook.properties.title = clean_text(report.title)[:250]
    workbook.properties.creator = clean_text(report.made_by)[:250]
    columns = _Columns(headers)
    rows = iter(rows_for(worksheet))  # measured from the first rows, then streamed on
    buffered = []
    for row in rows:
        row = [_as_cell(worksheet, item) for item in row]
        columns.measure(row)
        buffered.append(row)
        if len(buffered) >= MEASURED_ROWS:
            break
    widths = columns.fit()
    for index, width in enumerate(widths, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = width

    header_row = 1 if importable else TITLE_ROWS + 1
    _page_setup(worksheet, report, widths, header_row)
    worksheet.freeze_panes = f"A{header_row + 1}"
    if not importable:
        caption = " · ".join(part for part in (str(name), report.details) if part)
        _title_block(worksheet, report, caption, widths)

    header_cells = []
    for text in columns.headers:
        item = cell(worksheet, text)
        item.font, item.fill, item.alignment = HEADER_FONT, HEADER_FILL, WRAP
        header_cells.append(item)
    header_lines = max((columns.lines(i, text, BOLD, FILTER_BUTTON)
                        for i, text in enumerate(columns.headers)), default=1)
    worksheet.row_dimensions[header_row].height = LINE_HEIGHT * header_lines + 2
    worksheet.append(header_cells)

    count = 0

    def write(row):
        wrapped = [columns.wraps(index, item) for index, item in enumerate(row[:columns.count])]
        lines = max((columns.lines(index, row[index]) for index, wraps in enumerate(wrapped)
                     if wraps), default=1)
        if lines > 1:
            for item, wraps in zip(row, wrapped):
                if wraps:
                    item.alignment = WRAP
            height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)
            worksheet.row_dimensions[header_row + count + 1].height = height
        worksheet.append(row)
        if workbook.write_only:  # written out at once: the height is not needed any more
            worksheet.row_dimensions.pop(header_row + count + 1, None)

    for row in buffered:
        write(row)
        count += 1
    for row in rows:
        write([_as_cell(worksheet, item) for item in row])
        count += 1
    if count == 0 and not importable:  # an empty table on paper says so
        write([cell(worksheet, _("None."))])
        count = 1
    last = get_column_letter(max(1, columns.count))
    worksheet.auto_filter.ref = f"A{header_row}:{last}{header_row + count}"
    return worksheet
