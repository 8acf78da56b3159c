"""Round workbooks for a government or a province, downloaded directly. The download link on
the page shows a "preparing" status until the file arrives (static/js/downloads.js watches for
the cookie this view sets), so nobody is left waiting without feedback. The same files can be
prepared in the background (the exports app); both go through ``assessments.downloads``.

A workbook holds only rows its reader may see on the pages (the access policy decides): an
operator gets their own agency's units, an assessor the governments assigned to them, and
verified values and findings appear only where the reader may read them."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from ..downloads import direct

TOKEN_COOKIE = "download_token"


def _respond(request, built):
    response = HttpResponse(built.content, content_type=built.content_type)
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    response["Cache-Control"] = "no-store"
    token = request.GET.get("token", "")
    # ASCII only: str.isalnum() also takes "٣" or "𝔘", which a Set-Cookie header (latin-1)
    # cannot carry, and the response would fail as it is written out.
    if token.isascii() and token.isalnum() and len(token) <= 40:
        response.set_cookie(TOKEN_COOKIE, token, max_age=60, samesite="Strict",
                            secure=request.is_secure())
    return response


@login_required
@require_safe
def government_report_xlsx(request, round_id, pk):
    return _respond(request, direct("government", request, {"round": round_id,
                                                            "government": pk}))


@login_required
@require_safe
def province_report_xlsx(request, round_id, province_id):
    """A province's workbook: the governments of the province the reader may see, each with
    its units; the published ranking of the whole province (public anyway)."""
    return _respond(request, direct("province", request, {"round": round_id,
                                                          "province": province_id}))
