"""The assessor's work queue: every sampled unit of every government assigned to the assessor,
in the rounds that are under way, with the state of each source, the visits and the deadlines.

One query for the rows (counts and dates as subqueries) and one for the instruments that ask
for interviews, whatever the number of units. Sorting and filtering come from allow-lists:
a query-string value never reaches ``order_by`` or a filter as such. An administrator reads
the queue of an assessor chosen from ``queue_assessors`` (one more query for the choices)."""
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from agencies.access import queue_assessors, queue_government_ids
from agencies.models import Government
from compliance.models import Indicator, SourceKind

from ..models import (Assessment, ComplaintRecord, Interview, Observation, ProductSample, Round,
                      SurveyRecord, Visit)
from .fieldwork import INTERVIEWS_NEEDED
from .instruments import FOLLOW_UP_INDICATOR

LIVE_STATES = (Round.State.SELF_ASSESSMENT, Round.State.VERIFICATION)

SORTS = {  # parameter value -> order_by fields (the allow-list)
    "deadline": (F("round__verification_deadline").asc(nulls_last=True),
                 "agency__government__name", "agency__name"),
    "government": ("agency__government__name", "agency__name"),
    "unit": ("agency__name", "agency__government__name"),
    "visit": (F("next_visit").asc(nulls_last=True), "agency__government__name",
              "agency__name"),
    "progress": ("finalised_at", "interviews_done", "observed", "agency__name"),
}
DEFAULT_SORT = "deadline"
STATUSES = ("open", "finalised")
MISSING = ("interviews", "products", "survey", "complaints")


def _count(model, **where):
    rows = (model.objects.filter(assessment=OuterRef("pk"), **where).order_by()
            .values("assessment").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _visit(aggregate, column, **where):
    rows = (Visit.objects.filter(assessment=OuterRef("pk"), **where).order_by()
            .values("assessment").annotate(day=aggregate(column)).values("day"))
    return Subquery(rows)


@dataclass
class QueueRow:
    assessment: Assessment
    interviews_needed: int

    def __getattr__(self, name):  # the annotations read through the row
        return getattr(self.assessment, name)

    @property
    def interviews_complete(self):
        return self.interviews_needed and self.assessment.interviews_done >= self.interviews_needed

    @property
    def products_complete(self):
        return self.assessment.samples and self.assessment.observed >= self.assessment.samples

    @property
    def survey_state(self):
        if self.assessment.survey_score is not None:
            return "recorded"
        if self.assessment.survey_reason:
            return "without"
        return "missing"


def _allowed_id(value, allowed):
    return int(value) if value.isascii() and value.isdigit() and int(value) in allowed else None


def chosen_assessor(user, params):
    """The assessor an administrator asked for, if ``queue_assessors`` allows them (anything
    else: None), and the allow-list as (id, name) pairs for the choice (empty for everyone
    who is not an administrator: an assessor reads only their own queue)."""
    assessors = {person.id: person for person in queue_assessors(user)}
    choices = [(pk, person.get_full_name() or person.username)
               for pk, person in assessors.items()]
    chosen = _allowed_id(params.get("assessor", ""), assessors)
    return (assessors[chosen] if chosen is not None else None), choices


def read_params(params, government_ids) -> dict:
    """The allow-listed choices of the query string (anything else: the default)."""
    sort = params.get("sort", "")
    government = params.get("government", "")
    status = params.get("status", "")
    missing = params.get("missing", "")
    return {
        "sort": sort if sort in SORTS else DEFAULT_SORT,
        "government": _allowed_id(government, government_ids),
        "status": status if status in STATUSES else "",
        "missing": missing if missing in MISSING else "",
    }


def assessor_queue(user, params) -> dict:
    assessor, assessor_choices = chosen_assessor(user, params)
    government_ids = queue_government_ids(user, assessor)
    chosen = read_params(params, government_ids)
    chosen["assessor"] = assessor.id if assessor is not None else None
    queryset = (Assessment.objects
                .filter(agency__government_id__in=government_ids, sampled=True,
                        round__is_official=False, round__state__in=LIVE_STATES)
                .select_related("agency__government", "round")
                .annotate(interviews_done=_count(Interview), samples=_count(ProductSample),
                          observed=_count(Observation),
                          complaint_channels=_count(ComplaintRecord),
                          survey_reason=Subquery(SurveyRecord.objects.filter(
                              assessment=OuterRef("pk")).exclude(no_survey_reason="")
                              .values("no_survey_reason")[:1]),
                          next_visit=_visit(Min, "planned_on", done_on__isnull=True),
                          last_visit=_visit(Max, "done_on", done_on__isnull=False)))
    if chosen["government"] is not None:
        queryset = queryset.filter(agency__government_id=chosen["government"])
    if chosen["status"] == "open":
        queryset = queryset.filter(finalised_at__isnull=True)
    elif chosen["status"] == "finalised":
        queryset = queryset.filter(finalised_at__isnull=False)
    missing = chosen["missing"]
    if missing == "interviews":
        queryset = queryset.filter(interviews_done__lt=INTERVIEWS_NEEDED)
    elif missing == "products":
        queryset = queryset.filter(Q(samples=0) | Q(observed__lt=F("samples")))
    elif missing == "survey":
        queryset = queryset.filter(survey_score__isnull=True, survey_reason__isnull=True)
    elif missing == "complaints":
        queryset = queryset.filter(complaint_channels=0)
    assessments = list(queryset.order_by(*SORTS[chosen["sort"]], "id"))
    instruments = {a.round.instrument_id for a in assessments}
    asking = set(Indicator.objects.filter(instrument_id__in=instruments, active=True,
                                          source_kind=SourceKind.INTERVIEW)
                 .values_list("instrument_id", flat=True).distinct())
    rows = [QueueRow(assessment=a, interviews_needed=INTERVIEWS_NEEDED
                     if a.round.instrument_id in asking else 0) for a in assessments]
    following_up = set(Indicator.objects.filter(instrument_id__in=instruments, active=True,
                                                code=FOLLOW_UP_INDICATOR, per_product=False)
                       .values_list("instrument_id", flat=True).distinct())
    # The governments and rounds shown whose Ombudsman products feed an indicator (the
    # products page is one per government and round, not per unit).
    ombudsman = list(dict.fromkeys((a.agency.government, a.round) for a in assessments
                                   if a.round.instrument_id in following_up))
    return {
        "rows": rows, "chosen": chosen, "ombudsman": ombudsman,
        "governments": list(Government.objects.filter(id__in=government_ids)
                            .order_by("name").values_list("id", "name")),
        "sorts": list(SORTS), "statuses": STATUSES, "missing_choices": MISSING,
        "assessor_choices": assessor_choices,
        # an administrator who is no assessor and has not chosen one yet: ask, do not say
        # "no unit matches"
        "choose_assessor": bool(assessor_choices) and not government_ids,
    }

