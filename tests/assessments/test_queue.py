"""The assessor's work queue: only the governments assigned to the assessor, status per
source, visits and deadlines, sorting and filtering from allow-lists, constant queries."""
from datetime import date

import pytest
from django.urls import reverse

from agencies.models import Agency, AgencyKind
from assessments.models import Assessment
from assessments.selectors.queue import assessor_queue
from assessments.services import fieldwork

from .fieldwork_fixtures import to_verification
from .helpers import sample_two

pytestmark = pytest.mark.django_db


def names(result):
    return [row.agency.name for row in result["rows"]]


def test_another_governments_units_never_appear(field_round):
    assessor = field_round["personas"]["assessor"]
    kendari = field_round["kendari"]
    assert names(assessor_queue(assessor, {})) == ["DPMPTSP Muna Barat",
                                                   "Disdukcapil Muna Barat"]
    # Asking for Kendari by id is not in the allow-list: the filter is dropped, not obeyed.
    result = assessor_queue(assessor, {"government": str(kendari.id)})
    assert result["chosen"]["government"] is None
    assert "DPMPTSP Kendari" not in names(result)
    assert names(assessor_queue(field_round["kendari_assessor"], {})) == ["DPMPTSP Kendari"]


def test_the_page_is_for_assessors(field_round, client):
    personas = field_round["personas"]
    client.force_login(personas["operator"])
    assert client.get(reverse("assessor-queue")).status_code == 403
    for persona in ("coordinator", "leader"):
        client.force_login(personas[persona])
        assert client.get(reverse("assessor-queue")).status_code == 403
    client.force_login(field_round["kendari_assessor"])
    page = client.get(reverse("assessor-queue")).content.decode()
    assert "DPMPTSP Kendari" in page
    assert "Muna Barat" not in page


def test_an_administrator_reads_the_queue_of_an_assessor_chosen_from_the_allow_list(
        field_round, client):
    personas = field_round["personas"]
    admin, kendari_assessor = personas["admin"], field_round["kendari_assessor"]
    result = assessor_queue(admin, {})
    assert result["assessor_choices"] == [(personas["assessor"].id, "assessor"),
                                          (kendari_assessor.id, "assessor_k")]
    assert result["choose_assessor"] and names(result) == []  # asked to choose first
    assert names(assessor_queue(admin, {"assessor": str(personas["assessor"].id)})) == [
        "DPMPTSP Muna Barat", "Disdukcapil Muna Barat"]
    chosen = assessor_queue(admin, {"assessor": str(kendari_assessor.id)})
    assert names(chosen) == ["DPMPTSP Kendari"]
    assert chosen["chosen"]["assessor"] == kendari_assessor.id and not chosen["choose_assessor"]
    assert chosen["governments"] == [(field_round["kendari"].id, "Kota Kendari")]
    # Someone who is no assessor (the coordinator, the administrator) is not in the list: the
    # choice is dropped, not obeyed.
    for stranger in (personas["coordinator"], admin):
        refused = assessor_queue(admin, {"assessor": str(stranger.id)})
        assert refused["chosen"]["assessor"] is None and names(refused) == []
    # An assessor has no choice: the parameter cannot show them a colleague's queue.
    own = assessor_queue(personas["assessor"], {"assessor": str(kendari_assessor.id)})
    assert own["assessor_choices"] == [] and own["chosen"]["assessor"] is None
    assert names(own) == ["DPMPTSP Muna Barat", "Disdukcapil Muna Barat"]
    client.force_login(admin)
    rounds = client.get(reverse("round-list")).content.decode()
    assert f'href="{reverse("assessor-queue")}" id="assessors-queues"' in rounds
    page = client.get(reverse("assessor-queue")).content.decode()
    assert 'id="q-assessor"' in page and 'id="queue-choose"' in page
    assert 'id="nav-queue"' not in page  # not in the administrator's full navigation bar
    assert "Muna Barat</a>" not in page
    page = client.get(reverse("assessor-queue"), {"assessor": kendari_assessor.id}).content.decode()
    assert "DPMPTSP Kendari</a>" in page and "DPMPTSP Muna Barat" not in page
    client.force_login(personas["assessor"])
    page = client.get(reverse("assessor-queue")).content.decode()
    assert 'id="q-assessor"' not in page and 'id="nav-queue"' in page


