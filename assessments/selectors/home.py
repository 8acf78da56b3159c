"""What the home page lists for an operator: their checklists in rounds still being filled or
verified, with their status and, for a returned checklist, what the coordinator asked."""
from django.db.models import OuterRef, Subquery

from ..models import Assessment, ChecklistEvent, Round


def my_checklists(agency_ids):
    """Two queries at most: the assessments, each with its latest return comment."""
    last_return = (ChecklistEvent.objects.filter(assessment=OuterRef("pk"),
                                                 kind=ChecklistEvent.Kind.RETURNED)
                   .order_by("-at", "-id"))
    return (Assessment.objects.filter(agency_id__in=agency_ids,
                                      round__state__in=[Round.State.SELF_ASSESSMENT,
                                                        Round.State.VERIFICATION])
            .annotate(return_comment=Subquery(last_return.values("comment")[:1]),
                      returned_at=Subquery(last_return.values("at")[:1]))
            .select_related("agency", "round").order_by("-round__year", "agency__name"))
