"""Province rankings of a round, as a page and as an .xlsx download.

Published rounds are public results; an unpublished round's ranking exists only for
administrators and assessors (everyone else gets a 404)."""
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify

from agencies.access import scope_of
from agencies.models import Province

from ..models import Round
from ..selectors.rankings import (GROUPS, ZONES, filter_rows, most_improved, published_rounds,
                                 ranking)
from ..spreadsheets.print_setup import display_name
from ..spreadsheets.ranking_export import ranking_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round_for(request, round_id):
    round_ = get_object_or_404(Round.objects.select_related("methodology"), id=round_id)
    if not round_.is_published:
        scope = scope_of(request.user)
        if not (scope.administrator or scope.assessor_governments):
            raise Http404
    return round_


def _group(request):
    group = request.GET.get("group", "kabupaten")
    return group if group in GROUPS else "kabupaten"


def ranking_index(request):
    rounds = list(published_rounds())
    provinces = list(Province.objects.filter(governments__results__round__in=rounds)
                     .distinct().order_by("name"))
    return render(request, "assessments/ranking_index.html",
                  {"rounds": rounds, "provinces": provinces})


def _page(request, round_, province):
    group = _group(request)
    if province is None and group == "all":
        group = "kabupaten"
    data = ranking(round_=round_, province=province, group=group)
    zone = request.GET.get("zone", "")
    zone = zone if zone in ZONES else ""
    query = request.GET.get("q", "")[:100]
    return render(request, "assessments/ranking_province.html", {
        "ranking": data, "rows": filter_rows(data.rows, zone=zone, query=query),
        "zone": zone, "query": query, "zones": ZONES,
        "improved": most_improved(data),
        "groups": [(key, label) for key, (label, _levels) in GROUPS.items()
                   if province is not None or key != "all"],
    })


def ranking_province(request, round_id, province_id):
    round_ = _round_for(request, round_id)
    return _page(request, round_, get_object_or_404(Province, id=province_id))


def ranking_national(request, round_id):
    return _page(request, _round_for(request, round_id), None)


def ranking_province_xlsx(request, round_id, province_id):
    round_ = _round_for(request, round_id)
    province = get_object_or_404(Province, id=province_id)
    group = _group(request)
    content = ranking_workbook(ranking(round_=round_, province=province, group=group),
                               made_by=display_name(request.user))
    response = HttpResponse(content, content_type=XLSX)
    filename = f"ranking-{round_.year}-{slugify(province.name)}-{group}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
