"""The comparison and the rapor of a round still in self-assessment (nothing verified yet):
nobody but administrators and assessors reads them, unknown objects are 404, and the query
counts do not grow with the number of units. (The verified round's figures and readers:
tests/assessments/test_reports.py.)

The live round and personas are built once for the module (``shared_live_round``,
tests/conftest.py); each test runs in a savepoint of it."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, AgencyKind
from assessments.models import Assessment, ComponentScore
from assessments.selectors.comparison import government_comparison, rapor
from compliance.models import Component
from tests.checklists import checklist
from tests.shared_round import (  # noqa: F401 (the fixtures live_round and personas)
    shared_module_live_round, shared_module_personas)

from .helpers import BEFORE_PUBLICATION, check_report_access, comparison_url


@pytest.mark.django_db
def test_in_self_assessment_nobody_else_reads_them_either(live_round, personas):
    from django.test import Client

    assert live_round["round"].state == "self_assessment"
    check_report_access(Client, live_round, personas, BEFORE_PUBLICATION)


@pytest.mark.django_db
def test_unknown_objects_are_404(client, live_round, personas):
    client.force_login(personas["admin"])
    assert client.get(reverse("comparison", args=[live_round["government"].id, 999999])
                      ).status_code == 404
    assert client.get(reverse("comparison", args=[999999, live_round["round"].id])
                      ).status_code == 404
    assert client.get(reverse("rapor", args=[999999])).status_code == 404
    assert client.get(reverse("rapor-xlsx", args=[999999])).status_code == 404


# --- query counts ------------------------------------------------------------------------------

def add_units(live_round, count, start):
    """Extra units of Muna Barat with stored scores (written directly: only the count of
    queries is under test here)."""
    components = list(Component.objects.all())
    for number in range(start, start + count):
        agency = Agency.objects.create(government=live_round["government"],
                                       name=f"Puskesmas {number}", kind=AgencyKind.PUSKESMAS)
        assessment = Assessment.objects.create(
            round=live_round["round"], agency=agency, sampled=number % 2 == 0,
            self_score=Decimal(50 + number), verified_score=Decimal(40 + number))
        ComponentScore.objects.bulk_create(
            [ComponentScore(assessment=assessment, component=component,
                            self_score=Decimal(60), verified_score=Decimal(number))
             for component in components])


@pytest.mark.django_db
def test_comparison_costs_the_same_queries_for_2_and_7_units(client, live_round, personas,
                                                              django_assert_num_queries):
    government, round_ = live_round["government"], live_round["round"]
    url = comparison_url(live_round)
    client.force_login(personas["admin"])
    assert client.get(url).status_code == 200  # warms the methodology cache
    assert Assessment.objects.filter(round=round_, agency__government=government).count() == 2
    with CaptureQueriesContext(connection) as two:  # session, user, scope, objects, selector
        assert client.get(url).status_code == 200
    # units, component scores, result; the dimensions: self and verified answers (no products
    # on the app's checklist); the methodology's bands and the round's indicators are cached.
    with django_assert_num_queries(6):
        government_comparison(government=government, round_=round_)

    add_units(live_round, 5, start=10)
    assert Assessment.objects.filter(round=round_, agency__government=government).count() == 7
    with django_assert_num_queries(len(two)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="unit-') == 7
    with django_assert_num_queries(6):
        government_comparison(government=government, round_=round_)


@pytest.mark.django_db
def test_rapor_costs_a_fixed_number_of_queries(live_round, django_assert_num_queries):
    assessment = Assessment.objects.select_related("round", "agency__government").get(
        id=live_round["assessments"]["a"].id)
    rapor(assessment)  # warms the methodology and indicator caches
    with django_assert_num_queries(3):  # answers, component scores, survey record
        report = rapor(assessment)
    assert len(report.indicators) == checklist().filter(active=True).count()
