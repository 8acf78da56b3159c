"""One unit's rapor as a workbook: a summary row, the components and the indicators with the
assessor's findings. Scores are numbers (two decimals shown), zones are filled with their
colour *and* written out, and every user text goes through ``cell`` so a finding that starts
with "=" stays text."""
from django.utils.translation import gettext as _

from compliance.spreadsheets.writing import (ZONE_FILLS, add_table_sheet, cell, new_workbook,
                                             to_bytes)

SCORE_FORMAT = "0.00"
GAP_FORMAT = "+0.00;-0.00;0.00"
VALUE_GAP_FORMAT = "+0;-0;0"
SUMMARY_WIDTHS = [34, 28, 28, 14, 10, 12, 22, 12, 12]
COMPONENT_WIDTHS = [6, 44, 12, 12, 12, 12, 22]
INDICATOR_WIDTHS = [8, 60, 14, 14, 10, 60]


def summary_headers():
    return [_("Unit"), _("Government"), _("Round"), _("Verified score"), _("Category"),
            _("Zone"), _("Label"), _("Self-score"), _("Gap")]


def component_headers():
    return [_("Letter"), _("Component"), _("Self-score"), _("Verified score"), _("Gap"),
            _("Zone"), _("Label")]


def indicator_headers():
    return [_("Code"), _("Indicator"), _("Operator's value"), _("Verified value"), _("Gap"),
            _("Finding")]


def _score(worksheet, value):
    return cell(worksheet, value, number_format=SCORE_FORMAT)


def _zone(worksheet, band):
    return cell(worksheet, band.zone_display, fill=ZONE_FILLS.get(band.zone))


def _value(value, not_applicable):
    if not_applicable:
        return _("Not applicable")
    return value


def rapor_workbook(report) -> bytes:
    assessment, scores = report.assessment, report.scores

    def summary_rows(worksheet):
        yield [assessment.agency.name, assessment.agency.government.name, assessment.round.name,
               _score(worksheet, scores.verified_score), scores.verified_band.category,
               _zone(worksheet, scores.verified_band), scores.verified_band.label,
               _score(worksheet, scores.self_score),
               cell(worksheet, scores.gap, number_format=GAP_FORMAT)]

    def component_rows(worksheet):
        for row in report.components:
            yield [row.component.letter, row.component.name,
                   _score(worksheet, row.scores.self_score),
                   _score(worksheet, row.scores.verified_score),
                   cell(worksheet, row.scores.gap, number_format=GAP_FORMAT),
                   _zone(worksheet, row.scores.verified_band), row.scores.verified_band.label]

    def indicator_rows(worksheet):
        for line in report.indicators:
            yield [line.code, line.indicator.text, _value(line.value, line.not_applicable),
                   _value(line.verified_value, line.verified_not_applicable),
                   cell(worksheet, line.gap, number_format=VALUE_GAP_FORMAT), line.finding]

    workbook = new_workbook()
    add_table_sheet(workbook, _("Summary"), summary_headers(), SUMMARY_WIDTHS, summary_rows)
    add_table_sheet(workbook, _("Components"), component_headers(), COMPONENT_WIDTHS,
                    component_rows)
    add_table_sheet(workbook, _("Findings"), indicator_headers(), INDICATOR_WIDTHS,
                    indicator_rows)
    return to_bytes(workbook)
