"""A checklist's change history, for everyone who may read the checklist. Verified values and
findings appear in it for whom may read the verified figures (the rapor's rule)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..selectors.history import checklist_history_rows
from .checklist import assessment_or_404
from .reports import can_read_rapor


@login_required
def checklist_history(request, pk):
    assessment = assessment_or_404(request.user, pk)
    rows = checklist_history_rows(
        assessment, with_verification=can_read_rapor(request.user, assessment))
    return render(request, "assessments/checklist_history.html", {
        "assessment": assessment, "rows": rows})
