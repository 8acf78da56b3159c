"""The government dashboard: trend with methodology warnings, heat-map, weakest components,
path to the next zone; constant queries."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, AgencyKind
from assessments.models import Assessment
from assessments.models import Answer
from assessments.services.scores import assessment_recompute_scores

from tests.checklists import checklist

from .helpers import fill


@pytest.mark.django_db
def test_dashboard_tells_the_story(client, personas, live_round):
    a, b = live_round["assessments"]["a"], live_round["assessments"]["b"]
    fill(a, personas["operator"], weak=("sarana", "kompetensi"))
    fill(b, personas["operator"], weak=("sarana", "jumlah_pelaksana"))
    client.force_login(personas["leader"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("government-dashboard", args=[live_round["government"].id]))
    assert response.status_code == 200
    context = response.context
    assert [row.round.year for row in context["history"]] == [2021, 2022]
    assert "2021 and 2022 scores are on different methodologies" in context["warnings"][0]
    assert context["chart"]["scores"] == [34.19, 69.27]
    # sarana is 0 in both units; competence and staff numbers 0 in one (ties by letter)
    assert [c.code for c, _score in context["weakest"]] == ["sarana", "kompetensi",
                                                           "jumlah_pelaksana"]
    assert len(context["units"]) == 2 and len(context["units"][0].cells) == 14
    html = response.content.decode()
    assert 'id="trend-data" type="application/json"' in html
    assert "<script>" not in html  # the chart reads JSON; no inline script
    path = context["path"]
    assert path.target is not None and path.needed > 0
    assert context["plan"] and context["plan"][0][1].component.code == "sarana"


@pytest.mark.django_db
def test_dashboard_outside_scope_is_404(client, personas, live_round):
    client.force_login(personas["outsider"])
    url = reverse("government-dashboard", args=[live_round["government"].id])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_units(client, personas, live_round,
                                                   django_assert_num_queries):
    government, round_ = live_round["government"], live_round["round"]
    fill(live_round["assessments"]["a"], personas["operator"])
    client.force_login(personas["leader"])
    url = reverse("government-dashboard", args=[government.id])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(8):
        agency = Agency.objects.create(government=government, name=f"Puskesmas {index}",
                                       kind=AgencyKind.PUSKESMAS)
        assessment = Assessment.objects.create(round=round_, agency=agency, sampled=True)
        Answer.objects.bulk_create([Answer(assessment=assessment, indicator=indicator, value=2)
                                    for indicator in checklist().all()])
        assessment_recompute_scores(assessment=assessment)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["units"]) == 10


@pytest.mark.django_db
def test_first_year_without_published_unit_figures_shows_the_projection(client, personas,
                                                                        live_round):
    """Only official (imported) results are published: the live round is what there is, and
    it says that it is a projection."""
    client.force_login(personas["leader"])
    response = client.get(reverse("government-dashboard", args=[live_round["government"].id]))
    assert response.context["round"] == live_round["round"]
    html = response.content.decode()
    heading = re.search(r'<h2[^>]*id="units-title"[^>]*>(.*?)</h2>', html, re.S).group(1)
    assert "Proyeksi penilaian mandiri" in heading