def test_status_per_source_and_filters(field_round):
    assessor = field_round["personas"]["assessor"]
    a = field_round["assessments"]["a"]
    sample_two(field_round)
    fieldwork.visit_save(assessment_id=a.id, user=assessor, planned_on=date(2026, 7, 1))
    fieldwork.visit_save(assessment_id=a.id, user=assessor, planned_on=date(2026, 6, 1),
                         done_on=date(2026, 6, 2))
    to_verification(field_round["round"])
    ind = field_round["indicators"]
    for role in ("head", "section_head"):
        fieldwork.interview_record(assessment_id=a.id, user=assessor, role=role,
                                   interviewed_on=date(2026, 6, 2), values={ind["IN1"].id: 2})
    fieldwork.complaint_record_save(assessment_id=a.id, user=assessor, channel="sp4n_lapor",
                                    received=4, resolved=4, median_days=None)
    fieldwork.survey_record(assessment_id=a.id, user=assessor, respondents=None,
                            aggregate_score=None, no_survey_reason="Belum ada SKM")
    rows = {row.agency.name: row for row in assessor_queue(assessor, {})["rows"]}
    row = rows["DPMPTSP Muna Barat"]
    assert (row.interviews_done, row.interviews_needed) == (2, 4)
    assert (row.observed, row.samples) == (0, 2)
    assert row.complaint_channels == 1
    assert row.survey_state == "without"
    assert row.next_visit == date(2026, 7, 1)
    assert row.last_visit == date(2026, 6, 2)
    assert rows["Disdukcapil Muna Barat"].survey_state == "missing"
    assert names(assessor_queue(assessor, {"missing": "complaints"})) == [
        "Disdukcapil Muna Barat"]
    assert names(assessor_queue(assessor, {"missing": "survey"})) == ["Disdukcapil Muna Barat"]
    assert names(assessor_queue(assessor, {"missing": "interviews"})) == [
        "DPMPTSP Muna Barat", "Disdukcapil Muna Barat"]
    assert names(assessor_queue(assessor, {"status": "finalised"})) == []
    assert names(assessor_queue(assessor, {"sort": "visit"}))[0] == "DPMPTSP Muna Barat"


def test_sorting_comes_from_an_allow_list(field_round):
    assessor = field_round["personas"]["assessor"]
    for hostile in ("-agency__name", "password", "agency__government__name__foo", "1; DROP"):
        result = assessor_queue(assessor, {"sort": hostile})
        assert result["chosen"]["sort"] == "deadline"
    assert names(assessor_queue(assessor, {"sort": "unit"})) == ["DPMPTSP Muna Barat",
                                                                 "Disdukcapil Muna Barat"]


def test_constant_queries(field_round, django_assert_num_queries):
    """Two units or ten: the same number of queries (the rows, the instruments asking for
    interviews, the government choices)."""
    assessor = field_round["personas"]["assessor"]
    government = field_round["government"]

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as queries:
            assessor_queue(assessor, {})
        return len(queries)

    assessor_queue(assessor, {})  # the scope is read once per request (cached on the user)
    few = count()
    for number in range(8):
        agency = Agency.objects.create(government=government, name=f"Puskesmas {number}",
                                       kind=AgencyKind.PUSKESMAS)
        Assessment.objects.create(round=field_round["round"], agency=agency, sampled=True)
    assert len(assessor_queue(assessor, {})["rows"]) == 10
    with django_assert_num_queries(few):
        assessor_queue(assessor, {})
