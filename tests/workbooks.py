"""Reading the exports' tables back: a table starts below its title block, at the header row
the sheet freezes (the row that is also repeated on every printed page)."""
from openpyxl.utils.cell import coordinate_from_string


def header_row(worksheet) -> int:
    _column, row = coordinate_from_string(worksheet.freeze_panes)
    return row - 1


def table(worksheet, values_only=True) -> list:
    """The header row and the rows below it."""
    return list(worksheet.iter_rows(min_row=header_row(worksheet), values_only=values_only))
