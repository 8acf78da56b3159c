"""Published results for everyone, logged in or not.

Only published (or closed) rounds exist here: an unpublished round is a 404 even for
administrators, so a public URL can never show figures before their announcement. Query
parameters come from allow-lists; a value outside one is ignored (the default applies), so a
hand-edited or stale link still shows a page instead of an error. Zone and name filters are
applied after ranking, so a government keeps the rank it has in its whole peer group.
"""
from collections import defaultdict

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from agencies.models import Province
from compliance.models import Zone

from ..models import GovernmentResult, Round
from ..selectors.rankings import GROUPS, published_rounds, ranking

PUBLISHED_STATES = [Round.State.PUBLISHED, Round.State.CLOSED]
SEARCH_MAX = 100
DEFAULT_GROUP = "kabupaten"


def _provinces_by_round(rounds):
    """Provinces with results in each round, by name (one query)."""
    pairs = (GovernmentResult.objects.filter(round__in=rounds)
             .values_list("round_id", "government__province_id", "government__province__name")
             .distinct().order_by("government__province__name"))
    provinces = defaultdict(list)
    for round_id, province_id, name in pairs:
        provinces[round_id].append({"id": province_id, "name": name})
    return provinces


@require_safe
def public_results(request):
    rounds = list(published_rounds())
    provinces = _provinces_by_round(rounds)
    return render(request, "assessments/public/index.html", {
        "rounds": [(round_, provinces.get(round_.id, [])) for round_ in rounds]})


def _filters(params, provinces):
    """The page's filters, each from its allow-list; anything else falls back to the default."""
    province = {str(p.id): p for p in provinces}.get(params.get("province", ""))
    allowed_groups = [key for key in GROUPS if province is not None or key != "all"]
    group = params.get("group", "")
    zone = params.get("zone", "")
    return {
        "province": province,
        "group": group if group in allowed_groups else DEFAULT_GROUP,
        "zone": zone if zone in Zone.values else "",
        "q": " ".join(params.get("q", "").split())[:SEARCH_MAX],
        "groups": [(key, GROUPS[key][0]) for key in allowed_groups],
    }


def _matches(row, zone, needle):
    if zone and row.zone != zone:
        return False
    if not needle:
        return True
    government = row.government
    return needle in government.name.casefold() or needle in government.short_name.casefold()


@require_safe
def public_round(request, round_id):
    round_ = get_object_or_404(
        Round.objects.filter(state__in=PUBLISHED_STATES).select_related("methodology"),
        id=round_id)
    provinces = list(Province.objects.filter(governments__results__round=round_)
                     .distinct().order_by("name"))
    filters = _filters(request.GET, provinces)
    table = ranking(round_=round_, province=filters["province"], group=filters["group"])
    needle = filters["q"].casefold()
    rows = [row for row in table.rows if _matches(row, filters["zone"], needle)]
    return render(request, "assessments/public/round.html", {
        "ranking": table, "rows": rows, "provinces": provinces, "filters": filters,
        "zones": Zone.choices,
        "filtered": bool(filters["zone"] or filters["q"]),
    })
