"""Repairing a split: "Kab. Muna Barat" (created by an old import) merged into Kabupaten Muna
Barat moves everything and leaves one government with its whole history."""
import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from agencies.identity import Directory, name_key
from agencies.merge import government_merge, relations
from agencies.models import Agency, AgencyKind, Alias, Government, Level, Membership, Province, Role
from assessments.models import (ActionItem, Assessment, GovernmentResult, Obstacle, Round,
                                RoundGovernment)
from assessments.selectors.governments import government_history
from audit.models import AuditEntry

from ..conftest import make_user


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def split(personas, live_round):
    """Muna Barat (2021, 2022 results, the live round's units, its personas) and the copy an
    old import made of it, with a 2024 result, a unit, a participation, memberships and an
    alias of its own."""
    mubar = live_round["government"]
    twin = Government.objects.create(province=mubar.province, level=Level.KABUPATEN,
                                     name="Kab. Muna Barat", short_name="Mubar")
    official_2024 = Round.objects.create(
        year=2024, name="Hasil resmi 2024", is_official=True, state=Round.State.PUBLISHED,
        methodology=live_round["round"].methodology)
    GovernmentResult.objects.create(round=official_2024, government=twin,
                                    score=Decimal("71.50"), category="B", zone="green")
    RoundGovernment.objects.create(round=live_round["round"], government=mubar)
    RoundGovernment.objects.create(round=live_round["round"], government=twin)
    unit = Agency.objects.create(government=twin, name="Dinas Sosial Muna Barat",
                                 kind=AgencyKind.SOSIAL)
    assessment = Assessment.objects.create(round=live_round["round"], agency=unit, sampled=True)
    action = ActionItem.objects.create(agency=unit, title="Pasang papan informasi")
    obstacle = Obstacle.objects.create(agency=unit, action=action,
                                       description="Anggaran belum turun")
    Membership.objects.create(user=personas["coordinator"], role=Role.COORDINATOR,
                              government=twin)  # the same role twice: one is dropped
    sekda = make_user("sekda", Role.LEADER, government=twin)
    Alias.objects.create(province=mubar.province, government=twin, name="Tiworo Raya",
                         key=name_key("Tiworo Raya"))
    return {"mubar": mubar, "twin": twin, "unit": unit, "assessment": assessment,
            "action": action, "obstacle": obstacle, "sekda": sekda, "round_2024": official_2024}


@pytest.mark.django_db
def test_merge_moves_everything_and_leaves_one_history(split, personas):
    mubar, twin = split["mubar"], split["twin"]
    summary = government_merge(keep=mubar, drop=twin, by=personas["admin"])
    assert not Government.objects.filter(id=twin.id).exists()
    assert [(row.round.year, str(row.score)) for row in government_history(mubar)] == [
        (2021, "34.19"), (2022, "69.27"), (2024, "71.50")]
    unit = Agency.objects.get(id=split["unit"].id)
    assert unit.government_id == mubar.id
    assert Assessment.objects.get(id=split["assessment"].id).agency_id == unit.id
    assert ActionItem.objects.get(id=split["action"].id).agency_id == unit.id
    assert Obstacle.objects.get(id=split["obstacle"].id).agency_id == unit.id
    assert list(RoundGovernment.objects.filter(round=split["round_2024"].id)) == []
    assert RoundGovernment.objects.filter(government=mubar).count() == 1
    assert set(Membership.objects.filter(government=mubar).values_list(
        "user__username", "role")) == {("coordinator", "coordinator"), ("assessor", "assessor"),
                                       ("leader", "leader"), ("sekda", "leader")}
    match = Directory().government(province="Sulawesi Tenggara", name="Tiworo Raya")
    assert (match.government, match.how) == (mubar, "alias")
    mubar.refresh_from_db()
    assert (mubar.code, mubar.short_name) == ("74.13", "Mubar")
    assert summary["moved"] == {"agencies": 1, "memberships": 1, "government results": 1}
    assert summary["removed_copies"] == {"memberships": 1, "round governments": 1}


