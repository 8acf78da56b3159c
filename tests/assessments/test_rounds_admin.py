"""The administrator's round pages: creation with the default sample, every step of the
lifecycle through the forms (logged with who), refusals shown as messages, participation and
sampling, the permission matrix and constant query counts."""
import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Government, Level, Province, Role
from assessments.models import Assessment, GovernmentResult, Round, RoundGovernment, \
    RoundTransition
from assessments.services.rounds import round_create, round_transition
from compliance.models import Methodology

from ..conftest import MUBAR_OFFICES, make_user

PERSONAS = ["operator", "operator_b", "coordinator", "assessor", "leader", "outsider", "admin",
            "anonymous"]


def text_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(response, element_id):
    """The text of the element with this id (tables and sections of the page)."""
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    tag = html.rfind("<", 0, start)
    name = re.match(r"<(\w+)", html[tag:]).group(1)
    end = html.index(f"</{name}>", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[tag:end]))


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def admin_client(client, personas, english):
    client.force_login(personas["admin"])
    return client


@pytest.fixture
def methodology(standard):
    return Methodology.objects.get(code="ombudsman-2022")


@pytest.fixture
def mubar_units(live_round):
    """Muna Barat gets the rest of the seven kinds (DPMPTSP and Disdukcapil come from
    live_round), a third Puskesmas and an office that is never sampled by default."""
    mubar = live_round["government"]
    for name, kind in MUBAR_OFFICES:
        Agency.objects.create(government=mubar, name=name, kind=kind)
    return mubar


@pytest.fixture
def draft(personas, mubar_units, methodology):
    """A draft round with Muna Barat (9 units, 7 sampled) and Kota Kendari (1 unit)."""
    kendari = Government.objects.get(name="Kota Kendari")
    round_ = round_create(year=2027, name="Penilaian 2027", methodology=methodology,
                          governments=[mubar_units, kendari], by=personas["admin"])
    return {"round": round_, "mubar": mubar_units, "kendari": kendari}


def post_step(client, round_, to_state, reason=""):
    return client.post(reverse("round-transition", args=[round_.id]),
                       {"to_state": to_state, "reason": reason, "confirmed": "1"},
                       follow=True)


def state_of(round_):
    return Round.objects.get(id=round_.id).state


def finalise_sampled(round_):
    Assessment.objects.filter(round=round_, sampled=True).update(
        finalised_at=timezone.now(), verified_score=Decimal("70"))


# Creation

def create_data(methodology, **overrides):
    data = {"year": "2027", "name": "Penilaian 2027", "methodology": str(methodology.id),
            "self_deadline": "2027-06-30", "verification_deadline": "2027-09-30",
            "province": "", "governments": []}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_creates_a_round_for_a_province_with_the_seven_sampled_units(
        admin_client, personas, mubar_units, methodology):
    before = Round.objects.count()
    form = admin_client.get(reverse("round-create"))
    assert form.status_code == 200
    assert 'type="date"' in form.content.decode()
    response = admin_client.post(reverse("round-create"), create_data(
        methodology, province=str(mubar_units.province_id)))
    round_ = Round.objects.get(year=2027, name="Penilaian 2027")
    assert response.status_code == 302
    assert response["Location"] == reverse("round-detail", args=[round_.id])
    assert Round.objects.count() == before + 1
    assert round_.state == "draft" and round_.methodology == methodology
    assert (round_.self_deadline, round_.verification_deadline) == (date(2027, 6, 30),
                                                                    date(2027, 9, 30))
    province_governments = Government.objects.filter(province_id=mubar_units.province_id)
    assert RoundGovernment.objects.filter(round=round_).count() == province_governments.count()
    mubar = Assessment.objects.filter(round=round_, agency__government=mubar_units)
    assert mubar.count() == 9 and mubar.filter(sampled=True).count() == 7
    assert not mubar.get(agency__name="Dinas Perhubungan").sampled
    assert not mubar.get(agency__name="Puskesmas Wuna").sampled  # only two Puskesmas

    page = admin_client.get(response["Location"])
    row = section(page, f"government-{mubar_units.id}")
    assert re.search(r"Kabupaten Muna Barat .* 9 7 0 ", row), row
    assert "admin" in section(page, "transition-log")
    listing = section(admin_client.get(reverse("round-list")), f"round-{round_.id}")
    assert "Penilaian 2027 2027 Draft" in listing
    assert f" {province_governments.count()} 10 8 " in listing  # Kendari's unit is sampled too


