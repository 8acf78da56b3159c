"""The national workbook of one round: every government with its mock (or verified) score, and
every unit with its score and its 14 component scores, coloured by zone (the heat-map of the
dashboards, for the whole country).

Built for ~20,000 units × 14 components in flat memory: a write-only workbook streamed to a file,
a fixed number of queries (component scores read through a server-side cursor into compact
integer arrays), and band lookups cached per score.
"""
from array import array
from decimal import Decimal

from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Level
from compliance.models import Component
from compliance.scoring import government_score
from compliance.specs import methodology_spec

from ..models import Assessment, ComponentScore, Round
from compliance.spreadsheets.print_setup import (SCORE_FORMAT, add_report_sheet, report_title, result_status,
                          zone_cell, zone_score_cell)
from compliance.spreadsheets.writing import cell, new_workbook

NONE = -1


def latest_round() -> Round | None:
    """The newest round that has checklists (the one a national export is asked for)."""
    return (Round.objects.filter(assessments__isnull=False).select_related("methodology")
            .order_by("-year", "-id").first())


class _Bands:
    """Band lookups cached by score: 270,000 cells share a few thousand distinct scores."""

    def __init__(self, spec):
        self.spec = spec
        self.cache = {}

    def __call__(self, score):
        if score is None:
            return None
        band = self.cache.get(score)
        if band is None and score not in self.cache:
            band = self.cache[score] = self.spec.band(score)
        return band


def _component_scores(round_, field, components):
    """assessment id -> array of component scores in hundredths (NONE for no score)."""
    position = {component.id: index for index, component in enumerate(components)}
    scores = {}
    queryset = (ComponentScore.objects.filter(assessment__round=round_)
                .values_list("assessment_id", "component_id", field))
    for assessment_id, component_id, score in queryset.iterator(chunk_size=20_000):
        row = scores.get(assessment_id)
        if row is None:
            row = scores[assessment_id] = array("i", [NONE] * len(components))
        if score is not None and component_id in position:
            row[position[component_id]] = int(score * 100)
    return scores


def _decimal(hundredths):
    return None if hundredths == NONE else Decimal(hundredths).scaleb(-2)


def national_workbook(round_: Round, output, *, made_by="", progress=None) -> dict:
    """Write the workbook to ``output`` (a path or a binary file); returns row counts.
    ``progress(percent)`` is told how far it is (a background job shows it on its page)."""
    progress = progress or (lambda _percent: None)
    spec = methodology_spec(round_.methodology_id)
    levels, kinds = dict(Level.choices), dict(AgencyKind.choices)
    statuses = dict(Assessment.Status.choices)
    bands = _Bands(spec)
    field = "verified_score" if round_.is_published else "self_score"
    components = list(Component.objects.order_by("number"))
    units = list(
        Assessment.objects.filter(round=round_)
        .order_by("agency__government__province__name", "agency__government__name",
                  "agency__name", "id")
        .values_list("id", "agency__government_id", "agency__government__province__name",
                     "agency__government__name", "agency__government__level", "agency__name",
                     "agency__kind", "sampled", "status", "answered_count", field))
    progress(10)
    cells = _component_scores(round_, field, components)
    progress(25)

    governments = {}
    for (_aid, gid, province, name, level, _agency, _kind, sampled, _status, _answered,
         score) in units:
        entry = governments.setdefault(gid, [province, name, level, 0, []])
        entry[3] += 1
        if sampled:
            entry[4].append(score)

    def zoned(worksheet, score):
        band = bands(score)
        return zone_score_cell(worksheet, score, band.zone if band else "")

    def government_rows(worksheet):
        for province, name, level, count, sampled in governments.values():
            score = government_score(sampled)
            band = bands(score)
            yield [province, name, levels.get(level, level), count, len(sampled),
                   cell(worksheet, score, number_format=SCORE_FORMAT),
                   band.category if band else "", zone_cell(worksheet, band.zone if band else ""),
                   spec.label(band)]

    step = max(1, len(units) // 20)  # 20 steps between 30 % and 90 %

    def unit_rows(worksheet):
        for number, (aid, _gid, province, government, level, agency, kind, sampled, status,
                     answered, score) in enumerate(units):
            if number % step == 0:
                progress(30 + 60 * number // max(len(units), 1))
            row = cells.get(aid)
            band = bands(score)
            yield [province, government, levels.get(level, level), agency,
                   kinds.get(kind, kind), _("yes") if sampled else _("no"),
                   statuses.get(status, status), answered,
                   cell(worksheet, score, number_format=SCORE_FORMAT),
                   zone_cell(worksheet, band.zone if band else "")] + [
                zoned(worksheet, _decimal(value)) for value in
                (row if row is not None else [NONE] * len(components))]

    title = report_title(_("National compliance workbook: %(round)s") % {"round": round_.name},
                         round_=round_, made_by=made_by,
                         status=result_status(round_, verified=round_.is_published))
    workbook = new_workbook()
    add_report_sheet(
        workbook, title, _("Governments"),
        [_("Province"), _("Government"), _("Level"), _("Units"), _("Sampled units"),
         _("Score"), _("Category"), _("Zone"), _("Label")], government_rows)
    add_report_sheet(
        workbook, title, _("Units"),
        [_("Province"), _("Government"), _("Level"), _("Agency"), _("Kind"), _("Sampled"),
         _("Status"), _("Answered"), _("Score"), _("Zone")]
        + [f"{c.letter}. {c.name}" for c in components], unit_rows)
    workbook.save(output)
    progress(95)
    return {"governments": len(governments), "units": len(units),
            "component_cells": sum(1 for row in cells.values() for v in row if v != NONE)}