@pytest.mark.django_db
def test_the_merge_is_in_the_audit_trail(split, personas):
    mubar, twin = split["mubar"], split["twin"]
    government_merge(keep=mubar, drop=twin, by=personas["admin"])
    deleted = AuditEntry.objects.get(table_name="agencies_government", row_id=str(twin.id),
                                     action="delete")
    assert deleted.old_values["name"] == "Kab. Muna Barat"
    moved = AuditEntry.objects.filter(table_name="assessments_governmentresult", action="update")
    assert [(e.old_values["government_id"], e.new_values["government_id"]) for e in moved] == [
        (twin.id, mubar.id)]
    assert AuditEntry.objects.filter(table_name="agencies_agency", action="update",
                                     row_id=str(split["unit"].id)).exists()


@pytest.mark.django_db
def test_two_results_for_one_round_are_refused_and_nothing_changes(split, personas):
    mubar, twin = split["mubar"], split["twin"]
    GovernmentResult.objects.create(round=Round.objects.get(year=2022), government=twin,
                                    score=Decimal("68.00"), category="C", zone="yellow")
    before = (Agency.objects.filter(government=twin).count(),
              GovernmentResult.objects.filter(government=twin).count())
    with pytest.raises(ValidationError) as caught:
        government_merge(keep=mubar, drop=twin, by=personas["admin"])
    message = " ".join(caught.value.messages)
    assert "government result" in message and "69.27" in message and "68.00" in message
    assert Government.objects.filter(id=twin.id).exists()
    assert (Agency.objects.filter(government=twin).count(),
            GovernmentResult.objects.filter(government=twin).count()) == before


@pytest.mark.django_db
def test_agencies_of_one_name_clash_whatever_their_case(split, personas):
    Agency.objects.create(government=split["twin"], name="DPMPTSP MUNA BARAT")
    with pytest.raises(ValidationError) as caught:
        government_merge(keep=split["mubar"], drop=split["twin"], by=personas["admin"])
    assert "DPMPTSP MUNA BARAT" in " ".join(caught.value.messages)


@pytest.mark.django_db
def test_different_levels_and_two_official_codes_are_refused(sultra):
    kendari = Government.objects.get(code="74.71")
    konawe = Government.objects.get(code="74.02")
    with pytest.raises(ValidationError, match="one level"):
        government_merge(keep=sultra, drop=kendari, by=None)
    with pytest.raises(ValidationError, match="both have an official code"):
        government_merge(keep=sultra, drop=konawe, by=None)
    with pytest.raises(ValidationError, match="itself"):
        government_merge(keep=sultra, drop=sultra, by=None)


@pytest.mark.django_db
def test_a_province_created_by_mistake_goes_with_its_last_government(sultra):
    wrong = Province.objects.create(name="SULAWESI TENGGARA RAYA")
    twin = Government.objects.create(province=wrong, level=Level.KABUPATEN,
                                     name="Kabupaten Mubar")
    summary = government_merge(keep=sultra, drop=twin, by=None)
    assert summary["province_removed"] == "SULAWESI TENGGARA RAYA"
    assert not Province.objects.filter(id=wrong.id).exists()
    match = Directory().government(province="Sulawesi Tenggara", name="Kabupaten Mubar")
    assert (match.government, match.how) == (sultra, "alias")  # the dropped name, kept


def test_every_relation_to_a_government_is_moved():
    """A new foreign key to Government is moved by the merge without a change there; this
    list says which ones exist today (aliases are re-keyed by hand)."""
    assert sorted(f"{fk.model._meta.label}.{fk.name}" for fk in relations()) == [
        "agencies.Agency.government", "agencies.Membership.government",
        "assessments.GovernmentResult.government", "assessments.LeaderReport.government",
        "assessments.LeaderReportSetting.government", "assessments.OmbudsmanProduct.government",
        "assessments.RoundGovernment.government"]


@pytest.mark.django_db
def test_a_one_to_one_setting_moves_with_the_government(split, personas):
    """The leaders' report setting is one row per government: the dropped one's moves to the
    kept government when it has none."""
    from assessments.models_reports import LeaderReportSetting

    LeaderReportSetting.objects.create(government=split["twin"], frequency="monthly")
    government_merge(keep=split["mubar"], drop=split["twin"], by=personas["admin"])
    assert LeaderReportSetting.objects.get().government == split["mubar"]


