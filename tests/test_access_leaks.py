"""The leaks an independent review found, one test each: exports held rows their reader could
not see on a page, an unpublished ranking was readable by any assessor, and a checklist could be
returned while the round was in verification. Each test failed before the access policy was
made the one place that decides."""
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Role
from assessments.models import ActionItem, Answer, Assessment, Evidence, Round
from assessments.services.answers import ChecklistLocked
from assessments.services.workflow import assessment_return

from tests.checklists import checklist
from tests.conftest import make_user

SECRET_NOTE = "Catatan internal Disdukcapil"
SECRET_ACTION = "Rencana aksi Disdukcapil"
SECRET_LINK = "https://disdukcapil.example.org/sk-rahasia"
KENDARI_FINDING = "Temuan pemeriksa di Kendari"


def cells(content: bytes) -> list[str]:
    workbook = load_workbook(BytesIO(content), read_only=True)
    return [str(value) for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True) for value in row if value is not None]


def contains(content, text) -> bool:
    return any(text in value for value in cells(content))


@pytest.fixture
def other_units(live_round):
    """Disdukcapil (unit b) of Muna Barat has a note, a link and an action; Kendari's unit has
    a verified value with a finding."""
    indicator = checklist().filter(active=True).first()
    unit_b = live_round["assessments"]["b"]
    Answer.objects.create(assessment=unit_b, indicator=indicator, value=1, note=SECRET_NOTE)
    Evidence.objects.create(assessment=unit_b, indicator=indicator, kind="link", url=SECRET_LINK)
    ActionItem.objects.create(agency=unit_b.agency, title=SECRET_ACTION)
    kendari = live_round["assessments"]["k"]
    Answer.objects.create(assessment=kendari, indicator=indicator, value=1, verified_value=0,
                          finding=KENDARI_FINDING)
    return live_round


@pytest.mark.django_db
def test_an_operators_government_workbook_holds_only_their_own_agency(client, personas,
                                                                      other_units):
    round_, government = other_units["round"], other_units["government"]
    client.force_login(personas["operator"])
    # The other agency's pages are not found for this operator...
    b = other_units["assessments"]["b"]
    assert client.get(reverse("checklist", args=[b.id])).status_code == 404
    assert client.get(reverse("agency-actions", args=[b.agency_id])).status_code == 404
    # ...so the government workbook holds none of its rows either.
    response = client.get(reverse("government-report-xlsx", args=[round_.id, government.id]))
    assert response.status_code == 200
    for secret in (SECRET_NOTE, SECRET_ACTION, SECRET_LINK, "Disdukcapil Muna Barat"):
        assert not contains(response.content, secret), secret
    assert contains(response.content, "DPMPTSP Muna Barat")  # their own unit is there
    # The coordinator, who reads every agency's pages, gets the other agency too.
    client.force_login(personas["coordinator"])
    response = client.get(reverse("government-report-xlsx", args=[round_.id, government.id]))
    assert contains(response.content, SECRET_NOTE)
    assert contains(response.content, SECRET_ACTION)


@pytest.mark.django_db
def test_the_province_workbook_holds_only_the_assessors_own_governments(client, personas,
                                                                       other_units):
    round_ = other_units["round"]
    assert not round_.is_published
    province_id = other_units["government"].province_id
    client.force_login(personas["assessor"])  # assigned to Muna Barat only
    kendari_unit = other_units["assessments"]["k"]
    assert client.get(reverse("checklist", args=[kendari_unit.id])).status_code == 404
    response = client.get(reverse("province-report-xlsx", args=[round_.id, province_id]))
    assert response.status_code == 200
    assert not contains(response.content, KENDARI_FINDING)
    assert not contains(response.content, "DPMPTSP Kendari")
    assert not contains(response.content, "Kota Kendari")
    assert contains(response.content, "DPMPTSP Muna Barat")
    # An assessor of Kendari gets Kendari's findings, not Muna Barat's units.
    kendari_assessor = make_user("assessor_kendari", Role.ASSESSOR,
                                 government=other_units["kendari"])
    client.force_login(kendari_assessor)
    response = client.get(reverse("province-report-xlsx", args=[round_.id, province_id]))
    assert contains(response.content, KENDARI_FINDING)
    assert not contains(response.content, "DPMPTSP Muna Barat")


@pytest.mark.django_db
def test_an_unpublished_ranking_is_not_found_for_assessors(client, personas, live_round):
    round_, province_id = live_round["round"], live_round["government"].province_id
    urls = [reverse("ranking-province", args=[round_.id, province_id]),
            reverse("ranking-province-xlsx", args=[round_.id, province_id]),
            reverse("ranking-national", args=[round_.id])]
    other_province_assessor = make_user("assessor_elsewhere", Role.ASSESSOR,
                                        government=live_round["kendari"])
    for user in (personas["assessor"], other_province_assessor, personas["coordinator"],
                 personas["leader"]):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
    client.force_login(personas["admin"])
    assert all(client.get(url).status_code == 200 for url in urls)


@pytest.mark.django_db
def test_a_checklist_cannot_be_returned_during_verification(client, personas, live_round):
    assessment = live_round["assessments"]["a"]
    Assessment.objects.filter(id=assessment.id).update(status=Assessment.Status.SUBMITTED)
    Round.objects.filter(id=live_round["round"].id).update(state=Round.State.VERIFICATION)
    client.force_login(personas["coordinator"])
    page = client.get(reverse("checklist", args=[assessment.id]))
    assert reverse("checklist-return", args=[assessment.id]) not in page.content.decode()
    client.post(reverse("checklist-return", args=[assessment.id]), {"comment": "Perbaiki SOP"})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    with pytest.raises(ChecklistLocked):
        assessment_return(assessment_id=assessment.id, user=personas["coordinator"],
                          comment="Perbaiki SOP")
    # In self-assessment the same return goes through.
    Round.objects.filter(id=live_round["round"].id).update(state=Round.State.SELF_ASSESSMENT)
    client.post(reverse("checklist-return", args=[assessment.id]), {"comment": "Perbaiki SOP"})
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.RETURNED
