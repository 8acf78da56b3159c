from django.shortcuts import render
from django.views.decorators.http import require_safe

from agencies.access import own_agency_ids, visible_governments

from ..selectors.home import my_checklists
from ..selectors.rankings import published_rounds


@require_safe
def home(request):
    context = {"rounds": published_rounds()[:5]}
    if request.user.is_authenticated:
        context["governments"] = visible_governments(request.user).order_by("name")[:50]
        context["my_checklists"] = my_checklists(own_agency_ids(request.user))
    return render(request, "home.html", context)
