"""A government's page: its published history with ranks, and the live round from checklists."""
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language

from agencies.models import Government
from compliance.scoring import band_for, change, government_score, rank
from compliance.specs import methodology_spec

from ..models import Assessment, GovernmentResult, Round

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


def government_history(government: Government) -> list[HistoryRow]:
    """Every published round of the government, oldest first, with its rank among its peer
    group in the province and among all governments of the province (one query)."""
    results = list(
        GovernmentResult.objects.filter(round__state__in=PUBLISHED_STATES,
                                        government__province_id=government.province_id)
        .values_list("round_id", "government_id", "government__name", "government__level",
                     "score"))
    own = {
        r.round_id: r for r in GovernmentResult.objects.filter(
            government=government, round__state__in=PUBLISHED_STATES)
        .select_related("round", "round__methodology").order_by("round__year")
    }
    by_round = defaultdict(list)
    for round_id, government_id, name, level, score in results:
        by_round[round_id].append((government_id, name, level, score))
    language = (get_language() or "id")[:2]
    rows, previous = [], None
    for round_id, result in sorted(own.items(), key=lambda item: item[1].round.year):
        entries = by_round[round_id]
        peers = rank((gid, name, score) for gid, name, level, score in entries
                     if level == government.level)
        everyone = rank((gid, name, score) for gid, name, level, score in entries)
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
        ))
        previous = result
    return rows


@dataclass(frozen=True)
class LiveRound:
    round: Round
    units: list  # assessments, sampled first
    score: Decimal | None
    category: str
    zone: str
    label: str
    sampled_count: int


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
