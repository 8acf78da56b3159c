"""Rankings read from stored results: a constant number of queries whatever the row count."""
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies.models import Government, Level, Province
from compliance.models import Zone
from compliance.scoring import change, rank
from compliance.specs import methodology_spec

from ..models import GovernmentResult, Round

GROUPS = {
    "kabupaten": (_("Regencies (kabupaten)"), [Level.KABUPATEN]),
    "kota": (_("Cities (kota)"), [Level.KOTA]),
    "provinsi": (_("Provinces"), [Level.PROVINSI]),
    "all": (_("All governments in the province"), [Level.PROVINSI, Level.KABUPATEN, Level.KOTA]),
}


@dataclass(frozen=True)
class RankingRow:
    rank: int
    government: Government
    score: Decimal
    category: str
    zone: str
    label: str
    published_rank: str
    previous_score: Decimal | None
    previous_rank: int | None
    change: Decimal | None

    @property
    def zone_display(self):
        return zone_display(self.zone)


def zone_display(zone: str) -> str:
    return str(Zone(zone).label) if zone else ""


@dataclass(frozen=True)
class Ranking:
    round: Round
    province: Province | None
    group: str
    rows: list
    not_assessed: list
    previous_round: Round | None
    has_categories: bool

    @property
    def group_label(self):
        return GROUPS[self.group][0]


def previous_round_of(round_: Round) -> Round | None:
    return (Round.objects.filter(year__lt=round_.year,
                                 state__in=[Round.State.PUBLISHED, Round.State.CLOSED])
            .order_by("-year", "-is_official").first())


def _results(round_, province, levels):
    queryset = GovernmentResult.objects.filter(round=round_, government__level__in=levels)
    if province is not None:
        queryset = queryset.filter(government__province=province)
    return queryset.select_related("government", "government__province")


def ranking(*, round_: Round, province: Province | None, group: str) -> Ranking:
    """Ranked rows of one peer group in a province (or nationally when province is None),
    with the previous published round's score and rank for the same peer group."""
    levels = GROUPS[group][1]
    spec = methodology_spec(round_.methodology_id)
    results = list(_results(round_, province, levels))
    previous = previous_round_of(round_)
    previous_scores, previous_ranks = {}, {}
    if previous is not None:
        prior = list(_results(previous, province, levels).values_list(
            "government_id", "government__name", "score"))
        previous_scores = {gid: score for gid, _name, score in prior}
        previous_ranks = {r.key: r.rank for r in rank(prior)}
    by_id = {result.government_id: result for result in results}
    language = (get_language() or "id")[:2]
    rows = []
    for ranked in rank((r.government_id, r.government.name, r.score) for r in results):
        result = by_id[ranked.key]
        band = spec.band(result.score)
        previous_score = previous_scores.get(ranked.key)
        rows.append(RankingRow(
            rank=ranked.rank, government=result.government, score=ranked.score,
            category=result.category or (band.category if band else ""),
            zone=result.zone or (band.zone if band else ""),
            label=spec.label(band, language), published_rank=result.published_rank,
            previous_score=previous_score, previous_rank=previous_ranks.get(ranked.key),
            change=change(ranked.score, previous_score),
        ))
    not_assessed = sorted((r for r in results if r.score is None),
                          key=lambda r: r.government.name)
    return Ranking(round=round_, province=province, group=group, rows=rows,
                   not_assessed=not_assessed, previous_round=previous,
                   has_categories=spec.has_categories)


def published_rounds():
    return Round.objects.filter(state__in=[Round.State.PUBLISHED, Round.State.CLOSED]).order_by(
        "-year").select_related("methodology")


ZONES = ("red", "yellow", "green")


def filter_rows(rows, *, zone: str = "", query: str = ""):
    """Filter ranked rows without renumbering them (ranks stay those of the peer group)."""
    query = query.strip().casefold()[:100]
    return [row for row in rows
            if (zone not in ZONES or row.zone == zone)
            and (not query or query in row.government.name.casefold())]


def most_improved(ranking_: Ranking, limit: int = 10):
    """The largest score gains against the previous published round, best first (a decline is
    no improvement, however small the list)."""
    rows = [row for row in ranking_.rows if row.change is not None and row.change > 0]
    return sorted(rows, key=lambda row: (-row.change, row.government.name))[:limit]
