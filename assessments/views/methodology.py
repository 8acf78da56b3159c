"""The public Methodology pages (no login): how each methodology turns answers into scores and
scores into bands, with the status of every rule."""
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..selectors.methodology import methodologies, methodology_page


@require_safe
def methodology_list(request):
    return render(request, "assessments/methodology/list.html",
                  {"methodologies": methodologies()})


@require_safe
def methodology_detail(request, code):
    page = methodology_page(code=code, instrument_id=request.GET.get("instrument"))
    return render(request, "assessments/methodology/detail.html", {"page": page})
