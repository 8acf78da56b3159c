"""One unit's rapor as a workbook: a summary row (with the weakest components), the
components and the indicators with the assessor's findings. Scores are numbers (two decimals
shown), zones are filled with their colour *and* written out, and every user text goes through
``cell`` so a finding that starts with "=" stays text."""
from django.utils.translation import gettext as _

from ..selectors.dashboard import WEAKEST
from compliance.spreadsheets.print_setup import (CHANGE_FORMAT, SCORE_FORMAT, add_report_sheet, report_title,
                          result_status, zone_cell)
from compliance.spreadsheets.writing import cell, new_workbook, to_bytes

GAP_FORMAT = CHANGE_FORMAT
VALUE_GAP_FORMAT = "+0;-0;0"


def summary_headers():
    return [_("Unit"), _("Government"), _("Verified score"), _("Category"), _("Zone"),
            _("Label"), _("Self-score"), _("Gap"), _("Weakest components"), _("Survey")]


def component_headers():
    return [_("Letter"), _("Component"), _("Self-score"), _("Verified score"), _("Gap"),
            _("Zone"), _("Label")]


def indicator_headers():
    return [_("Code"), _("Indicator"), _("Operator's value"), _("Verified value"), _("Gap"),
            _("Finding")]


def product_score_headers():
    return [_("Service product"), _("Dimension"), _("Self-score"), _("Verified score"),
            _("Gap")]


def _score(worksheet, value):
    return cell(worksheet, value, number_format=SCORE_FORMAT)


def _zone(worksheet, band):
    return zone_cell(worksheet, band.zone)


def _weakest(report) -> str:
    """The lowest verified component scores (the self-scores before any verification)."""
    side = "verified_score" if report.scores.verified_score is not None else "self_score"
    scored = [(getattr(row.scores, side), row.component) for row in report.components
              if getattr(row.scores, side) is not None]
    scored.sort(key=lambda item: (item[0], item[1].number))
    return "; ".join(f"{component.letter}. {component.name} ({score:.2f})"
                     for score, component in scored[:WEAKEST])


def _survey(worksheet, report):
    """The users' survey score, as the page shows it, or the reason there is none."""
    if report.without_survey:
        return _("without survey: %(reason)s") % {"reason": report.without_survey}
    return _score(worksheet, report.assessment.survey_score)


def _value(value, not_applicable):
    if not_applicable:
        return _("Not applicable")
    return value


def rapor_workbook(report, *, made_by="") -> bytes:
    assessment, scores = report.assessment, report.scores
    title = report_title(
        _("Unit rapor: %(unit)s, %(government)s") % {
            "unit": assessment.agency.name, "government": assessment.agency.government.name},
        round_=assessment.round, made_by=made_by,
        status=result_status(assessment.round, verified=True))

    def summary_rows(worksheet):
        yield [assessment.agency.name, assessment.agency.government.name,
               _score(worksheet, scores.verified_score), scores.verified_band.category,
               _zone(worksheet, scores.verified_band), scores.verified_band.label,
               _score(worksheet, scores.self_score),
               cell(worksheet, scores.gap, number_format=GAP_FORMAT), _weakest(report),
               _survey(worksheet, report)]

    def component_rows(worksheet):
        for row in report.components:
            yield [row.component.letter, row.component.name,
                   _score(worksheet, row.scores.self_score),
                   _score(worksheet, row.scores.verified_score),
                   cell(worksheet, row.scores.gap, number_format=GAP_FORMAT),
                   _zone(worksheet, row.scores.verified_band), row.scores.verified_band.label]

    def indicator_rows(worksheet):
        for line in report.indicators:
            yield [line.code, line.text, _value(line.value, line.not_applicable),
                   _value(line.verified_value, line.verified_not_applicable),
                   cell(worksheet, line.gap, number_format=VALUE_GAP_FORMAT), line.finding]

    def product_score_rows(worksheet):
        for row in [*report.products.rows, *report.products.means]:
            name = (f"{row.sample.order}. {row.sample.product.name}" if row.sample
                    else _("Mean over the products"))
            yield [name, row.name, _score(worksheet, row.scores.self_score),
                   _score(worksheet, row.scores.verified_score),
                   cell(worksheet, row.scores.gap, number_format=GAP_FORMAT)]

    workbook = new_workbook()
    add_report_sheet(workbook, title, _("Summary"), summary_headers(), summary_rows)
    add_report_sheet(workbook, title, _("Components"), component_headers(), component_rows)
    add_report_sheet(workbook, title, _("Findings"), indicator_headers(), indicator_rows)
    if report.products:
        add_report_sheet(workbook, title, _("Product scores"), product_score_headers(),
                         product_score_rows)
    return to_bytes(workbook)
