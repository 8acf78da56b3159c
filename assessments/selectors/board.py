"""The coordinator's progress board: every agency of one government in one open round.

Three queries whatever the number of agencies (the open rounds, the number of active
indicators, the assessments with their evidence coverage counted in SQL), plus the
methodology's bands once per process. Sorting happens here, in Python, over the few dozen
rows of one government and from an allow-list, so a request parameter never reaches
``order_by``.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import get_language

from agencies.models import Government
from compliance.scoring import Completion, band_for, completion, government_score
from compliance.specs import methodology_spec

from ..models import Assessment, Round
from .instruments import round_indicator_count

OPEN_STATES = [Round.State.SELF_ASSESSMENT, Round.State.VERIFICATION]

# Workflow order, so "status" sorts not started → in progress → submitted → returned.
STATUS_ORDER = {status: index for index, status in enumerate(Assessment.Status.values)}

SORT_KEYS = {
    "name": lambda row: row.name_key,
    "status": lambda row: STATUS_ORDER.get(row.assessment.status, len(STATUS_ORDER)),
    "completion": lambda row: row.completion.percent,
    "evidence": lambda row: row.evidence.percent,
    "score": lambda row: row.score,
}
DEFAULT_SORT = "name"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """(key, descending) from ``?sort=``; anything not on the allow-list means "name"."""
    value = value or ""
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if key not in SORT_KEYS:
        return DEFAULT_SORT, False
    return key, descending


@dataclass(frozen=True)
class BoardRow:
    assessment: Assessment
    completion: Completion
    evidence: Completion  # indicators with at least one piece of evidence
    category: str
    zone: str
    label: str

    @property
    def agency(self):
        return self.assessment.agency

    @property
    def score(self) -> Decimal | None:
        return self.assessment.self_score

    @property
    def name_key(self):
        name = self.assessment.agency.name
        return (name.casefold(), name)


@dataclass(frozen=True)
class Board:
    government: Government
    rounds: list  # the government's open rounds, newest first
    round: Round | None  # the one shown (None: no open round)
    rows: list
    indicator_count: int
    score: Decimal | None  # mock government score: mean of the sampled units' self-scores
    category: str
    zone: str
    label: str
    sampled_count: int
    scored_count: int  # sampled units that have a self-score, i.e. those the mean is over
    sort: str
    descending: bool
    today: date

    @property
    def sort_param(self):
        return f"-{self.sort}" if self.descending else self.sort

    @property
    def columns(self) -> dict:
        """Per sortable column: the ``?sort=`` value its header links to (a second click
        reverses the order) and its ``aria-sort`` state."""
        columns = {}
        for key in SORT_KEYS:
            current = key == self.sort
            columns[key] = {
                "param": f"-{key}" if current and not self.descending else key,
                "aria_sort": ("descending" if self.descending else "ascending") if current
                else "none",
            }
        return columns

    @property
    def days_left(self) -> int | None:
        """Whole days until the self-assessment deadline: 0 on the day itself, negative after
        it, None without a deadline."""
        if self.round is None or self.round.self_deadline is None:
            return None
        return (self.round.self_deadline - self.today).days

    @property
    def deadline_passed(self) -> bool:
        return self.days_left is not None and self.days_left < 0

    @property
    def self_assessment_open(self) -> bool:
        return (self.round is not None and self.round.state == Round.State.SELF_ASSESSMENT
                and not self.deadline_passed)


def open_rounds(government: Government) -> list[Round]:
    """Rounds in self-assessment or verification in which the government has an agency."""
    has_unit = Assessment.objects.filter(round=OuterRef("pk"), agency__government=government)
    return list(Round.objects.filter(Exists(has_unit), state__in=OPEN_STATES)
                .order_by("-year", "-created_at", "-id"))


def sort_rows(rows: list[BoardRow], sort: str, descending: bool) -> list[BoardRow]:
    """Sort by the chosen column, ties by agency name; rows without a value (no score yet)
    always come last, in either direction."""
    key = SORT_KEYS[sort]
    by_name = sorted(rows, key=SORT_KEYS["name"])
    if sort == "name":
        return list(reversed(by_name)) if descending else by_name
    present = [row for row in by_name if key(row) is not None]
    missing = [row for row in by_name if key(row) is None]
    return sorted(present, key=key, reverse=descending) + missing


def progress_board(government: Government, *, round_id=None, sort=None,
                   today: date | None = None) -> Board:
    today = today or timezone.localdate()
    sort_key, descending = parse_sort(sort)
    rounds = open_rounds(government)
    chosen = next((r for r in rounds if str(r.id) == str(round_id)), None) if round_id else None
    round_ = chosen or (rounds[0] if rounds else None)
    empty = dict(government=government, rounds=rounds, round=round_, sort=sort_key,
                 descending=descending, today=today)
    if round_ is None:
        return Board(rows=[], indicator_count=0, score=None, category="", zone="", label="",
                     sampled_count=0, scored_count=0, **empty)

    total = round_indicator_count(round_.instrument_id)
    assessments = (
        Assessment.objects.filter(round=round_, agency__government=government)
        .select_related("agency")
        .annotate(evidence_indicators=Count(
            "evidence__indicator", distinct=True, filter=Q(evidence__indicator__active=True)))
    )
    spec = methodology_spec(round_.methodology_id)
    language = (get_language() or "id")[:2]
    rows = []
    for assessment in assessments:
        band = spec.band(assessment.self_score)
        rows.append(BoardRow(
            assessment=assessment,
            completion=completion(assessment.answered_count, total),
            evidence=completion(assessment.evidence_indicators, total),
            category=band.category if band else "", zone=band.zone if band else "",
            label=spec.label(band, language)))
    sampled = [row.assessment for row in rows if row.assessment.sampled]
    score = government_score(unit.self_score for unit in sampled)
    band = band_for(score, spec.bands, spec.index_max)
    return Board(
        rows=sort_rows(rows, sort_key, descending), indicator_count=total, score=score,
        category=band.category if band else "", zone=band.zone if band else "",
        label=spec.label(band, language), sampled_count=len(sampled),
        scored_count=sum(1 for unit in sampled if unit.self_score is not None), **empty)
