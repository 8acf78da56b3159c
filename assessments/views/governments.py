from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from agencies.access import (government_or_404, may_compare, may_verify, may_view_agency,
                             may_watch_progress)

from ..models import Round
from ..selectors.dashboard import government_dashboard
from ..selectors.governments import government_history, live_rounds


def live_round_rights(user, live):
    """Which units' checklists the user may open from the government page (an operator only
    their own), and where the Verify link belongs (the government's assessors, in
    verification)."""
    for entry in live:
        in_verification = entry.round.state == Round.State.VERIFICATION
        for unit in entry.units:
            unit.can_open = may_view_agency(user, unit.agency)
            unit.can_verify = in_verification and may_verify(user, unit)
    return live


@login_required
@require_safe
def government_detail(request, pk):
    government = government_or_404(request.user, pk)
    history = government_history(government)
    return render(request, "assessments/government_detail.html", {
        "government": government,
        "history": history,
        "comparable": {row.round.id for row in history
                       if may_compare(request.user, government.id, row.round)},
        "can_watch_progress": may_watch_progress(request.user, government.id),
        "live_rounds": live_round_rights(request.user, live_rounds(government)),
    })


@login_required
@require_safe
def government_dashboard_view(request, pk):
    government = government_or_404(request.user, pk)
    return render(request, "assessments/dashboard.html", {
        "government": government, **government_dashboard(government)})
