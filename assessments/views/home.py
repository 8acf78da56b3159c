from django.shortcuts import render
from django.views.decorators.http import require_safe

from agencies.access import own_agency_ids, visible_governments

from ..models import Assessment, Round
from ..selectors.rankings import published_rounds


@require_safe
def home(request):
    context = {"rounds": published_rounds()[:5]}
    if request.user.is_authenticated:
        context["governments"] = visible_governments(request.user).order_by("name")[:50]
        context["my_checklists"] = (
            Assessment.objects.filter(agency_id__in=own_agency_ids(request.user),
                                      round__state__in=[Round.State.SELF_ASSESSMENT,
                                                        Round.State.VERIFICATION])
            .select_related("agency", "round").order_by("-round__year", "agency__name"))
    return render(request, "home.html", context)
