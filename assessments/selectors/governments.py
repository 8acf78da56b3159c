"""A government's page: its published history with ranks, the rounds its pages can show (one
chosen by ``?round=``, published figures by default) and the live rounds from checklists."""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agencies.models import Government
from compliance.scoring import band_for, change, government_score, rank
from compliance.specs import methodology_spec

from ..models import Assessment, GovernmentResult, Round
from ..rank_text import parse_published_rank, rank_phrase
from .rankings import partial_text
from .fieldwork import without_survey

LIVE_STATES = [Round.State.DRAFT, Round.State.SELF_ASSESSMENT, Round.State.VERIFICATION]
PUBLISHED_STATES = [Round.State.PUBLISHED, Round.State.CLOSED]


@dataclass(frozen=True)
class HistoryRow:
    round: Round
    score: Decimal | None
    not_assessed: bool
    category: str
    zone: str
    label: str
    published_rank: str
    peer_rank: int | None
    peer_count: int
    province_rank: int | None
    province_count: int
    change: Decimal | None
    methodology_changed: bool
    rank_text: str = ""  # the rank in the province, in the common form
    official_rank: bool = False  # rank_text is the published rank
    national_rank_text: str = ""  # a published national rank
    partial_note: str = ""  # the computed rank rests on part of the peer group
    not_assessed_reason: str = ""
    bands_assumed: bool = False  # the category and zone rest on assumed bands (2025)


def government_history(government: Government) -> list[HistoryRow]:
    """Every published round of the government, oldest first, with its rank among its peer
    group in the province and among all governments of the province (one query)."""
    return governments_history([government])[government.id]


def governments_history(governments) -> dict[int, list[HistoryRow]]:
    """``government_history`` of each government (id -> rows) in one query whatever their
    number: the published results of every province involved are read once and ranked here,
    so a province workbook does not fetch one history per government."""
    provinces = {government.province_id for government in governments}
    known = dict(((province_id, level), count) for province_id, level, count in
                 Government.objects.filter(province_id__in=provinces)
                 .values_list("province_id", "level").annotate(count=Count("id"))
                 .values_list("province_id", "level", "count"))
    results = list(
        GovernmentResult.objects.filter(round__state__in=PUBLISHED_STATES,
                                        government__province_id__in=provinces)
        .select_related("round", "round__methodology")
        .annotate(government_name=F("government__name"), level=F("government__level"),
                  province_id=F("government__province_id"))
        .order_by("round__year", "id"))
    by_round = defaultdict(list)
    own = defaultdict(dict)
    for result in results:
        by_round[(result.province_id, result.round_id)].append(result)
        own[result.government_id][result.round_id] = result
    return {government.id: _history(government, own[government.id], by_round,
                                    known.get((government.province_id, government.level), 0))
            for government in governments}


def _history(government, own, by_round, known=0) -> list[HistoryRow]:
    language = (get_language() or "id")[:2]
    rows, previous = [], None
    for round_id, result in sorted(own.items(), key=lambda item: item[1].round.year):
        entries = by_round[(government.province_id, round_id)]
        peers = rank((r.government_id, r.government_name, r.score) for r in entries
                     if r.level == government.level)
        everyone = rank((r.government_id, r.government_name, r.score) for r in entries)
        peer_rank = next((r.rank for r in peers if r.key == government.id), None)
        province_rank = next((r.rank for r in everyone if r.key == government.id), None)
        spec = methodology_spec(result.round.methodology_id)
        band = spec.band(result.score)
        rows.append(HistoryRow(
            round=result.round, score=result.score, not_assessed=result.not_assessed,
            category=result.category, zone=result.zone, label=spec.label(band, language),
            published_rank=result.published_rank, peer_rank=peer_rank, peer_count=len(peers),
            province_rank=province_rank, province_count=len(everyone),
            change=change(result.score, previous.score) if previous else None,
            methodology_changed=bool(previous and previous.round.methodology_id
                                     != result.round.methodology_id),
            not_assessed_reason=result.not_assessed_reason, bands_assumed=spec.bands_assumed,
            **rank_texts(government, result.published_rank, peer_rank, len(peers),
                         sum(1 for r in entries if r.level == government.level), known),
        ))
        previous = result
    return rows


