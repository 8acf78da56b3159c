"""Round workbooks for a government or a province. The download link on the page shows a
"preparing" status until the file arrives (static/js/downloads.js watches for the cookie this
view sets), so nobody is left waiting without feedback.

A workbook holds only rows its reader may see on the pages (the access policy decides): an
operator gets their own agency's units, an assessor the governments assigned to them, and
verified values and findings appear only where the reader may read them."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from agencies.access import (government_or_404, may_download_province_report, may_read_verified,
                             may_view_government, report_agency_ids, require)
from agencies.models import Government, Province

from ..lookups import round_or_404
from ..selectors.rankings import ranking
from ..selectors.round_report import history_of
from compliance.spreadsheets.print_setup import display_name
from ..spreadsheets.round_report import round_workbook
from .rankings import XLSX

TOKEN_COOKIE = "download_token"


def _respond(request, content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    token = request.GET.get("token", "")
    # ASCII only: str.isalnum() also takes "٣" or "𝔘", which a Set-Cookie header (latin-1)
    # cannot carry, and the response would fail as it is written out.
    if token.isascii() and token.isalnum() and len(token) <= 40:
        response.set_cookie(TOKEN_COOKIE, token, max_age=60, samesite="Strict",
                            secure=request.is_secure())
    return response


def _evidence_url(request):
    def build(evidence):
        return request.build_absolute_uri(reverse("evidence-download", args=[evidence.id]))
    return build


@login_required
@require_safe
def government_report_xlsx(request, round_id, pk):
    government = government_or_404(request.user, pk)
    round_ = round_or_404(round_id)
    data = ranking(round_=round_, province=government.province, group=government.level) \
        if round_.is_published else None
    content = round_workbook(
        round_=round_, governments=[government], ranking_=data,
        history=history_of([government]),
        verified=may_read_verified(request.user, round_, government.id),
        agency_ids=report_agency_ids(request.user, government.id),
        evidence_url=_evidence_url(request), made_by=display_name(request.user))
    return _respond(request, content,
                    f"rapor-{round_.year}-{slugify(government.name)}.xlsx")


@login_required
@require_safe
def province_report_xlsx(request, round_id, province_id):
    """A province's workbook: the governments of the province the reader may see, each with
    its units; the published ranking of the whole province (public anyway)."""
    province = get_object_or_404(Province, id=province_id)
    everyone = list(Government.objects.filter(province=province).select_related("province")
                    .order_by("name"))
    require(may_download_province_report(request.user, [g.id for g in everyone]))
    governments = [g for g in everyone if may_view_government(request.user, g.id)]
    round_ = round_or_404(round_id)
    data = ranking(round_=round_, province=province, group="all") if round_.is_published \
        else None
    content = round_workbook(round_=round_, governments=governments, ranking_=data,
                             history=history_of(governments),
                             verified=all(may_read_verified(request.user, round_, g.id)
                                          for g in governments),
                             evidence_url=_evidence_url(request),
                             made_by=display_name(request.user))
    return _respond(request, content, f"laporan-{round_.year}-{slugify(province.name)}.xlsx")
