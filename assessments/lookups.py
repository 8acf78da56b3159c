"""Objects of the assessments app looked up for a user: outside the user's scope a 404, by the
rules of the access policy (agencies/access.py); rights inside the scope are asked of the same
module by the views."""
from django.http import Http404
from django.shortcuts import get_object_or_404

from agencies.access import may_see_unpublished_ranking, may_view_agency
from compliance.prepared import prepared

from .models import Assessment, Evidence, Round


@prepared(int)
def assessment_with_context(pk):
    """The unit with what its pages show around it (agency, government, province, round,
    methodology): every checklist request's first read, so its SQL is compiled once."""
    return Assessment.objects.select_related(
        "agency", "agency__government__province", "round", "round__methodology").filter(id=pk)


def assessment_or_404(user, pk) -> Assessment:
    found = assessment_with_context(int(pk))
    if not found or not may_view_agency(user, found[0].agency):
        raise Http404
    return found[0]


def evidence_or_404(user, evidence_id) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.select_related("assessment__agency"), id=evidence_id)
    if not may_view_agency(user, evidence.assessment.agency):
        raise Http404
    return evidence


def round_or_404(pk) -> Round:
    """A round by id, for pages whose right is asked separately (rounds are not secret to
    those who may read a government's pages; their figures are)."""
    return get_object_or_404(Round.objects.select_related("methodology"), id=pk)


def ranking_round_or_404(user, pk) -> Round:
    """A round whose ranking the user may read: published for everyone, otherwise a 404 for
    all but those the policy lets see unpublished rankings."""
    round_ = round_or_404(pk)
    if not may_see_unpublished_ranking(user, round_):
        raise Http404
    return round_