def rank_texts(government, published_rank, peer_rank, peer_count, listed=0, known=0) -> dict:
    """The rank in the province as users read it: the published rank is the official one; a
    rank the app computed from fewer governments than the published table counted, or than the
    app knows in the peer group (``listed`` = results incl. not assessed, ``known`` = the
    governments of that level in the province), says on how many it rests."""
    province = government.province.name
    parsed = parse_published_rank(published_rank, government.level)
    texts = {"rank_text": rank_phrase(peer_rank, peer_count, government.level, province)}
    if peer_rank is not None and listed < known:
        texts["partial_note"] = partial_text(peer_count, known)
    if parsed is None:
        return texts
    if parsed.national:
        texts["national_rank_text"] = rank_phrase(parsed.rank, parsed.total, parsed.group)
        return texts
    # A bare published rank ("13") takes its total from the app's own count when both agree.
    total = parsed.total or (peer_count if peer_rank == parsed.rank else None)
    texts["rank_text"] = rank_phrase(parsed.rank, total, parsed.group, province)
    texts["official_rank"] = True
    if parsed.total and peer_rank is not None and peer_count < parsed.total:
        texts["partial_note"] = _(
            "The app holds the results of %(count)s of the %(total)s; its own rank (%(rank)s) "
            "rests on those only.") % {"count": peer_count, "total": parsed.total,
                                      "rank": peer_rank}
    return texts


@dataclass(frozen=True)
class LiveRound:
    round: Round
    units: list  # assessments, sampled first
    score: Decimal | None
    category: str
    zone: str
    label: str
    sampled_count: int

    @property
    def scored_count(self) -> int:
        """Sampled units with a self-score: those the mock score is the mean of."""
        return sum(1 for unit in self.units if unit.sampled and unit.self_score is not None)


def live_rounds(government: Government) -> list[LiveRound]:
    """Rounds still being filled, with the government's mock score: the mean of its sampled
    units' current self-scores."""
    assessments = list(
        Assessment.objects.filter(agency__government=government, round__state__in=LIVE_STATES)
        .select_related("round", "round__methodology", "agency")
        .order_by("-round__year", "-sampled", "agency__name"))
    grouped = defaultdict(list)
    for assessment in assessments:
        grouped[assessment.round].append(assessment)
    language = (get_language() or "id")[:2]
    live = []
    for round_, units in grouped.items():
        sampled = [unit for unit in units if unit.sampled]
        score = government_score(unit.self_score for unit in sampled)
        spec = methodology_spec(round_.methodology_id)
        band = band_for(score, spec.bands, spec.index_max)
        live.append(LiveRound(
            round=round_, units=units, score=score,
            category=band.category if band else "", zone=band.zone if band else "",
            label=spec.label(band, language), sampled_count=len(sampled)))
    return live


def government_rounds(government: Government) -> list[Round]:
    """The rounds in which the government has units, newest first: the allow-list of the
    pages' round selector (one query). Rounds of imported official results hold no unit
    figures; their scores are in the history."""
    has_unit = Assessment.objects.filter(round=OuterRef("pk"), agency__government=government)
    return list(Round.objects.filter(Exists(has_unit)).select_related("methodology")
                .order_by("-year", "-created_at", "-id"))


def choose_round(rounds: list[Round], value) -> Round | None:
    """The round named by ``?round=`` if it is one of ``rounds``; otherwise the latest round
    with published figures, and only when there is none the latest live round (which the pages
    then label as a projection). The value is compared as text with the allowed ids, so no
    request value ever reaches a query."""
    wanted = str(value or "").strip()
    chosen = next((round_ for round_ in rounds if str(round_.id) == wanted), None)
    if chosen is not None:
        return chosen
    published = [round_ for round_ in rounds if round_.is_published]
    return (published or rounds or [None])[0]


@dataclass
class RoundUnit:
    """A unit's published (verified) figures in one round; ``can_open`` is set by the view
    from the access policy."""

    assessment: Assessment
    category: str
    zone: str
    label: str
    can_open: bool = False


def round_units(government: Government, round_: Round) -> list[RoundUnit]:
    """The government's units in a published round with their verified scores and zones,
    sampled units first (one query). Call only for a published round: verified figures are
    secret before publication."""
    spec = methodology_spec(round_.methodology_id)
    language = (get_language() or "id")[:2]
    units = []
    for assessment in (Assessment.objects.filter(round=round_, agency__government=government)
                       .select_related("agency").annotate(without_survey=without_survey())
                       .order_by("-sampled", "agency__name", "id")):
        band = spec.band(assessment.verified_score)
        units.append(RoundUnit(assessment=assessment, category=band.category if band else "",
                               zone=band.zone if band else "", label=spec.label(band, language)))
    return units