@pytest.mark.django_db
def test_command_merges_and_refuses(split, personas):
    out = io.StringIO()
    with pytest.raises(CommandError, match="no government with id"):
        call_command("merge_governments", str(split["mubar"].id), "987654", stdout=out)
    call_command("merge_governments", str(split["mubar"].id), str(split["twin"].id),
                 "--user", "admin", stdout=out)
    assert f"#{split['twin'].id}" in out.getvalue()
    assert not Government.objects.filter(id=split["twin"].id).exists()


# --- the page ------------------------------------------------------------------------------------

def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["operator", "coordinator", "assessor", "leader", "outsider"])
def test_only_administrators_may_merge(client, split, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("government-merge")).status_code == 403
    response = client.post(reverse("government-merge"),
                           {"keep": split["mubar"].id, "drop": split["twin"].id})
    assert response.status_code == 403
    assert Government.objects.filter(id=split["twin"].id).exists()


@pytest.mark.django_db
def test_anonymous_visitors_go_to_login(client):
    response = client.get(reverse("government-merge"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_page_lists_copies_merges_and_shows_what_moved(english_client, split, personas):
    english_client.force_login(personas["admin"])
    page = english_client.get(reverse("government-merge"), {"keep": split["mubar"].id,
                                                             "drop": split["twin"].id})
    assert page.status_code == 200
    assert "Kab. Muna Barat" in text_of(page)  # in the list of governments without a code
    response = english_client.post(reverse("government-merge"),
                                   {"keep": split["mubar"].id, "drop": split["twin"].id})
    assert response.status_code == 302
    shown = text_of(english_client.get(response["Location"]))
    assert "Kab. Muna Barat was merged into Kabupaten Muna Barat" in shown
    assert not Government.objects.filter(id=split["twin"].id).exists()


@pytest.mark.django_db
def test_page_shows_a_refusal_and_changes_nothing(english_client, sultra, personas):
    english_client.force_login(personas["admin"])
    kendari = Government.objects.get(code="74.71")
    response = english_client.post(reverse("government-merge"),
                                   {"keep": sultra.id, "drop": kendari.id})
    assert response.status_code == 400
    assert "only governments of one level" in text_of(response)
    assert Government.objects.filter(id=kendari.id).exists()
    same = english_client.post(reverse("government-merge"), {"keep": sultra.id,
                                                             "drop": sultra.id})
    assert same.status_code == 400 and "two different governments" in text_of(same)


@pytest.mark.django_db
def test_a_closed_round_refuses_the_merge_and_nothing_changes(split, live_round):
    Round.objects.filter(id=live_round["round"].id).update(state=Round.State.CLOSED)
    with pytest.raises(ValidationError, match="the database refused a change"):
        government_merge(keep=split["mubar"], drop=split["twin"], by=None)
    assert Government.objects.filter(id=split["twin"].id).exists()
    assert Agency.objects.get(id=split["unit"].id).government_id == split["twin"].id


@pytest.mark.django_db
def test_ombudsman_products_move_and_a_reference_twice_is_refused(split, personas, live_round):
    """The Ombudsman's products addressed to the copy move to the kept government; the same
    reference under both in one round is a clash, refused with nothing changed."""
    from datetime import date

    from assessments.models import OmbudsmanProduct

    def product(government, reference):
        return OmbudsmanProduct.objects.create(
            government=government, round=live_round["round"], kind="suggestion",
            reference=reference, issued_on=date(2026, 3, 2), due_on=date(2026, 5, 2))

    moved = product(split["twin"], "B/0112/LM.12-25/III/2026")
    product(split["mubar"], "B/0200/LM.12-25/IV/2026")
    government_merge(keep=split["mubar"], drop=split["twin"], by=personas["admin"])
    assert OmbudsmanProduct.objects.get(id=moved.id).government == split["mubar"]

    copy = Government.objects.create(province=split["mubar"].province, level=Level.KABUPATEN,
                                     name="Kabupaten Mubar")
    clash = product(copy, "B/0200/LM.12-25/IV/2026")
    with pytest.raises(ValidationError, match="Ombudsman product"):
        government_merge(keep=split["mubar"], drop=copy, by=personas["admin"])
    assert OmbudsmanProduct.objects.get(id=clash.id).government == copy
