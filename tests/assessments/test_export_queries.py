"""Every export costs the same number of queries for a small and a large case: the province
and government workbooks (histories of every government read at once, not one per government)
and the national workbook."""
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, AgencyKind, Government, Level
from assessments.models import (ActionItem, Answer, Assessment, Evidence, GovernmentResult,
                                Round)
from assessments.services.scores import assessment_recompute_scores
from assessments.spreadsheets.national_export import national_workbook

from tests.checklists import checklist


def add_unit(round_, government, name, sampled=True):
    agency = Agency.objects.create(government=government, name=name,
                                   kind=AgencyKind.PUSKESMAS)
    assessment = Assessment.objects.create(round=round_, agency=agency, sampled=sampled)
    answers = Answer.objects.bulk_create([
        Answer(assessment=assessment, indicator=indicator, value=2, finding="Belum lengkap")
        for indicator in checklist().filter(active=True)])
    Evidence.objects.create(assessment=assessment, indicator=answers[0].indicator,
                            kind="link", url="https://example.org/sk.pdf")
    ActionItem.objects.create(agency=agency, source_answer=answers[0], title="Lengkapi SK")
    assessment_recompute_scores(assessment=assessment)
    return assessment


def add_governments(live_round, count):
    """Governments in the same province, each with two units and a published 2022 result."""
    round_, province = live_round["round"], live_round["government"].province
    published = Round.objects.get(year=2022)
    for index in range(count):
        government = Government.objects.create(province=province, level=Level.KABUPATEN,
                                               name=f"Kabupaten Uji {index}")
        GovernmentResult.objects.create(round=published, government=government,
                                        score=Decimal(50 + index), zone="yellow")
        for unit in range(2):
            add_unit(round_, government, f"Puskesmas Uji {index}-{unit}")


def queries(client, url):
    client.get(url)  # warms the methodology cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_province_workbook_queries_do_not_grow_with_governments(
        client, personas, live_round, django_assert_num_queries):
    add_unit(live_round["round"], live_round["government"], "Puskesmas Awal")
    url = reverse("province-report-xlsx", args=[live_round["round"].id,
                                                live_round["government"].province_id])
    client.force_login(personas["admin"])
    small = queries(client, url)
    governments = Government.objects.filter(province=live_round["government"].province).count()
    add_governments(live_round, 6)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200
    assert Government.objects.filter(province=live_round["government"].province).count() \
        == governments + 6


@pytest.mark.django_db
def test_government_workbook_queries_do_not_grow_with_units(
        client, personas, live_round, django_assert_num_queries):
    government, round_ = live_round["government"], live_round["round"]
    add_unit(round_, government, "Puskesmas Awal")
    url = reverse("government-report-xlsx", args=[round_.id, government.id])
    client.force_login(personas["leader"])
    small = queries(client, url)
    for index in range(6):
        add_unit(round_, government, f"Puskesmas {index}", sampled=index % 2 == 0)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
def test_national_workbook_queries_do_not_grow(live_round, django_assert_num_queries):
    round_ = live_round["round"]
    add_unit(round_, live_round["government"], "Puskesmas Awal")
    national_workbook(round_, io.BytesIO())  # warms the methodology cache
    with CaptureQueriesContext(connection) as small:
        national_workbook(round_, io.BytesIO())
    add_governments(live_round, 6)
    with django_assert_num_queries(len(small)):
        counts = national_workbook(round_, io.BytesIO())
    assert counts["units"] == 3 + 1 + 12
