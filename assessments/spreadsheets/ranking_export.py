"""The ranking workbook, shared by the web download and ``manage.py export_ranking``."""
from django.utils.translation import gettext as _

from compliance.spreadsheets.writing import (ZONE_FILLS, add_table_sheet, cell, new_workbook,
                                             to_bytes)

SCORE_FORMAT = "0.00"
WIDTHS = [8, 34, 18, 24, 10, 10, 10, 22, 30, 14, 10]


def ranking_headers():
    return [_("Rank"), _("Government"), _("Level"), _("Province"), _("Score"), _("Category"),
            _("Zone"), _("Label"), _("Published rank"), _("Previous score"), _("Change")]


def ranking_workbook(ranking) -> bytes:
    """One row per government: rank, name, level, score, category, zone (filled with its
    colour), previous score and change; "not assessed" governments last, without a rank."""

    def rows_for(worksheet):
        for row in ranking.rows:
            yield [
                row.rank, row.government.name, row.government.get_level_display(),
                row.government.province.name,
                cell(worksheet, row.score, number_format=SCORE_FORMAT),
                row.category, cell(worksheet, row.zone_display, fill=ZONE_FILLS.get(row.zone)),
                row.label, row.published_rank,
                cell(worksheet, row.previous_score, number_format=SCORE_FORMAT),
                cell(worksheet, row.change, number_format=SCORE_FORMAT),
            ]
        for result in ranking.not_assessed:
            yield [None, result.government.name, result.government.get_level_display(),
                   result.government.province.name, None, "", "", _("Not assessed"),
                   result.not_assessed_reason, None, None]

    workbook = new_workbook()
    add_table_sheet(workbook, _("Ranking"), ranking_headers(), WIDTHS, rows_for)
    return to_bytes(workbook)
