"""A checklist's change history, for everyone who may read the checklist. Verified values and
findings appear in it for whom may read the verified figures (``may_read_rapor``)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from agencies.access import may_read_rapor

from ..lookups import assessment_or_404
from ..selectors.history import checklist_history_rows


@login_required
@require_safe
def checklist_history(request, pk):
    assessment = assessment_or_404(request.user, pk)
    rows = checklist_history_rows(
        assessment, with_verification=may_read_rapor(request.user, assessment))
    return render(request, "assessments/checklist_history.html", {
        "assessment": assessment, "rows": rows})
