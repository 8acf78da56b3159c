"""What an import reports when rows are wrong: every problem with its row, column and reason.

Shared by the agency import and the official-results import, so that both reject a file the same
way and the views and commands show one kind of error.
"""
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    sheet: str = ""  # set by imports that read several sheets of one workbook

    def __str__(self):
        if self.sheet:
            return _("sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % {
                "sheet": self.sheet, "row": self.row, "column": self.column,
                "message": self.message}
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row, "column": self.column, "message": self.message}


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors
