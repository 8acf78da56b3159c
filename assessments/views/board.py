"""The coordinator's progress board: how far every agency of a government has got in the open
round. Coordinators, leaders and assessors of the government and administrators read it;
operators are in the government's scope (they read its page) but not entitled to this one."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from agencies.access import government_or_404, scope_of

from ..selectors.board import progress_board as board_of


def can_watch_progress(user, government_id) -> bool:
    """Operators pass ``government_or_404`` for their own government, so the role is checked
    after it: an operator gets 403 here, never 404."""
    scope = scope_of(user)
    return scope.administrator or government_id in (
        scope.coordinator_governments | scope.leader_governments | scope.assessor_governments)


@login_required
def progress_board(request, pk):
    government = government_or_404(request.user, pk)
    if not can_watch_progress(request.user, government.id):
        raise PermissionDenied
    board = board_of(government, round_id=request.GET.get("round"),
                     sort=request.GET.get("sort"))
    return render(request, "assessments/board.html", {"government": government, "board": board})
