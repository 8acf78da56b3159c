"""What an irreversible step will do, in figures, for its confirmation page: submitting a
checklist, finalising a unit's verification, and moving a round to its next state.

The pages show these figures before the user confirms; the services check the state again
under their locks when the confirmed form arrives, so a figure that changed in between never
lets a refused step through. A fixed number of queries per page whatever the number of units.
"""
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from compliance.specs import instrument_spec, methodology_spec

from ..models import (Answer, Assessment, GovernmentResult, Round, RoundGovernment,
                      SurveyRecord)
from ..rules import checklist_lock_reason
from .checklist import missing_indicators, summary
from .verification import verified_progress

LISTED = 20  # units or indicators named one by one; the rest are counted


@dataclass(frozen=True)
class Deadline:
    day: date | None
    today: date

    @property
    def days_left(self) -> int | None:
        """Whole days until the deadline: 0 on the day itself, negative after it."""
        return None if self.day is None else (self.day - self.today).days

    @property
    def days_passed(self) -> int | None:
        return None if self.day is None else (self.today - self.day).days

    @property
    def passed(self) -> bool:
        return self.day is not None and self.days_left < 0


def deadline(day: date | None, today: date | None = None) -> Deadline:
    return Deadline(day=day, today=today or timezone.localdate())


class _MissingWork:
    """What a submission and a finalisation share: the work still missing blocks the step."""

    @property
    def listed_missing(self) -> list:
        return self.missing[:LISTED]

    @property
    def can_confirm(self) -> bool:
        return not self.lock_reason and not self.missing


@dataclass(frozen=True)
class SubmitImpact(_MissingWork):
    """An operator's checklist before submission."""

    assessment: Assessment
    total: int  # answers the checklist holds: a per-product indicator once per sampled product
    answered: int  # of those, given (as the checklist's own "answered" figure counts them)
    missing: list  # indicators without an answer, in checklist order
    without_evidence: int  # answered as (partly) fulfilled with nothing attached
    band: object
    lock_reason: str | None
    deadline: Deadline


def submit_impact(assessment: Assessment, today: date | None = None) -> SubmitImpact:
    figures = summary(assessment)
    return SubmitImpact(
        assessment=assessment, total=figures["completion"].total,
        answered=figures["completion"].answered, missing=missing_indicators(assessment),
        without_evidence=figures["without_evidence_count"], band=figures["band"],
        lock_reason=checklist_lock_reason(assessment, today),
        deadline=deadline(assessment.round.self_deadline, today))


@dataclass(frozen=True)
class FinaliseImpact(_MissingWork):
    """A unit's verification before the assessor fixes it."""

    assessment: Assessment
    total: int  # answers to verify: a per-product indicator once per sampled product
    verified: int  # of those, verified (as the verification sheet counts them)
    missing: list  # indicators not verified yet
    findings: int
    survey_missing: bool  # the methodology asks for a survey score and none is entered
    band: object
    lock_reason: str | None
    deadline: Deadline
    survey_refusal: str | None = None  # no survey score and no reason: finalising is refused
    without_survey: str = ""  # the reason recorded: the unit is scored without the survey

    @property
    def can_confirm(self) -> bool:
        return super().can_confirm and not self.survey_refusal


def finalise_impact(assessment: Assessment, *, missing: list, lock_reason: str | None,
                    survey_refusal: str | None = None,
                    today: date | None = None) -> FinaliseImpact:
    """``missing`` and ``lock_reason``: the verification service's own answers
    (``unverified_indicators``, ``verification_lock_reason``), so the page and the service
    apply one rule."""
    spec = methodology_spec(assessment.round.methodology_id)
    progress = verified_progress(assessment)
    return FinaliseImpact(
        assessment=assessment, total=progress.total, verified=progress.answered,
        missing=missing,
        findings=Answer.objects.filter(assessment=assessment).exclude(finding="").count(),
        survey_missing=instrument_spec(assessment.round.instrument_id).has_survey
        and assessment.survey_score is None,
        band=spec.band(assessment.verified_score), lock_reason=lock_reason,
        deadline=deadline(assessment.round.verification_deadline, today),
        survey_refusal=survey_refusal,
        without_survey=SurveyRecord.objects.filter(assessment=assessment).values_list(
            "no_survey_reason", flat=True).first() or "")


@dataclass(frozen=True)
class RoundImpact:
    """A round's figures before a change of state."""

    round: Round
    governments: int
    not_assessed: int  # participating governments marked "not assessed"
    units: int
    sampled: int
    by_status: dict = field(default_factory=dict)  # Assessment.Status value -> units
    sampled_not_submitted: int = 0
    not_finalised: int = 0  # sampled units of assessed governments, not finalised
    governments_not_finalised: int = 0
    pending: list = field(default_factory=list)  # the first of those units, by government
    results: int = 0  # governments with a stored result
    self_deadline: Deadline | None = None
    verification_deadline: Deadline | None = None

    @property
    def assessed(self) -> int:
        return self.governments - self.not_assessed

    @property
    def not_submitted(self) -> int:
        return self.units - self.by_status.get(Assessment.Status.SUBMITTED, 0)

    @property
    def status_rows(self) -> list:
        """(label, units) for every status, in workflow order."""
        return [(label, self.by_status.get(value, 0))
                for value, label in Assessment.Status.choices]

    @property
    def more_pending(self) -> int:
        return max(0, self.not_finalised - len(self.pending))


def round_impact(round_: Round, today: date | None = None) -> RoundImpact:
    status_counts = {f"status_{value}": Count("id", filter=Q(status=value))
                     for value in Assessment.Status.values}
    units = Assessment.objects.filter(round=round_).aggregate(
        all_units=Count("id"), sampled_units=Count("id", filter=Q(sampled=True)),
        sampled_not_submitted=Count("id", filter=Q(sampled=True)
                                    & ~Q(status=Assessment.Status.SUBMITTED)),
        **status_counts)
    participants = RoundGovernment.objects.filter(round=round_).aggregate(
        all_governments=Count("id"),
        not_assessed_governments=Count("id", filter=Q(not_assessed=True)))
    excluded = RoundGovernment.objects.filter(round=round_, not_assessed=True).values(
        "government_id")
    pending = (Assessment.objects.filter(round=round_, sampled=True, finalised_at__isnull=True)
               .exclude(agency__government_id__in=excluded))
    pending_counts = pending.aggregate(
        pending_units=Count("id"),
        pending_governments=Count("agency__government_id", distinct=True))
    today = today or timezone.localdate()
    return RoundImpact(
        round=round_, governments=participants["all_governments"],
        not_assessed=participants["not_assessed_governments"], units=units["all_units"],
        sampled=units["sampled_units"],
        by_status={value: units[f"status_{value}"] for value in Assessment.Status.values},
        sampled_not_submitted=units["sampled_not_submitted"],
        not_finalised=pending_counts["pending_units"],
        governments_not_finalised=pending_counts["pending_governments"],
        pending=list(pending.select_related("agency__government")
                     .order_by("agency__government__name", "agency__name", "id")[:LISTED]),
        results=GovernmentResult.objects.filter(round=round_).count(),
        self_deadline=deadline(round_.self_deadline, today),
        verification_deadline=deadline(round_.verification_deadline, today))
