"""The assessor's work queue across the governments assigned to them (``may_use_assessor_queue``;
the rows: ``queue_government_ids``)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from agencies.access import may_use_assessor_queue, require

from ..selectors.queue import assessor_queue


@login_required
@require_safe
def assessor_queue_view(request):
    require(may_use_assessor_queue(request.user))
    return render(request, "assessments/fieldwork/queue.html",
                  assessor_queue(request.user, request.GET))
