"""Province rankings of a round, as a page and as an .xlsx download.

Published rounds are public results; an unpublished round's ranking is a 404 for everyone
the access policy does not let see it (``may_see_unpublished_ranking``)."""
from dataclasses import replace
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from agencies.access import may_download_province_report
from agencies.models import Province

from ..lookups import ranking_round_or_404
from ..selectors.rankings import (GROUPS, ZONES, filter_rows, most_improved, published_rounds,
                                 ranking)
from compliance.spreadsheets.print_setup import display_name
from ..spreadsheets.ranking_export import ranking_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round_for(request, round_id):
    return ranking_round_or_404(request.user, round_id)


def _filters(request, province):
    """The peer group, zone and name filter from the query string, through allow-lists; the
    page and its .xlsx read them the same way, so the download holds the rows shown."""
    group = request.GET.get("group", "kabupaten")
    group = group if group in GROUPS else "kabupaten"
    if province is None and group == "all":
        group = "kabupaten"
    zone = request.GET.get("zone", "")
    return group, (zone if zone in ZONES else ""), request.GET.get("q", "")[:100]


@require_safe
def ranking_index(request):
    rounds = list(published_rounds())
    provinces = list(Province.objects.filter(governments__results__round__in=rounds)
                     .distinct().order_by("name"))
    return render(request, "assessments/ranking_index.html",
                  {"rounds": rounds, "provinces": provinces})


def _page(request, round_, province):
    group, zone, query = _filters(request, province)
    data = ranking(round_=round_, province=province, group=group)
    return render(request, "assessments/ranking_province.html", {
        "ranking": data, "rows": filter_rows(data.rows, zone=zone, query=query),
        "zone": zone, "query": query, "zones": ZONES,
        "filter_query": urlencode({key: value for key, value in
                                   (("group", group), ("zone", zone), ("q", query)) if value}),
        "improved": most_improved(data),
        "province_report": province is not None and request.user.is_authenticated
        and may_download_province_report(request.user, province.governments.values_list(
            "id", flat=True)),
        "groups": [(key, label) for key, (label, _levels) in GROUPS.items()
                   if province is not None or key != "all"],
    })


@require_safe
def ranking_province(request, round_id, province_id):
    round_ = _round_for(request, round_id)
    return _page(request, round_, get_object_or_404(Province, id=province_id))


@require_safe
def ranking_national(request, round_id):
    return _page(request, _round_for(request, round_id), None)


def _xlsx(request, round_, province):
    group, zone, query = _filters(request, province)
    data = ranking(round_=round_, province=province, group=group)
    shown = replace(data, rows=filter_rows(data.rows, zone=zone, query=query))
    response = HttpResponse(ranking_workbook(shown, made_by=display_name(request.user)),
                            content_type=XLSX)
    place = slugify(province.name) if province else "nasional"
    suffix = "-filtered" if zone or query else ""
    filename = f"ranking-{round_.year}-{place}-{group}{suffix}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def ranking_province_xlsx(request, round_id, province_id):
    round_ = _round_for(request, round_id)
    return _xlsx(request, round_, get_object_or_404(Province, id=province_id))


@require_safe
def ranking_national_xlsx(request, round_id):
    return _xlsx(request, _round_for(request, round_id), None)
