"""Read-only JSON API over published results, for provincial portals that embed the figures.

Only published rounds are reachable and nothing needs a token. Every parameter is checked
against an allow-list first: a bad one is a 400 with ``{"error": ...}``, never a 500, and no
query runs with an unchecked value. Scores are strings with two decimals ("34.19") so that a
portal shows exactly the published figure, with no binary floating point in between.
The number of queries does not depend on the number of rows (the ranking selector ranks in
Python over one query, and a page is a slice of it).
"""
import re
from functools import wraps

from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from agencies.models import Government, Province

from ..models import Round
from ..selectors.governments import government_history
from ..selectors.rankings import GROUPS, ranking

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
CACHE_SECONDS = 300
PUBLISHED_STATES = [Round.State.PUBLISHED, Round.State.CLOSED]
# ASCII digits only (int() would also take " 7", "+7", "٧" and "1_000") and short enough that
# no database integer overflows.
_NUMBER = re.compile(r"[0-9]{1,9}")
_PROVINCE_NAME_MAX = Province._meta.get_field("name").max_length


class Problem(Exception):
    """A request the API answers with an error document instead of data."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = str(message)
        self.status = status


def _json(data, status=200):
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def api_view(view):
    """GET and HEAD only; errors as JSON; cacheable and readable from any origin.

    Exempt from CSRF because nothing here writes: a POST should get the 405 below, not the
    CSRF middleware's HTML 403."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = _json({"error": _("Only GET and HEAD are allowed.")}, status=405)
            response["Allow"] = "GET, HEAD"
        else:
            try:
                response = view(request, *args, **kwargs)
            except Problem as problem:
                response = _json({"error": problem.message}, status=problem.status)
            else:
                patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def _integer(params, name, *, default=None, minimum=1, maximum=None):
    text = params.get(name, "")
    if text == "":
        if default is None:
            raise Problem(_("The parameter %(name)s is required.") % {"name": name})
        return default
    if not _NUMBER.fullmatch(text):
        raise Problem(_("The parameter %(name)s must be a whole number.") % {"name": name})
    value = int(text)
    if value < minimum:
        raise Problem(_("The parameter %(name)s must be at least %(minimum)s.") % {
            "name": name, "minimum": minimum})
    if maximum is not None and value > maximum:
        raise Problem(_("The parameter %(name)s must be at most %(maximum)s.") % {
            "name": name, "maximum": maximum})
    return value


def _group(params):
    group = params.get("group", "") or "kabupaten"
    if group not in GROUPS:
        raise Problem(_("Unknown group; use one of: %(groups)s.") % {
            "groups": ", ".join(GROUPS)})
    return group


def _province(params):
    """A province by name (case-insensitive) or by id; empty means national."""
    text = params.get("province", "").strip()
    if not text:
        return None
    province = None
    if _NUMBER.fullmatch(text):
        province = Province.objects.filter(id=int(text)).first()
    elif len(text) <= _PROVINCE_NAME_MAX and "\x00" not in text:
        province = Province.objects.filter(name__iexact=text).order_by("id").first()
    if province is None:
        raise Problem(_("Unknown province."))
    return province


def published_round_for_year(year):
    """The round a year's figures come from: the round run in the app when there is one
    (its results were computed from verified scores), else the imported official results."""
    return (Round.objects.filter(year=year, state__in=PUBLISHED_STATES)
            .select_related("methodology").order_by("is_official", "-id").first())


def decimal_text(value):
    if value is None:
        return None
    return f"{abs(value) if value == 0 else value:.2f}"


def _ranking_row(row):
    government = row.government
    return {
        "rank": row.rank,
        "government_id": government.id,
        "name": government.name,
        "level": government.level,
        "province": government.province.name,
        "score": decimal_text(row.score),
        "category": row.category or None,
        "zone": row.zone or None,  # None where the methodology has no zones (PEKPPP)
        "label": row.label or None,
        "previous_score": decimal_text(row.previous_score),
        "change": decimal_text(row.change),
    }


@api_view
def rankings(request):
    params = request.GET
    year = _integer(params, "year", minimum=0)
    page = _integer(params, "page", default=1)
    page_size = _integer(params, "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    group = _group(params)
    province = _province(params)
    if group == "all" and province is None:
        raise Problem(_("The group all needs a province."))
    round_ = published_round_for_year(year)
    if round_ is None:
        raise Problem(_("No published results for %(year)s.") % {"year": year}, status=404)
    table = ranking(round_=round_, province=province, group=group)
    count = len(table.rows)
    last_page = max(1, -(-count // page_size))
    if page > last_page:
        raise Problem(_("Page %(page)s is out of range (last page: %(last)s).") % {
            "page": page, "last": last_page})
    start = (page - 1) * page_size
    return _json({
        "year": round_.year,
        "round": round_.name,
        "methodology": round_.methodology.code,
        "status": "official",  # only published rounds are served: official results
        "group": group,
        "province": province.name if province else None,
        "count": count,
        # governments of the peer group the app knows; more than count + not_assessed means the
        # ranks rest on part of it (a partial import), not the published ranks
        "known_count": table.known_count,
        "partial": table.partial,
        "previous_year": table.previous_round.year if table.previous_round else None,
        # "change" compares scores of two methodologies: not like for like
        "methodology_changed": table.methodology_changed,
        "page": page,
        "page_size": page_size,
        "results": [_ranking_row(row) for row in table.rows[start:start + page_size]],
        "not_assessed": [
            {"government_id": result.government_id, "name": result.government.name,
             "level": result.government.level, "province": result.government.province.name,
             "reason": result.not_assessed_reason}
            for result in table.not_assessed],
    })


def _history_row(row):
    return {
        "year": row.round.year,
        "round": row.round.name,
        "methodology": row.round.methodology.code,
        "score": decimal_text(row.score),
        "not_assessed": row.not_assessed,
        "not_assessed_reason": row.not_assessed_reason or None,
        "category": row.category or None,
        "zone": row.zone or None,
        "label": row.label or None,
        "peer_rank": row.peer_rank,
        "peer_count": row.peer_count,
        "province_rank": row.province_rank,
        "province_count": row.province_count,
        "published_rank": row.published_rank or None,
        "change": decimal_text(row.change),
        "methodology_changed": row.methodology_changed,
    }


@api_view
def government_history_view(request, government_id):
    government = None
    if _NUMBER.fullmatch(government_id):
        government = (Government.objects.select_related("province")
                      .filter(id=int(government_id)).first())
    rows = government_history(government) if government is not None else []
    if not rows:
        raise Problem(_("No published results for this government."), status=404)
    return _json({
        "government": {"id": government.id, "name": government.name,
                       "level": government.level, "province": government.province.name},
        "results": [_history_row(row) for row in rows],
    })
