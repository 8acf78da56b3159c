"""Standing evidence carried forward: last round's decree, maklumat or SOP is offered at the
top of the new checklist, and copied only when the operator confirms it is still valid."""
import pytest
from django.urls import reverse

from assessments.models import Answer, Assessment, Evidence, Round
from compliance.models import Methodology
from tests.checklists import checklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def carried(live_round, personas):
    """Last year's round of the same unit: a standing decree answered 1 with its link, a
    standing pledge answered in the new round already, and a non-standing item."""
    indicators = list(checklist().filter(active=True).order_by("component__number", "order"))
    decree, pledge, plain = indicators[0], indicators[1], indicators[2]
    # The shipped checklist marks them (no test set-up): the decree and the maklumat stand.
    assert (decree.code, decree.standing, pledge.code, pledge.standing, plain.standing) == (
        "dasar_hukum-1", True, "dasar_hukum-2", True, False)
    previous_round = Round.objects.create(
        year=2025, name="Penilaian 2025", state=Round.State.SELF_ASSESSMENT,
        methodology=Methodology.objects.get(code="ombudsman-2022"))
    unit = live_round["assessments"]["a"]
    previous = Assessment.objects.create(round=previous_round, agency=unit.agency, sampled=True)
    for indicator in (decree, pledge, plain):
        Answer.objects.create(assessment=previous, indicator=indicator, value=1, version=1,
                              note="SK Bupati 12/2025")
        Evidence.objects.create(assessment=previous, indicator=indicator, kind="link",
                                url=f"https://mubar.example/{indicator.code}")
    Answer.objects.create(assessment=unit, indicator=pledge, value=0, version=1)
    return {"unit": unit, "decree": decree, "pledge": pledge, "plain": plain}


def test_offered_on_top_of_the_checklist_and_nothing_copied_silently(client, personas,
                                                                      carried):
    unit, decree = carried["unit"], carried["decree"]
    client.force_login(personas["operator"])
    html = client.get(reverse("checklist", args=[unit.id])).content.decode()
    section = html.split('id="standing-offers"')[1].split("</section>")[0]
    assert f'id="standing-{decree.id}"' in section
    assert "https://mubar.example/" in section and "Penilaian 2025" in section
    assert f'id="standing-{carried["pledge"].id}"' not in section  # answered already
    assert f'id="standing-{carried["plain"].id}"' not in section  # not standing
    assert not Evidence.objects.filter(assessment=unit).exists()
    assert not Answer.objects.filter(assessment=unit, indicator=decree).exists()
    # The coordinator reads the checklist but is offered nothing to confirm.
    client.force_login(personas["coordinator"])
    html = client.get(reverse("checklist", args=[unit.id])).content.decode()
    assert 'id="standing-offers"' not in html


def test_confirming_copies_answer_and_evidence_once(client, personas, carried):
    unit, decree = carried["unit"], carried["decree"]
    client.force_login(personas["operator"])
    url = reverse("standing-confirm", args=[unit.id, decree.id])
    assert client.post(url).status_code == 302
    answer = Answer.objects.get(assessment=unit, indicator=decree)
    assert (answer.value, answer.note) == (1, "SK Bupati 12/2025")
    assert list(Evidence.objects.filter(assessment=unit).values_list("indicator_id", "url")) == [
        (decree.id, f"https://mubar.example/{decree.code}")]
    html = client.get(reverse("checklist", args=[unit.id])).content.decode()
    assert 'id="standing-offers"' not in html
    client.post(url)  # a second confirmation finds nothing left to copy
    assert Evidence.objects.filter(assessment=unit).count() == 1
    # A non-standing indicator is never carried, even when asked for by hand.
    client.post(reverse("standing-confirm", args=[unit.id, carried["plain"].id]))
    assert Evidence.objects.filter(assessment=unit).count() == 1


def test_only_the_units_operator_may_confirm(client, personas, carried):
    unit, decree = carried["unit"], carried["decree"]
    url = reverse("standing-confirm", args=[unit.id, decree.id])
    client.force_login(personas["coordinator"])
    assert client.post(url).status_code == 403
    client.force_login(personas["operator_b"])
    assert client.post(url).status_code == 404
    assert not Evidence.objects.filter(assessment=unit).exists()


@pytest.mark.parametrize("code", ["app-checklist-ombudsman-2016", "app-checklist-ombudsman-2022",
                                  "app-checklist-pekppp"])
def test_the_shipped_checklists_mark_the_decree_and_the_maklumat_as_standing(code):
    """Each app checklist's standing documents: the seven indicators set in the service
    standard decree (SK standar pelayanan) and the signed maklumat; nothing else."""
    from compliance.models import Indicator

    assert sorted(Indicator.objects.filter(instrument__code=code, standing=True)
                  .values_list("code", flat=True)) == [
        "biaya-1", "dasar_hukum-1", "dasar_hukum-2", "jangka_waktu-1", "pengaduan-1",
        "persyaratan-1", "produk-1", "prosedur-1"]