@pytest.mark.django_db
def test_admin_creates_a_round_from_chosen_governments(admin_client, mubar_units, methodology):
    kendari = Government.objects.get(name="Kota Kendari")
    response = admin_client.post(reverse("round-create"), create_data(
        methodology, governments=[str(mubar_units.id), str(kendari.id)], self_deadline="",
        verification_deadline=""))
    assert response.status_code == 302
    round_ = Round.objects.get(year=2027)
    assert set(RoundGovernment.objects.filter(round=round_).values_list(
        "government__name", flat=True)) == {"Kabupaten Muna Barat", "Kota Kendari"}
    assert round_.self_deadline is None


@pytest.mark.parametrize(("overrides", "field"), [
    ({"year": "2026", "name": "Penilaian 2026"}, "name"),  # live_round's name in that year
    ({"year": "1999"}, "year"),
    ({"year": "2101"}, "year"),
    ({"self_deadline": "2027-09-30", "verification_deadline": "2027-06-30"},
     "verification_deadline"),
    ({"governments": [], "province": ""}, "governments"),
    ({"methodology": ""}, "methodology"),
    ({"name": ""}, "name"),
], ids=["duplicate-name", "year-too-early", "year-too-late", "deadlines-reversed",
        "no-government", "no-methodology", "no-name"])
