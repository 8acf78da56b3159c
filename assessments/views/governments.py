from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from agencies.access import (government_or_404, may_compare, may_read_ombudsman_products,
                             may_see_unpublished, may_verify, may_view_agency,
                             may_watch_progress)

from ..models import Round
from ..selectors.dashboard import government_dashboard
from ..selectors.governments import (choose_round, government_history, government_rounds,
                                     live_rounds, round_units)
from ..selectors.ombudsman_products import follow_up_rounds


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


def unit_rights(user, units):
    for unit in units:
        unit.can_open = may_view_agency(user, unit.assessment.agency)
    return units


@login_required
@require_safe
def government_detail(request, pk):
    """The chosen round (published figures by default) first; live rounds follow as
    projections, the chosen one first when it is live."""
    government = government_or_404(request.user, pk)
    history = government_history(government)
    rounds = government_rounds(government)
    round_ = choose_round(rounds, request.GET.get("round"))
    live = live_round_rights(request.user, live_rounds(government))
    live.sort(key=lambda entry: round_ is None or entry.round.id != round_.id)
    return render(request, "assessments/government_detail.html", {
        "government": government,
        "history": history,
        # Rounds in verification whose progress the reader may follow unit by unit (the
        # government's assessors and administrators: verified figures are not yet public).
        "verification_rounds": {entry.round.id for entry in live
                                if entry.round.state == Round.State.VERIFICATION
                                and may_see_unpublished(request.user, government.id)},
        "rounds": rounds,
        "round": round_,
        "round_units": unit_rights(request.user, round_units(government, round_))
        if round_ is not None and round_.is_published else [],
        "comparable": {row.round.id for row in history
                       if may_compare(request.user, government.id, row.round)},
        "can_watch_progress": may_watch_progress(request.user, government.id),
        "live_rounds": live,
        # Rounds whose instrument asks for the follow-up of the Ombudsman's products.
        "ombudsman_rounds": follow_up_rounds(government)
        if may_read_ombudsman_products(request.user, government.id) else [],
    })


@login_required
@require_safe
def government_dashboard_view(request, pk):
    government = government_or_404(request.user, pk)
    return render(request, "assessments/dashboard.html", {
        "government": government,
        **government_dashboard(government, request.GET.get("round"))})
