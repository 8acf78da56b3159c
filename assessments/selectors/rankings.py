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
from ..rank_text import parse_published_rank, published_phrase

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

    @property
    def published_rank_text(self) -> str:
        """The published rank in the common form, when it says more than the rank shown (a
        different rank, or a national one)."""
        if not self.published_rank:
            return ""
        parsed = parse_published_rank(self.published_rank, self.government.level)
        if parsed is not None and parsed.rank == self.rank and not parsed.national:
            return ""
        return published_phrase(self.published_rank, self.government.level,
                                self.government.province.name)[0]


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
    has_zones: bool = True  # False: the methodology publishes grades only (PEKPPP)
    bands_assumed: bool = False  # the methodology's bands are an assumption (2025)
    known_count: int = 0  # governments of the peer group (in the province) the app knows

    @property
    def group_label(self):
        return GROUPS[self.group][0]

    @property
    def is_projection(self) -> bool:
        """Results of a round that is not (or no longer) published: not official figures."""
        return not self.round.is_published

    @property
    def partial(self) -> bool:
        """The ranks rest on part of the peer group: the app knows governments it has no
        result for (a partial import), so a rank here is not the published one."""
        return len(self.rows) + len(self.not_assessed) < self.known_count

    def partial_text(self) -> str:
        return partial_text(len(self.rows), self.known_count) if self.partial else ""

    @property
    def change_caveat(self) -> bool:
        """Some change shown compares two methodologies (none shown: nothing to warn about)."""
        return self.methodology_changed and any(row.change is not None for row in self.rows)

    def methodology_caveat(self) -> str:
        if not self.change_caveat:
            return ""
        return methodology_caveat(self.previous_round, self.round)

    @property
    def methodology_changed(self) -> bool:
        """Change against a round scored with another methodology: not like for like."""
        return bool(self.previous_round
                    and self.previous_round.methodology_id != self.round.methodology_id)


def partial_text(ranked: int, known: int) -> str:
    return _("Ranks based on %(ranked)s of %(known)s governments: the app holds no result for "
             "the others.") % {"ranked": ranked, "known": known}


def methodology_caveat(previous: Round, current: Round) -> str:
    return _("%(first)s and %(second)s scores are on different methodologies (%(m1)s → %(m2)s): "
             "change and most improved are not like for like.") % {
        "first": previous.year, "second": current.year, "m1": previous.methodology.name,
        "m2": current.methodology.name}


def known_governments(province: Province | None, levels) -> int:
    queryset = Government.objects.filter(level__in=levels)
    if province is not None:
        queryset = queryset.filter(province=province)
    return queryset.count()


def previous_round_of(round_: Round) -> Round | None:
    return (Round.objects.filter(year__lt=round_.year,
                                 state__in=[Round.State.PUBLISHED, Round.State.CLOSED])
            .select_related("methodology").order_by("-year", "-is_official").first())


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
                   has_categories=spec.has_categories, has_zones=spec.has_zones,
                   bands_assumed=spec.bands_assumed,
                   known_count=known_governments(province, levels))


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
    """The largest score gains against the previous published round, best first: gains only
    (a decline is no improvement, however it ranks among the changes)."""
    rows = [row for row in ranking_.rows if row.change is not None and row.change > 0]
    return sorted(rows, key=lambda row: (-row.change, row.government.name))[:limit]
