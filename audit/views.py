from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.access import scope_of
from audit.selectors import audit_page
from audit.triggers import AUDITED


@login_required
@require_GET
def audit_log(request):
    if not scope_of(request.user).administrator:
        raise PermissionDenied
    page, filters = audit_page(request.GET)
    return render(request, "audit/log.html", {
        "page": page, "filters": filters, "tables": sorted(AUDITED)})
