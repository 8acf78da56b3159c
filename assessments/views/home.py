from django.shortcuts import render

from agencies.access import scope_of, visible_governments

from ..models import Assessment, Round
from ..selectors.rankings import published_rounds


def home(request):
    context = {"rounds": published_rounds()[:5]}
    if request.user.is_authenticated:
        scope = scope_of(request.user)
        context["scope"] = scope
        context["governments"] = visible_governments(request.user).order_by("name")[:50]
        context["my_checklists"] = (
            Assessment.objects.filter(agency_id__in=scope.operator_agencies,
                                      round__state__in=[Round.State.SELF_ASSESSMENT,
                                                        Round.State.VERIFICATION])
            .select_related("agency", "round").order_by("-round__year", "agency__name"))
    return render(request, "home.html", context)
