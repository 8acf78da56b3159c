"""Rounds: creation with the default sample, the state machine, and publication.

draft → self-assessment → verification → published → closed, one step at a time, each step by
an administrator, atomic and logged. A published round may go back to verification for a
correction (with a reason) and be published again (the republication is logged with its
reason). Nothing leaves "closed"; the database refuses changes to a closed round's data."""
from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import SAMPLED_KINDS, Agency, Government
from compliance.models import Instrument, Methodology
from compliance.scoring import government_score, rank
from compliance.specs import methodology_spec

from .. import notices
from ..models import (ActionItem, Answer, Assessment, GovernmentResult, Round, RoundGovernment,
                      RoundTransition)

State = Round.State
FORWARD = {
    State.DRAFT: State.SELF_ASSESSMENT,
    State.SELF_ASSESSMENT: State.VERIFICATION,
    State.VERIFICATION: State.PUBLISHED,
    State.PUBLISHED: State.CLOSED,
}
CORRECTION = {State.PUBLISHED: State.VERIFICATION}
MAX_PUSKESMAS = 2


class TransitionRefused(Exception):
    pass


class PublicationBlocked(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def default_sample(agencies) -> set:
    """The seven units of docs/methodology.md ("Units"): five offices and (at most) two
    Puskesmas."""
    chosen, puskesmas = set(), 0
    for agency in sorted(agencies, key=lambda a: a.name):
        if agency.kind == "puskesmas":
            if puskesmas < MAX_PUSKESMAS:
                chosen.add(agency.id)
                puskesmas += 1
        elif agency.kind in SAMPLED_KINDS:
            chosen.add(agency.id)
    return chosen


def _insert_round(round_: Round) -> None:
    """Two administrators may create the same (year, name) at once: both pass ``full_clean``,
    and the database's unique constraint stops the second insert. That loser gets the same
    ValidationError as a duplicate seen in time (checked again now that the winner is
    committed), not a 500. The savepoint keeps the caller's transaction usable for that check."""
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError:
        round_.validate_constraints()  # raises the form's "already exists" error
        raise  # another constraint: not a race this function knows about


@transaction.atomic
def round_create(*, year: int, name: str, methodology: Methodology, governments,
                 self_deadline: date | None = None, verification_deadline: date | None = None,
                 by, instrument: Instrument | None = None) -> Round:
    """``instrument``: the version the round freezes; None takes the methodology's default
    (``compliance.models.default_instrument``)."""
    round_ = Round(year=year, name=name, methodology=methodology, instrument=instrument,
                   state=State.DRAFT, self_deadline=self_deadline,
                   verification_deadline=verification_deadline)
    round_.full_clean()
    _insert_round(round_)
    government_ids = [g.id for g in governments]
    RoundGovernment.objects.bulk_create(
        [RoundGovernment(round=round_, government_id=gid) for gid in government_ids])
    by_government = defaultdict(list)
    for agency in Agency.objects.filter(government_id__in=government_ids):
        by_government[agency.government_id].append(agency)
    rows = []
    for agencies in by_government.values():
        sample = default_sample(agencies)
        rows += [Assessment(round=round_, agency=a, sampled=a.id in sample) for a in agencies]
    Assessment.objects.bulk_create(rows, batch_size=2000)
    RoundTransition.objects.create(round=round_, from_state="", to_state=State.DRAFT, actor=by,
                                   reason=_("created"))
    return round_


def assessment_set_sampled(*, assessment: Assessment, sampled: bool, by) -> Assessment:
    with transaction.atomic():
        assessment = Assessment.objects.select_for_update().select_related("round").get(
            id=assessment.id)
        if assessment.round.state in (State.PUBLISHED, State.CLOSED):
            raise TransitionRefused(_("The sample cannot change after publication."))
        assessment.sampled = sampled
        assessment.save(update_fields=["sampled", "updated_at"])
    return assessment


def government_set_not_assessed(*, round_: Round, government: Government, not_assessed: bool,
                                reason: str, by) -> RoundGovernment:
    reason = (reason or "").strip()
    if not_assessed and not reason:
        raise ValidationError(_("Give the reason why the government is not assessed."))
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(id=round_.id)
        if locked.state in (State.PUBLISHED, State.CLOSED):
            raise TransitionRefused(_("Participation cannot change after publication."))
        participation, _created = RoundGovernment.objects.get_or_create(
            round=locked, government=government)
        participation.not_assessed = not_assessed
        participation.not_assessed_reason = reason if not_assessed else ""
        participation.full_clean()
        participation.save()
    return participation


def round_transition(*, round_: Round, to_state: str, by, reason: str = "") -> Round:
    """Move a round one step; publishing computes and stores the results in the same
    transaction. A second request for the same step (a double click) is refused, not
    repeated."""
    reason = (reason or "").strip()[:500]
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(id=round_.id)
        if locked.is_official:
            raise TransitionRefused(_("A round of imported official results does not change "
                                      "state; import its results again instead."))
        current = State(locked.state)
        allowed = {FORWARD.get(current), CORRECTION.get(current)} - {None}
        if to_state not in allowed:
            raise TransitionRefused(_("A round in state %(state)s cannot move to %(to)s.") % {
                "state": current.label, "to": State(to_state).label
                if to_state in State.values else to_state})
        republishing = to_state == State.PUBLISHED and locked.transitions.filter(
            to_state=State.PUBLISHED).exists()
        if (to_state in CORRECTION.values() and current == State.PUBLISHED or republishing) \
                and not reason:
            raise TransitionRefused(_("Give the reason for the correction."))
        if to_state == State.PUBLISHED:
            round_publish_results(round_=locked)
        locked.state = to_state
        locked.save(update_fields=["state"])
        transition = RoundTransition.objects.create(round=locked, from_state=current,
                                                    to_state=to_state, actor=by, reason=reason)
        notices.on_round_transition(transition)
    return locked


def publication_problems(round_: Round) -> list[str]:
    problems = []
    excluded = set(RoundGovernment.objects.filter(round=round_, not_assessed=True)
                   .values_list("government_id", flat=True))
    for assessment in (Assessment.objects.filter(round=round_, sampled=True,
                                                 finalised_at__isnull=True)
                       .select_related("agency__government").order_by("agency__name")):
        if assessment.agency.government_id not in excluded:
            problems.append(_("%(agency)s (%(government)s) is not finalised.") % {
                "agency": assessment.agency.name,
                "government": assessment.agency.government.name})
    return problems


def round_publish_results(*, round_: Round) -> list[GovernmentResult]:
    """Each government's official score — the mean of its sampled units' verified scores,
    rounded half-up — with category, zone and ranks (province and national, per peer group;
    and among all governments of the province). Called inside the publishing transaction;
    publishing again gives the same figures."""
    problems = publication_problems(round_)
    if problems:
        raise PublicationBlocked(problems)
    spec = methodology_spec(round_.methodology_id)
    not_assessed = {p.government_id: p.not_assessed_reason for p in
                    RoundGovernment.objects.filter(round=round_, not_assessed=True)}
    units = defaultdict(list)
    for government_id, score in Assessment.objects.filter(
            round=round_, sampled=True).values_list("agency__government_id", "verified_score"):
        units[government_id].append(score)
    governments = {g.id: g for g in Government.objects.filter(
        id__in=set(units) | set(not_assessed))}
    scores = {gid: government_score(values) for gid, values in units.items()
              if gid not in not_assessed}
    peers_province, province_all, national = defaultdict(list), defaultdict(list), \
        defaultdict(list)
    for gid, score in scores.items():
        government = governments[gid]
        entry = (gid, government.name, score)
        peers_province[(government.province_id, government.level)].append(entry)
        province_all[government.province_id].append(entry)
        national[government.level].append(entry)

    def ranks_of(groups):
        return {r.key: r.rank for entries in groups.values() for r in rank(entries)}

    rank_province, rank_all, rank_national = (ranks_of(peers_province), ranks_of(province_all),
                                              ranks_of(national))
    now = timezone.now()
    results = []
    for gid, government in governments.items():
        score = scores.get(gid)
        band = spec.band(score) if score is not None else None
        values = {
            "score": score, "not_assessed": gid in not_assessed or score is None,
            "not_assessed_reason": not_assessed.get(gid, "" if score is not None
                                                    else _("no verified unit")),
            "category": band.category if band else "", "zone": band.zone if band else "",
            "rank_province": rank_province.get(gid), "rank_province_all": rank_all.get(gid),
            "rank_national": rank_national.get(gid), "published_rank": "",
            "source": GovernmentResult.Source.COMPUTED, "published_at": now,
        }
        result, _created = GovernmentResult.objects.update_or_create(
            round=round_, government=government, defaults=values)
        results.append(result)
    GovernmentResult.objects.filter(round=round_).exclude(government_id__in=governments).delete()
    findings_carry_forward(round_=round_)
    return results


def findings_carry_forward(*, round_: Round) -> int:
    """Every assessor's finding becomes a follow-up action (rencana aksi) of its agency, the
    starting list for the next round. Idempotent: one action per finding."""
    existing = set(ActionItem.objects.filter(source_answer__assessment__round=round_)
                   .values_list("source_answer_id", flat=True))
    new = [
        ActionItem(agency_id=answer.assessment.agency_id, source_answer=answer,
                   component_id=answer.indicator.component_id, title=answer.finding[:500])
        for answer in Answer.objects.filter(assessment__round=round_).exclude(finding="")
        .select_related("assessment", "indicator")
        if answer.id not in existing
    ]
    ActionItem.objects.bulk_create(new)
    return len(new)
