from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from agencies.access import government_or_404, scope_of

from ..selectors.dashboard import government_dashboard
from ..selectors.governments import government_history, live_rounds


@login_required
def government_detail(request, pk):
    government = government_or_404(request.user, pk)
    return render(request, "assessments/government_detail.html", {
        "government": government,
        "history": government_history(government),
        "live_rounds": live_rounds(government),
        "is_assessor": government.id in scope_of(request.user).assessor_governments,
    })


@login_required
def government_dashboard_view(request, pk):
    government = government_or_404(request.user, pk)
    return render(request, "assessments/dashboard.html", {
        "government": government, **government_dashboard(government)})
