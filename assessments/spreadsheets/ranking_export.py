"""The ranking workbook, shared by the web download and ``manage.py export_ranking``."""
from django.utils.translation import gettext as _

from compliance.spreadsheets.print_setup import (CHANGE_FORMAT, SCORE_FORMAT, add_report_sheet, report_title,
                          result_status, zone_cell)
from compliance.spreadsheets.writing import cell, new_workbook, to_bytes


def ranking_headers(ranking):
    """The columns; a methodology without zones (PEKPPP) has none, its grade is the category and
    label; a change across a methodology change says so in its heading."""
    has_zones = ranking.has_zones
    change = _("Change (different methodologies)") if ranking.change_caveat else _("Change")
    return [_("Rank"), _("Government"), _("Level"), _("Province"), _("Score"), _("Category"),
            *([_("Zone")] if has_zones else []), _("Label"), _("Published rank"),
            _("Previous score"), change]


def ranking_title(ranking, made_by=""):
    where = ranking.province.name if ranking.province else _("Indonesia (national)")
    title = _("Compliance ranking %(year)s: %(where)s (%(group)s)") % {
        "year": ranking.round.year, "where": where, "group": ranking.group_label}
    status = " ".join(str(part) for part in (
        result_status(ranking.round, verified=True), ranking.partial_text(),
        ranking.methodology_caveat()) if part)
    return report_title(title, round_=ranking.round, made_by=made_by, status=status)


def _published_rank(text):
    """A published rank is free text from the source ("1 of 15 kabupaten"); a plain number is
    written as a number, so that it sorts and reads back as one."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else text


def ranking_workbook(ranking, *, made_by="") -> bytes:
    """One row per government: rank, name, level, score, category, zone (its name on its
    colour; no zone column for a methodology without zones), previous score and change; "not
    assessed" governments last, without a rank, with the reason."""
    zones = ranking.has_zones

    def rows_for(worksheet):
        for row in ranking.rows:
            yield [
                row.rank, row.government.name, row.government.get_level_display(),
                row.government.province.name,
                cell(worksheet, row.score, number_format=SCORE_FORMAT),
                row.category, *([zone_cell(worksheet, row.zone)] if zones else []),
                row.label, _published_rank(row.published_rank),
                cell(worksheet, row.previous_score, number_format=SCORE_FORMAT),
                cell(worksheet, row.change, number_format=CHANGE_FORMAT),
            ]
        for result in ranking.not_assessed:
            yield [None, result.government.name, result.government.get_level_display(),
                   result.government.province.name, None, "", *([""] if zones else []),
                   _("Not assessed"), result.not_assessed_reason, None, None]

    workbook = new_workbook()
    add_report_sheet(workbook, ranking_title(ranking, made_by), _("Ranking"),
                     ranking_headers(ranking), rows_for)
    return to_bytes(workbook)
