"""The full round workbook for a government or a province: summary (score, zone, rank, trend),
ranking, units × components with zone colours, findings and action plans, and the raw answers
with evidence links. Write-only openpyxl: rows are streamed, memory stays flat."""
from django.utils.translation import gettext as _

from compliance.specs import methodology_spec
from compliance.spreadsheets.writing import (ZONE_FILLS, add_table_sheet, cell, new_workbook,
                                             to_bytes)

from ..selectors.rankings import zone_display
from ..selectors.round_report import (component_matrix, findings_and_actions, raw_answers,
                                      report_scope)
from .ranking_export import SCORE_FORMAT


def _score(ws, value):
    return cell(ws, value, number_format=SCORE_FORMAT)


def _zone(ws, zone):
    return cell(ws, zone_display(zone), fill=ZONE_FILLS.get(zone))


def round_workbook(*, round_, governments, ranking_, history, verified: bool,
                   evidence_url, agency_ids=None) -> bytes:
    """``verified``: include verified values and findings (published round, or a reader who
    may see them). ``agency_ids``: only these agencies' units (None: all of the governments').
    ``evidence_url(evidence)`` gives the scoped download address of a file."""
    spec = methodology_spec(round_.methodology_id)
    workbook = new_workbook()
    results = {row.government.id: row for row in ranking_.rows} if ranking_ else {}
    years = sorted({row.round.year for rows in history.values() for row in rows})

    def summary(ws):
        for government in governments:
            row = results.get(government.id)
            trend = {h.round.year: h.score for h in history.get(government.id, [])}
            yield [government.name, government.get_level_display(), government.province.name,
                   _score(ws, row.score if row else None), row.category if row else "",
                   _zone(ws, row.zone if row else ""), row.rank if row else None,
                   row.previous_score if row else None, row.change if row else None,
                   *[_score(ws, trend.get(year)) for year in years]]

    add_table_sheet(workbook, _("Summary"), [
        _("Government"), _("Level"), _("Province"), _("Score"), _("Category"), _("Zone"),
        _("Rank in the peer group"), _("Previous score"), _("Change"),
        *[str(year) for year in years]], [34, 14, 22, 10, 10, 10, 12, 12, 10] + [9] * len(years),
        summary)

    if ranking_:
        def ranking_rows(ws):
            for row in ranking_.rows:
                yield [row.rank, row.government.name, row.government.get_level_display(),
                       _score(ws, row.score), row.category, _zone(ws, row.zone), row.label,
                       _score(ws, row.previous_score), _score(ws, row.change)]
        add_table_sheet(workbook, _("Ranking"), [
            _("Rank"), _("Government"), _("Level"), _("Score"), _("Category"), _("Zone"),
            _("Label"), _("Previous score"), _("Change")], [8, 34, 14, 10, 10, 10, 22, 12, 10],
            ranking_rows)

    assessments = report_scope(round_, governments, agency_ids)
    components, cells = component_matrix(assessments, verified)

    def matrix(ws):
        for assessment in assessments:
            score = assessment.verified_score if verified else assessment.self_score
            band = spec.band(score)
            yield [assessment.agency.government.name, assessment.agency.name,
                   _("Yes") if assessment.sampled else _("No"), _score(ws, score),
                   _zone(ws, band.zone if band else ""),
                   *[cell(ws, cells[assessment.id].get(c.id), number_format=SCORE_FORMAT,
                          fill=ZONE_FILLS.get(getattr(spec.band(cells[assessment.id].get(c.id)),
                                                      "zone", "")))
                     for c in components]]

    add_table_sheet(workbook, _("Units x components"), [
        _("Government"), _("Unit"), _("Sampled"), _("Score"), _("Zone"),
        *[f"{c.letter}. {c.name_id}" for c in components]], [30, 40, 9, 10, 10] + [12] * 14,
        matrix)

    findings, actions = findings_and_actions(assessments)

    def findings_rows(ws):
        if verified:
            for answer in findings:
                yield [_("Finding"), answer.assessment.agency.name,
                       f"{answer.indicator.component.letter}{answer.indicator.order}",
                       answer.indicator.text_id, answer.finding, "", None, ""]
        for action in actions:
            code = ""
            if action.source_answer:
                indicator = action.source_answer.indicator
                code = f"{indicator.component.letter}{indicator.order}"
            elif action.component:
                code = action.component.letter
            yield [_("Action"), action.agency.name, code, "", action.title, action.owner,
                   action.due_date, action.get_status_display()]

    add_table_sheet(workbook, _("Findings and actions"), [
        _("Type"), _("Unit"), _("Indicator"), _("Indicator text"), _("Finding or action"),
        _("Owner"), _("Due date"), _("Status")], [12, 40, 10, 50, 60, 20, 12, 12],
        findings_rows)

    def answer_rows(ws):
        for assessment, indicator, answer, evidence in raw_answers(assessments):
            links = " | ".join(evidence_url(item) if item.kind == "file" else item.url
                               for item in evidence)
            row = [assessment.agency.government.name, assessment.agency.name,
                   f"{indicator.component.letter}{indicator.order}", indicator.text_id,
                   answer.value if answer else None,
                   _("Yes") if answer and answer.not_applicable else "",
                   answer.note if answer else "", links]
            if verified:
                row += [answer.verified_value if answer else None,
                        answer.finding if answer else ""]
            yield row

    headers = [_("Government"), _("Unit"), _("Indicator"), _("Indicator text"), _("Value"),
               _("Not applicable"), _("Note"), _("Evidence")]
    if verified:
        headers += [_("Verified value"), _("Finding")]
    add_table_sheet(workbook, _("Answers"), headers, [30, 40, 10, 50, 8, 10, 40, 60, 10, 50],
                    answer_rows)
    return to_bytes(workbook)