@pytest.mark.django_db
def test_invalid_round_form_creates_nothing(admin_client, mubar_units, methodology, overrides,
                                            field):
    data = create_data(methodology, governments=[str(mubar_units.id)])
    data.update(overrides)
    counts = (Round.objects.count(), RoundGovernment.objects.count(),
              Assessment.objects.count(), RoundTransition.objects.count())
    response = admin_client.post(reverse("round-create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'class="invalid-feedback' in response.content.decode()  # shown next to the field
    assert counts == (Round.objects.count(), RoundGovernment.objects.count(),
                      Assessment.objects.count(), RoundTransition.objects.count())


# The lifecycle

@pytest.mark.django_db
def test_every_step_through_the_forms_is_logged_with_who(admin_client, personas, draft):
    round_, admin = draft["round"], personas["admin"]
    for to_state in ["self_assessment", "verification"]:
        response = post_step(admin_client, round_, to_state)
        assert response.status_code == 200 and state_of(round_) == to_state
    finalise_sampled(round_)
    response = post_step(admin_client, round_, "published")
    assert state_of(round_) == "published", messages_of(response)
    assert GovernmentResult.objects.filter(round=round_).count() == 2
    page = admin_client.get(reverse("round-detail", args=[round_.id]))
    assert "Reopen for correction" in text_of(page)

    # Reopening for a correction and publishing again each need a reason.
    response = post_step(admin_client, round_, "verification")
    assert state_of(round_) == "published"
    assert "Give the reason for the correction." in messages_of(response)
    post_step(admin_client, round_, "verification", reason="Koreksi nilai survei")
    assert state_of(round_) == "verification"
    page = admin_client.get(reverse("round-detail", args=[round_.id]))
    assert "Publish again after the correction" in text_of(page)
    confirm = admin_client.get(reverse("round-transition-confirm", args=[round_.id,
                                                                         "published"]))
    assert re.search(r'<input type="text" id="reason" name="reason"[^>]* required',
                     confirm.content.decode())
    response = post_step(admin_client, round_, "published")
    assert state_of(round_) == "verification"
    assert "Give the reason for the correction." in messages_of(response)
    post_step(admin_client, round_, "published", reason="Setelah koreksi")
    response = post_step(admin_client, round_, "closed")
    assert state_of(round_) == "closed"
    assert "The round is now in the state: Closed." in messages_of(response)

    log = list(RoundTransition.objects.filter(round=round_).values_list(
        "from_state", "to_state", "actor", "reason"))
    assert log[1:] == [
        ("draft", "self_assessment", admin.id, ""),
        ("self_assessment", "verification", admin.id, ""),
        ("verification", "published", admin.id, ""),
        ("published", "verification", admin.id, "Koreksi nilai survei"),
        ("verification", "published", admin.id, "Setelah koreksi"),
        ("published", "closed", admin.id, ""),
    ]
    table = section(response, "transition-log")
    assert table.count(" admin ") == 7
    assert "Published Verification Koreksi nilai survei" in table
    assert "The round is closed: nothing in it can change." in text_of(response)
    assert "<form" not in section(response, "round-steps")


@pytest.mark.parametrize(("first", "second"), [
    (None, "verification"),  # skipping self-assessment
    ("self_assessment", "self_assessment"),  # a double click
    ("self_assessment", "draft"),  # going back
    (None, "nonsense"),  # not a state at all
])
@pytest.mark.django_db
def test_skipped_or_repeated_step_shows_a_message_and_changes_nothing(admin_client, draft,
                                                                      first, second):
    round_ = draft["round"]
    if first:
        post_step(admin_client, round_, first)
    state, log = state_of(round_), RoundTransition.objects.filter(round=round_).count()
    response = post_step(admin_client, round_, second)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("round-detail", args=[round_.id])
    (message,) = messages_of(response)
    assert "cannot move" in message or "not possible" in message
    assert message in text_of(response)
    assert state_of(round_) == state
    assert RoundTransition.objects.filter(round=round_).count() == log


@pytest.mark.django_db
def test_publication_blocked_lists_the_problems(admin_client, personas, draft):
    round_ = draft["round"]
    round_transition(round_=round_, to_state="self_assessment", by=personas["admin"])
    round_transition(round_=round_, to_state="verification", by=personas["admin"])
    Assessment.objects.filter(round=round_, agency__name="Dinas Sosial").update(
        finalised_at=timezone.now(), verified_score=Decimal("80"))
    page = admin_client.get(reverse("round-detail", args=[round_.id]))
    problems = section(page, "publication-problems")
    assert "7 problems block publication" in problems  # 6 of Muna Barat, 1 of Kendari
    assert "DPMPTSP Muna Barat (Kabupaten Muna Barat) is not finalised." in problems
    assert "Dinas Sosial" not in problems

    response = post_step(admin_client, round_, "published")
    shown = messages_of(response)
    assert shown[0] == "Publication is blocked: 7 problems must be solved first."
    assert "DPMPTSP Kendari (Kota Kendari) is not finalised." in shown
    assert state_of(round_) == "verification"
    assert not GovernmentResult.objects.filter(round=round_).exists()

    # Kendari not assessed: its unit no longer blocks publication.
    admin_client.post(reverse("round-not-assessed", args=[round_.id, draft["kendari"].id]),
                      {"not_assessed": "on", "reason": "Alasan keamanan"})
    finalise_sampled(round_)
    Assessment.objects.filter(agency__name="DPMPTSP Kendari").update(finalised_at=None)
    page = admin_client.get(reverse("round-detail", args=[round_.id]))
    assert "the round can be published" in section(page, "publication-problems")
    post_step(admin_client, round_, "published")
    assert state_of(round_) == "published"
    kendari = GovernmentResult.objects.get(round=round_, government=draft["kendari"])
    assert kendari.not_assessed and kendari.not_assessed_reason == "Alasan keamanan"


@pytest.mark.django_db
def test_official_results_round_offers_no_step(admin_client, sultra):
    official = Round.objects.get(year=2021)
    assert official.is_official and official.state == "published"
    results = GovernmentResult.objects.filter(round=official).count()
    page = admin_client.get(reverse("round-detail", args=[official.id]))
    assert "<form" not in section(page, "round-steps")
    assert "imported official results" in section(page, "round-steps")
    for to_state, reason in [("verification", "Koreksi"), ("closed", "")]:
        response = post_step(admin_client, official, to_state, reason)
        assert "imported official results" in messages_of(response)[0]
    assert state_of(official) == "published"
    assert GovernmentResult.objects.filter(round=official).count() == results
    assert not RoundTransition.objects.filter(round=official).exists()


# Participation and sample

@pytest.mark.django_db
def test_not_assessed_toggle_requires_a_reason(admin_client, draft):
    round_, kendari = draft["round"], draft["kendari"]
    url = reverse("round-not-assessed", args=[round_.id, kendari.id])
    participation = RoundGovernment.objects.get(round=round_, government=kendari)
    response = admin_client.post(url, {"not_assessed": "on", "reason": "  "}, follow=True)
    assert messages_of(response) == ["Give the reason why the government is not assessed."]
    participation.refresh_from_db()
    assert not participation.not_assessed

    response = admin_client.post(url, {"not_assessed": "on", "reason": "Alasan keamanan",
                                       "page": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?page=1#government-{kendari.id}")
    participation.refresh_from_db()
    assert participation.not_assessed and participation.not_assessed_reason == "Alasan keamanan"
    row = section(admin_client.get(reverse("round-detail", args=[round_.id])),
                  f"government-{kendari.id}")
    assert "Not assessed Alasan keamanan" in row and "Assess Kota Kendari again" in row

    response = admin_client.post(url, {"not_assessed": "", "reason": ""}, follow=True)
    assert messages_of(response) == ["Kota Kendari is assessed again."]
    participation.refresh_from_db()
    assert not participation.not_assessed and participation.not_assessed_reason == ""

    too_long = admin_client.post(url, {"not_assessed": "on", "reason": "x" * 301}, follow=True)
    assert "at most 300 characters" in messages_of(too_long)[0]
    other = Government.objects.get(name="Kabupaten Buton")  # not taking part
    assert admin_client.post(reverse("round-not-assessed", args=[round_.id, other.id]),
                             {"not_assessed": "on", "reason": "x"}).status_code == 404
    assert not RoundGovernment.objects.filter(round=round_, government=other).exists()


@pytest.mark.django_db
def test_participation_and_sample_are_locked_after_publication(admin_client, personas, draft):
    round_, admin = draft["round"], personas["admin"]
    for to_state in ["self_assessment", "verification"]:
        round_transition(round_=round_, to_state=to_state, by=admin)
    finalise_sampled(round_)
    round_transition(round_=round_, to_state="published", by=admin)
    response = admin_client.post(
        reverse("round-not-assessed", args=[round_.id, draft["kendari"].id]),
        {"not_assessed": "on", "reason": "Terlambat"}, follow=True)
    assert messages_of(response) == ["Participation cannot change after publication."]
    assert not RoundGovernment.objects.get(round=round_, government=draft["kendari"]).not_assessed
    url = reverse("round-government", args=[round_.id, draft["mubar"].id])
    page = admin_client.get(url)
    html = page.content.decode()
    assert len(re.findall(r'name="sampled"[^>]* disabled>', html)) == 9
    assert "Save the sample" not in text_of(page)
    ids = list(Assessment.objects.filter(round=round_, agency__government=draft["mubar"])
               .values_list("id", flat=True))
    response = admin_client.post(url, {"shown": ids, "sampled": []}, follow=True)
    assert messages_of(response) == ["The sample cannot change after publication."]
    assert Assessment.objects.filter(round=round_, sampled=True).count() == 8


@pytest.mark.django_db
def test_sampling_change_saves_only_the_changed_rows(admin_client, draft):
    round_, mubar = draft["round"], draft["mubar"]
    url = reverse("round-government", args=[round_.id, mubar.id])
    page = admin_client.get(url)
    assert page.status_code == 200
    units = {a.agency.name: a for a in page.context["assessments"]}
    assert len(units) == 9 and sum(a.sampled for a in units.values()) == 7
    html = page.content.decode()
    for assessment in units.values():
        assert reverse("checklist", args=[assessment.id]) in html
        assert f'<label class="form-check-label" for="sampled-{assessment.id}">' in html
    wanted = {name for name, a in units.items() if a.sampled} - {"Puskesmas Guali"} \
        | {"Puskesmas Wuna", "Dinas Perhubungan"}
    shown = [a.id for name, a in units.items() if name != "Dinas Sosial"]  # sampled, not shown
    wanted.discard("Dinas Sosial")
    before = {a.id: a.updated_at for a in units.values()}
    response = admin_client.post(url, {"shown": shown,
                                       "sampled": [units[name].id for name in wanted]},
                                 follow=True)
    assert messages_of(response) == ["The sample was saved: 3 units changed."]
    stored = {a.agency.name: a for a in Assessment.objects.filter(
        round=round_, agency__government=mubar).select_related("agency")}
    assert {name for name, a in stored.items() if a.sampled} == wanted | {"Dinas Sosial"}
    unchanged = [name for name, a in stored.items() if a.updated_at == before[a.id]]
    assert sorted(unchanged) == sorted(set(units) - {"Puskesmas Guali", "Puskesmas Wuna",
                                                     "Dinas Perhubungan"})
    assert "8 of 9 are sampled" in text_of(response)
    outside = Government.objects.get(name="Kabupaten Buton")
    assert admin_client.get(reverse("round-government", args=[round_.id, outside.id])
                            ).status_code == 404


# Permissions

@pytest.fixture
def targets(draft):
    round_, mubar = draft["round"], draft["mubar"]
    unit = Assessment.objects.filter(round=round_, agency__government=mubar).first()
    government = reverse("round-government", args=[round_.id, mubar.id])
    return {
        ("GET", "round-list"): (reverse("round-list"), {}),
        ("GET", "round-create"): (reverse("round-create"), {}),
        ("GET", "round-detail"): (reverse("round-detail", args=[round_.id]), {}),
        ("GET", "round-government"): (government, {}),
        ("POST", "round-create"): (reverse("round-create"), create_data(
            Methodology.objects.get(code="ombudsman-2022"), year="2028", name="Baru",
            governments=[str(mubar.id)])),
        ("POST", "round-transition"): (reverse("round-transition", args=[round_.id]),
                                       {"to_state": "self_assessment", "confirmed": "1"}),
        ("POST", "round-not-assessed"): (
            reverse("round-not-assessed", args=[round_.id, mubar.id]),
            {"not_assessed": "on", "reason": "Alasan"}),
        ("POST", "round-government"): (government, {"shown": [unit.id], "sampled": []}),
    }


TARGETS = [("GET", "round-list"), ("GET", "round-create"), ("GET", "round-detail"),
           ("GET", "round-government"), ("POST", "round-create"), ("POST", "round-transition"),
           ("POST", "round-not-assessed"), ("POST", "round-government")]


def snapshot(draft):
    round_ = draft["round"]
    return (Round.objects.count(), state_of(round_),
            RoundTransition.objects.count(),
            list(RoundGovernment.objects.filter(round=round_).order_by("id").values_list(
                "not_assessed", flat=True)),
            list(Assessment.objects.filter(round=round_).order_by("id").values_list(
                "sampled", flat=True)))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name"), TARGETS, ids=[f"{m}-{n}" for m, n in TARGETS])
@pytest.mark.django_db
def test_only_administrators_reach_the_round_pages(client, personas, draft, targets, persona,
                                                   method, name):
    if personas[persona] is not None:
        client.force_login(personas[persona])
    url, data = targets[(method, name)]
    before = snapshot(draft)
    response = client.post(url, data) if method == "POST" else client.get(url)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona == "admin":
        assert response.status_code == (302 if method == "POST" else 200)
        if method == "POST":
            assert not response["Location"].startswith(reverse("login"))
            assert snapshot(draft) != before
        return
    else:
        assert response.status_code == 403
    assert snapshot(draft) == before


@pytest.mark.parametrize("name", ["round-transition", "round-not-assessed"])
@pytest.mark.django_db
def test_post_only_endpoints_refuse_get(admin_client, draft, name):
    round_ = draft["round"]
    args = [round_.id] if name == "round-transition" else [round_.id, draft["kendari"].id]
    before = snapshot(draft)
    assert admin_client.get(reverse(name, args=args), {"to_state": "self_assessment",
                                                       "not_assessed": "on",
                                                       "reason": "x"}).status_code == 405
    assert snapshot(draft) == before


@pytest.mark.django_db
def test_unknown_round_is_404_for_an_administrator_and_403_for_others(client, personas,
                                                                     english):
    url = reverse("round-detail", args=[999999])
    client.force_login(personas["leader"])
    assert client.get(url).status_code == 403
    client.force_login(personas["admin"])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_csrf_is_required(personas, draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["admin"])
    response = client.post(reverse("round-transition", args=[draft["round"].id]),
                           {"to_state": "self_assessment"})
    assert response.status_code == 403
    assert state_of(draft["round"]) == "draft"


# Query counts

def governments_with_agencies(count, units_each=3):
    province = Province.objects.create(name="Provinsi Uji")
    governments = []
    for index in range(count):
        government = Government.objects.create(province=province, level=Level.KABUPATEN,
                                               name=f"Kabupaten Uji {index:02d}")
        for unit in range(units_each):
            Agency.objects.create(government=government, name=f"Dinas {unit} {index:02d}",
                                  kind=AgencyKind.DPMPTSP if unit == 0 else AgencyKind.OTHER)
        governments.append(government)
    return governments


@pytest.fixture
def admin_only(client, standard, english):
    admin = make_user("admin", Role.ADMINISTRATOR)
    client.force_login(admin)
    return admin


@pytest.mark.django_db
def test_round_list_query_count_does_not_grow_with_rounds(client, admin_only, methodology,
                                                          django_assert_num_queries):
    governments = governments_with_agencies(3)

    def make_rounds(first, count):
        for index in range(first, first + count):
            round_create(year=2030 + index, name=f"Penilaian {index}", methodology=methodology,
                         governments=governments[: index % 3 + 1], by=admin_only)

    make_rounds(0, 1)
    client.get(reverse("round-list"))  # warm up
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("round-list"))
    assert len(response.context["rounds"]) == 1
    assert len(one) <= 5
    make_rounds(1, 9)
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("round-list"))
    rounds = list(response.context["rounds"])
    assert len(rounds) == 10
    assert [r.year for r in rounds] == sorted((r.year for r in rounds), reverse=True)
    newest = rounds[0]  # index 9: 9 % 3 + 1 = 1 government, 3 units, 1 sampled
    assert (newest.government_count, newest.assessment_count, newest.sampled_count) == (1, 3, 1)


@pytest.mark.parametrize("state", ["draft", "verification"])
@pytest.mark.django_db
def test_round_detail_query_count_does_not_grow_with_governments(
        client, admin_only, methodology, django_assert_num_queries, state):
    governments = governments_with_agencies(12)

    def prepared(name, chosen):
        round_ = round_create(year=2030, name=name, methodology=methodology,
                              governments=chosen, by=admin_only)
        RoundGovernment.objects.filter(round=round_, government=chosen[0]).update(
            not_assessed=True, not_assessed_reason="Alasan keamanan")
        if state == "verification":
            round_transition(round_=round_, to_state="self_assessment", by=admin_only)
            round_transition(round_=round_, to_state="verification", by=admin_only)
            finalise_sampled(round_)
        return round_

    small, large = prepared("Kecil", governments[:2]), prepared("Besar", governments)
    client.get(reverse("round-detail", args=[small.id]))  # warm up
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("round-detail", args=[small.id]))
    assert len(response.context["page"]) == 2
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("round-detail", args=[large.id]))
    assert len(response.context["page"]) == 12
    row = section(response, f"government-{governments[5].id}")
    assert re.search(r"Kabupaten Uji 05 Provinsi Uji 3 1 (0|1) ", row), row
