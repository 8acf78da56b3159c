from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.access import may_administer, require
from audit.selectors import audit_page
from audit.triggers import AUDITED


@login_required
@require_GET
def audit_log(request):
    require(may_administer(request.user))
    page, filters = audit_page(request.GET)
    return render(request, "audit/log.html", {
        "page": page, "filters": filters, "tables": sorted(AUDITED)})
