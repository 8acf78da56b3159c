"""The coordinator's progress board: how far every agency of a government has got in the open
round (who reads it: ``may_watch_progress`` in the access policy)."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from agencies.access import government_or_404, may_watch_progress, require

from ..selectors.board import progress_board as board_of


@login_required
@require_safe
def progress_board(request, pk):
    government = government_or_404(request.user, pk)
    require(may_watch_progress(request.user, government.id))
    board = board_of(government, round_id=request.GET.get("round"),
                     sort=request.GET.get("sort"))
    return render(request, "assessments/board.html", {"government": government, "board": board})
