"""The full round workbook for a government or a province: the summary a leader asks for first
(score, category and zone, rank in the peer group, change since last year, weakest components,
trend), ranking, units × components with zone colours, findings and action plans, and the raw
answers with evidence links. Write-only openpyxl: rows are streamed, memory stays flat.

Before publication the summary shows the projection the pages show (the mean of the sampled
units' scores, self or verified as this reader may see them), and the title block says so."""
from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compliance.scoring import change, government_score, rank
from compliance.specs import methodology_spec

from ..selectors.dashboard import weakest_components
from ..selectors.instruments import indicator_code
from ..selectors.round_report import (component_matrix, findings_and_actions, raw_answers,
                                      report_scope)
from compliance.spreadsheets.print_setup import (CHANGE_FORMAT, SCORE_FORMAT, add_report_sheet, report_title,
                          result_status, zone_cell, zone_score_cell)
from compliance.spreadsheets.writing import cell, new_workbook, to_bytes


def _score(ws, value):
    return cell(ws, value, number_format=SCORE_FORMAT)


def _peer_ranks(ranking_):
    """government id -> (rank, peers): ranked within its level, whatever group was asked."""
    by_level = defaultdict(list)
    for row in ranking_.rows if ranking_ else []:
        by_level[row.government.level].append(row)
    result = {}
    for rows in by_level.values():
        for ranked in rank((r.government.id, r.government.name, r.score) for r in rows):
            result[ranked.key] = (ranked.rank, len(rows))
    return result


def _weakest_text(items):
    return "; ".join(f"{component.letter}. {component.name} ({score:.2f})"
                     for component, score in items)


def _title(round_, governments, verified, made_by):
    if len(governments) == 1:
        where = governments[0].name
    else:
        where = _("%(province)s, all governments") % {
            "province": governments[0].province.name if governments else ""}
    return report_title(_("Compliance round report: %(where)s") % {"where": where},
                        round_=round_, status=result_status(round_, verified=verified),
                        made_by=made_by)


def round_workbook(*, round_, governments, ranking_, history, verified: bool,
                   evidence_url, made_by="", agency_ids=None) -> bytes:
    """``verified``: include verified values and findings (published round, or a reader who
    may see them). ``agency_ids``: only these agencies' units (None: all of the governments').
    ``evidence_url(evidence)`` gives the scoped download address of a file."""
    spec = methodology_spec(round_.methodology_id)
    report = _title(round_, governments, verified, made_by)
    workbook = new_workbook()
    results = {row.government.id: row for row in ranking_.rows} if ranking_ else {}
    peer_ranks = _peer_ranks(ranking_)
    years = sorted({row.round.year for rows in history.values() for row in rows})
    assessments = report_scope(round_, governments, agency_ids)
    components, cells = component_matrix(assessments, verified)
    weakest = weakest_components(assessments, components, cells)
    field = "verified_score" if verified else "self_score"
    projected = defaultdict(list)
    for assessment in assessments:
        if assessment.sampled:
            projected[assessment.agency.government_id].append(getattr(assessment, field))

    def summary(ws):
        for government in governments:
            row = results.get(government.id)
            past = [h for h in history.get(government.id, []) if h.round.year < round_.year
                    and h.score is not None]
            if row is not None:
                score, category, zone = row.score, row.category, row.zone
                previous, difference = row.previous_score, row.change
            else:
                score = None if round_.is_published else government_score(
                    projected.get(government.id, []))
                band = spec.band(score)
                category, zone = (band.category, band.zone) if band else ("", "")
                previous = past[-1].score if past else None
                difference = change(score, previous)
            position, peers = peer_ranks.get(government.id, (None, None))
            group = _("%(level)s in %(province)s") % {
                "level": government.get_level_display(), "province": government.province.name}
            if peers:
                group = ngettext("%(group)s (%(count)s government)",
                                 "%(group)s (%(count)s governments)", peers) % {
                    "group": group, "count": peers}
            trend = {h.round.year: h.score for h in history.get(government.id, [])}
            yield [government.name, government.get_level_display(),
                   _score(ws, score), category, zone_cell(ws, zone), position, group,
                   _score(ws, previous), cell(ws, difference, number_format=CHANGE_FORMAT),
                   _weakest_text(weakest.get(government.id, [])),
                   *[_score(ws, trend.get(year)) for year in years]]

    add_report_sheet(workbook, report, _("Summary"), [
        _("Government"), _("Level"), _("Score"), _("Category"), _("Zone"), _("Rank"),
        _("Peer group"), _("Previous score"), _("Change"), _("Weakest components"),
        *[str(year) for year in years]], summary)

    if ranking_:
        def ranking_rows(ws):
            for row in ranking_.rows:
                yield [row.rank, row.government.name, row.government.get_level_display(),
                       _score(ws, row.score), row.category, zone_cell(ws, row.zone), row.label,
                       _score(ws, row.previous_score),
                       cell(ws, row.change, number_format=CHANGE_FORMAT)]
        add_report_sheet(workbook, report, _("Ranking"), [
            _("Rank"), _("Government"), _("Level"), _("Score"), _("Category"), _("Zone"),
            _("Label"), _("Previous score"), _("Change")], ranking_rows)

    def matrix(ws):
        for assessment in assessments:
            score = getattr(assessment, field)
            band = spec.band(score)
            flag = _("without survey") if verified and assessment.without_survey else ""
            yield [assessment.agency.government.name, assessment.agency.name,
                   _("Yes") if assessment.sampled else _("No"), _score(ws, score),
                   zone_cell(ws, band.zone if band else ""),
                   *[zone_score_cell(ws, value, getattr(spec.band(value), "zone", ""))
                     for value in (cells[assessment.id].get(c.id) for c in components)],
                   flag]

    add_report_sheet(workbook, report, _("Units x components"), [
        _("Government"), _("Unit"), _("Sampled"), _("Score"), _("Zone"),
        *[f"{c.letter}. {c.name}" for c in components], _("Survey")], matrix)

    findings, actions = findings_and_actions(assessments)

    def findings_rows(ws):
        if verified:
            for answer in findings:
                yield [_("Finding"), answer.assessment.agency.name,
                       indicator_code(answer.indicator),
                       answer.indicator.text, answer.finding, "", None, ""]
        for action in actions:
            code = ""
            if action.source_answer:
                indicator = action.source_answer.indicator
                code = indicator_code(indicator)
            elif action.component:
                code = action.component.letter
            yield [_("Action"), action.agency.name, code, "", action.title, action.owner,
                   action.due_date, action.get_status_display()]

    add_report_sheet(workbook, report, _("Findings and actions"), [
        _("Type"), _("Unit"), _("Indicator"), _("Indicator text"), _("Finding or action"),
        _("Owner"), _("Due date"), _("Status")], findings_rows)

    def answer_rows(ws):
        for assessment, indicator, answer, evidence in raw_answers(assessments):
            links = " | ".join(evidence_url(item) if item.kind == "file" else item.url
                               for item in evidence)
            row = [assessment.agency.government.name, assessment.agency.name,
                   indicator_code(indicator), indicator.text,
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
    add_report_sheet(workbook, report, _("Answers"), headers, answer_rows)
    return to_bytes(workbook)
