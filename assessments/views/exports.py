"""Round workbooks for a government or a province. The download link on the page shows a
"preparing" status until the file arrives (static/js/downloads.js watches for the cookie this
view sets), so nobody is left waiting without feedback."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import slugify

from agencies.access import government_or_404, scope_of
from agencies.models import Government, Province

from ..models import Round
from ..selectors.rankings import ranking
from ..selectors.round_report import history_of
from ..spreadsheets.print_setup import display_name
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


def _may_see_verified(user, round_, government_ids):
    scope = scope_of(user)
    return round_.is_published or scope.administrator or bool(
        set(government_ids) & scope.assessor_governments)


def _evidence_url(request):
    def build(evidence):
        return request.build_absolute_uri(reverse("evidence-download", args=[evidence.id]))
    return build


@login_required
def government_report_xlsx(request, round_id, pk):
    government = government_or_404(request.user, pk)
    round_ = get_object_or_404(Round.objects.select_related("methodology"), id=round_id)
    data = ranking(round_=round_, province=government.province, group=government.level) \
        if round_.is_published else None
    content = round_workbook(
        round_=round_, governments=[government], ranking_=data,
        history=history_of([government]),
        verified=_may_see_verified(request.user, round_, [government.id]),
        evidence_url=_evidence_url(request), made_by=display_name(request.user))
    return _respond(request, content,
                    f"rapor-{round_.year}-{slugify(government.name)}.xlsx")


@login_required
def province_report_xlsx(request, round_id, province_id):
    """A whole province's workbook holds every government's units: administrators and the
    assessors working in that province only."""
    province = get_object_or_404(Province, id=province_id)
    scope = scope_of(request.user)
    governments = list(Government.objects.filter(province=province).select_related("province")
                       .order_by("name"))
    ids = {g.id for g in governments}
    if not (scope.administrator or ids & scope.assessor_governments):
        raise PermissionDenied
    round_ = get_object_or_404(Round.objects.select_related("methodology"), id=round_id)
    data = ranking(round_=round_, province=province, group="all") if round_.is_published \
        else None
    content = round_workbook(round_=round_, governments=governments, ranking_=data,
                             history=history_of(governments),
                             verified=_may_see_verified(request.user, round_, ids),
                             evidence_url=_evidence_url(request),
                             made_by=display_name(request.user))
    return _respond(request, content, f"laporan-{round_.year}-{slugify(province.name)}.xlsx")
