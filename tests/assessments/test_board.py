"""The coordinator's progress board: who may read it, its figures, sorting, the deadline and a
query count that does not grow with the number of agencies."""
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Government, Level, Province
from assessments.models import Assessment, Evidence, Round
from assessments.services.answers import answer_save

from tests.checklists import checklist


def text_of(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def board_url(government, **params):
    url = reverse("progress-board", args=[government.id])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def add_link(assessment, indicator):
    return Evidence.objects.create(assessment=assessment, indicator=indicator, kind="link",
                                   url=f"https://example.org/{assessment.id}/{indicator.id}")


def answer(assessment, indicators, user, value):
    for indicator in indicators:
        answer_save(assessment_id=assessment.id, indicator=indicator, user=user, value=value,
                    not_applicable=False, note="", expected_version=0)
    assessment.refresh_from_db()


def pct(part, total):
    return (Decimal(part) * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- who may read it ---------------------------------------------------------------------------

@pytest.mark.parametrize(("persona", "status"), [
    ("coordinator", 200), ("leader", 200), ("assessor", 200), ("admin", 200),
    ("operator", 403), ("operator_b", 403), ("outsider", 404), ("anonymous", 302)])
@pytest.mark.django_db
def test_permissions(client, personas, live_round, persona, status):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    response = client.get(board_url(live_round["government"]))
    assert response.status_code == status
    if persona == "anonymous":
        assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_outsider_gets_404_even_for_an_unknown_government(client, personas):
    client.force_login(personas["coordinator"])
    assert client.get(reverse("progress-board", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_coordinator_of_another_government_is_an_outsider(client, personas, live_round):
    client.force_login(personas["coordinator"])
    assert client.get(board_url(live_round["kendari"])).status_code == 404


# --- figures -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_figures_per_agency_and_mock_government_score(client, personas, live_round):
    government = live_round["government"]
    a, b = live_round["assessments"]["a"], live_round["assessments"]["b"]
    indicators = list(checklist().filter(active=True).order_by("id"))
    total = len(indicators)
    answer(a, indicators[:10], personas["operator"], 3)
    answer(b, indicators[:4], personas["operator_b"], 1)
    # Three pieces of evidence on two indicators for a: coverage counts indicators, not files.
    add_link(a, indicators[0])
    add_link(a, indicators[0])
    add_link(a, indicators[1])
    add_link(b, indicators[5])
    # An unsampled agency with a better score does not move the government's mock score.
    extra = Assessment.objects.create(
        round=live_round["round"], sampled=False,
        agency=Agency.objects.create(government=government, name="Dinas Sosial Muna Barat",
                                     kind=AgencyKind.SOSIAL))
    Assessment.objects.filter(id=extra.id).update(self_score=Decimal("95.00"), answered_count=total)

    client.force_login(personas["coordinator"])
    response = client.get(board_url(government))
    assert response.status_code == 200
    board = response.context["board"]
    assert board.round == live_round["round"]
    assert board.indicator_count == total
    rows = {row.assessment.id: row for row in board.rows}
    assert set(rows) == {a.id, b.id, extra.id}  # Kendari's unit is not on Muna Barat's board

    assert rows[a.id].completion.answered == 10
    assert rows[a.id].completion.percent == pct(10, total)
    assert rows[a.id].evidence.answered == 2
    assert rows[a.id].evidence.percent == pct(2, total)
    assert rows[b.id].completion.percent == pct(4, total)
    assert rows[b.id].evidence.answered == 1
    assert rows[extra.id].evidence.answered == 0
    assert rows[a.id].score == a.self_score and a.self_score is not None
    assert rows[b.id].score == b.self_score and b.self_score is not None

    expected = ((a.self_score + b.self_score) / 2).quantize(Decimal("0.01"),
                                                           rounding=ROUND_HALF_UP)
    assert board.score == expected
    assert (board.sampled_count, board.scored_count) == (2, 2)
    # The 2022 bands as published: below 32.00 is E, red, "Kualitas Terendah".
    assert expected < 32 and a.self_score < 32
    assert (board.zone, board.category) == ("red", "E")
    assert (rows[a.id].zone, rows[a.id].label) == ("red", "Kualitas Terendah")

    html = response.content.decode()
    text = text_of(response)
    # Indonesian number format, two decimals.
    assert re.search(r"\b" + f"{expected:.2f}".replace(".", ",") + r"\b", text)
    assert f"{a.self_score:.2f}".replace(".", ",") in text
    assert reverse("checklist", args=[a.id]) in html
    assert reverse("checklist", args=[extra.id]) in html
    # Every zone colour comes with its text label: the government plus the scored rows.
    assert html.count('class="badge zone zone-') == 1 + 3
    assert "<caption>" in html and 'scope="col"' in html


@pytest.mark.django_db
def test_evidence_on_retired_indicators_does_not_count(client, personas, live_round):
    a = live_round["assessments"]["a"]
    first, second = checklist().filter(active=True).order_by("id")[:2]
    add_link(a, first)
    add_link(a, second)
    checklist().filter(id=second.id).update(active=False)
    client.force_login(personas["coordinator"])
    board = client.get(board_url(live_round["government"])).context["board"]
    row = next(row for row in board.rows if row.assessment.id == a.id)
    assert row.evidence.answered == 1
    assert row.evidence.total == checklist().filter(active=True).count()


@pytest.mark.django_db
def test_status_is_shown_in_words(client, personas, live_round):
    a, b = live_round["assessments"]["a"], live_round["assessments"]["b"]
    Assessment.objects.filter(id=a.id).update(status=Assessment.Status.RETURNED)
    Assessment.objects.filter(id=b.id).update(status=Assessment.Status.SUBMITTED)
    english(client)
    client.force_login(personas["leader"])
    text = text_of(client.get(board_url(live_round["government"])))
    assert "Returned" in text and "Submitted" in text


# --- sorting -----------------------------------------------------------------------------------

@pytest.fixture
def sortable(live_round):
    """Four agencies whose columns order them differently."""
    round_, government = live_round["round"], live_round["government"]
    Assessment.objects.filter(round=round_, agency__government=government).delete()
    indicators = list(checklist().filter(active=True).order_by("id"))
    specs = [  # name, status, answered, evidence, score
        ("Bappeda", Assessment.Status.SUBMITTED, 5, 3, Decimal("40.00")),
        ("Capil", Assessment.Status.NOT_STARTED, 0, 0, None),
        ("Dinkes", Assessment.Status.RETURNED, 20, 1, Decimal("80.50")),
        ("arsip", Assessment.Status.IN_PROGRESS, 10, 6, Decimal("12.25")),
    ]
    for name, status, answered, evidence, score in specs:
        assessment = Assessment.objects.create(
            round=round_, agency=Agency.objects.create(government=government, name=name),
            status=status, answered_count=answered, self_score=score, sampled=True)
        for indicator in indicators[:evidence]:
            add_link(assessment, indicator)
    return government


def names(client, government, sort):
    response = client.get(board_url(government, sort=sort))
    assert response.status_code == 200
    return [row.agency.name for row in response.context["board"].rows]


@pytest.mark.parametrize(("sort", "expected"), [
    ("name", ["arsip", "Bappeda", "Capil", "Dinkes"]),
    ("-name", ["Dinkes", "Capil", "Bappeda", "arsip"]),
    ("status", ["Capil", "arsip", "Bappeda", "Dinkes"]),
    ("-status", ["Dinkes", "Bappeda", "arsip", "Capil"]),
    ("completion", ["Capil", "Bappeda", "arsip", "Dinkes"]),
    ("-completion", ["Dinkes", "arsip", "Bappeda", "Capil"]),
    ("evidence", ["Capil", "Dinkes", "Bappeda", "arsip"]),
    ("-evidence", ["arsip", "Bappeda", "Dinkes", "Capil"]),
    ("score", ["arsip", "Bappeda", "Dinkes", "Capil"]),  # no score yet: last either way
    ("-score", ["Dinkes", "Bappeda", "arsip", "Capil"]),
])
@pytest.mark.django_db
def test_sort_by_allowed_columns(client, personas, sortable, sort, expected):
    client.force_login(personas["coordinator"])
    assert names(client, sortable, sort) == expected


@pytest.mark.parametrize("sort", [
    "agency__name", "-self_score", "id", "'; drop table assessments_assessment; --",
    "--score", "score ", "NAME", ""])
@pytest.mark.django_db
def test_sort_outside_the_allow_list_falls_back_to_name(client, personas, sortable, sort):
    client.force_login(personas["coordinator"])
    response = client.get(reverse("progress-board", args=[sortable.id]), {"sort": sort})
    assert response.status_code == 200
    board = response.context["board"]
    assert (board.sort, board.descending) == ("name", False)
    assert [row.agency.name for row in board.rows] == ["arsip", "Bappeda", "Capil", "Dinkes"]


@pytest.mark.django_db
def test_column_headers_link_to_the_reverse_order(client, personas, sortable):
    client.force_login(personas["coordinator"])
    html = client.get(board_url(sortable, sort="score")).content.decode()
    assert "sort=-score" in html and 'aria-sort="ascending"' in html
    html = client.get(board_url(sortable, sort="-score")).content.decode()
    assert "sort=score" in html and 'aria-sort="descending"' in html


# --- rounds and deadlines ----------------------------------------------------------------------

def set_deadline(round_, days):
    round_.self_deadline = timezone.localdate() + timedelta(days=days)
    round_.save(update_fields=["self_deadline"])


@pytest.mark.django_db
def test_days_left_with_a_deadline_in_three_days(client, personas, live_round):
    set_deadline(live_round["round"], 3)
    english(client)
    client.force_login(personas["coordinator"])
    response = client.get(board_url(live_round["government"]))
    board = response.context["board"]
    assert board.days_left == 3 and not board.deadline_passed
    assert "3 days left until the self-assessment deadline" in text_of(response)


@pytest.mark.django_db
def test_deadline_day_shows_zero_days(client, personas, live_round):
    set_deadline(live_round["round"], 0)
    english(client)
    client.force_login(personas["coordinator"])
    response = client.get(board_url(live_round["government"]))
    assert response.context["board"].days_left == 0
    assert "0 days left" in text_of(response)


@pytest.mark.django_db
def test_deadline_passed_says_operators_cannot_change_answers(client, personas, live_round):
    set_deadline(live_round["round"], -1)
    english(client)
    client.force_login(personas["coordinator"])
    response = client.get(board_url(live_round["government"]))
    board = response.context["board"]
    assert board.deadline_passed and board.days_left == -1
    text = text_of(response)
    assert "has passed" in text and "operators can no longer change answers" in text
    assert "days left" not in text


@pytest.mark.django_db
def test_round_without_deadline(client, personas, live_round):
    Round.objects.filter(id=live_round["round"].id).update(self_deadline=None)
    english(client)
    client.force_login(personas["coordinator"])
    response = client.get(board_url(live_round["government"]))
    assert response.context["board"].days_left is None
    assert "No self-assessment deadline" in text_of(response)


@pytest.mark.django_db
def test_no_open_round_shows_a_friendly_empty_state(client, personas, live_round):
    Round.objects.filter(id=live_round["round"].id).update(state=Round.State.PUBLISHED)
    english(client)
    client.force_login(personas["coordinator"])
    response = client.get(board_url(live_round["government"]))
    assert response.status_code == 200
    assert response.context["board"].round is None
    assert "There is no open round at the moment" in text_of(response)


@pytest.mark.django_db
def test_round_parameter_chooses_among_open_rounds(client, personas, live_round):
    government = live_round["government"]
    newer = Round.objects.create(year=2027, name="Penilaian 2027",
                                 state=Round.State.VERIFICATION,
                                 methodology=live_round["round"].methodology)
    Assessment.objects.create(round=newer, agency=live_round["agencies"]["a"], sampled=True)
    draft = Round.objects.create(year=2028, name="Draf 2028", state=Round.State.DRAFT,
                                 methodology=live_round["round"].methodology)
    Assessment.objects.create(round=draft, agency=live_round["agencies"]["a"])
    client.force_login(personas["coordinator"])

    board = client.get(board_url(government)).context["board"]
    assert board.round == newer  # newest open round first; drafts are not open
    assert [r.id for r in board.rounds] == [newer.id, live_round["round"].id]
    assert len(board.rows) == 1

    board = client.get(board_url(government, round=live_round["round"].id)).context["board"]
    assert board.round == live_round["round"] and len(board.rows) == 2
    for bad in (draft.id, "x", 999999):
        response = client.get(board_url(government, round=bad))
        assert response.status_code == 200 and response.context["board"].round == newer


# --- constant queries --------------------------------------------------------------------------

def government_with_agencies(province, name, count, round_, indicators):
    government = Government.objects.create(province=province, level=Level.KABUPATEN, name=name)
    for index in range(count):
        assessment = Assessment.objects.create(
            round=round_, sampled=index % 2 == 0,
            status=Assessment.Status.values[index % 4],
            answered_count=index, self_score=Decimal(index * 4),
            agency=Agency.objects.create(government=government, name=f"{name} OPD {index:02d}"))
        for indicator in indicators[: index % 5 + 1]:
            add_link(assessment, indicator)
            add_link(assessment, indicator)
    return government


@pytest.mark.django_db
def test_query_count_does_not_grow_with_agencies(client, personas, live_round,
                                                 django_assert_num_queries):
    round_ = live_round["round"]
    province = Province.objects.create(name="Provinsi Uji")
    indicators = list(checklist().filter(active=True).order_by("id")[:5])
    small = government_with_agencies(province, "Kabupaten Kecil", 2, round_, indicators)
    large = government_with_agencies(province, "Kabupaten Besar", 20, round_, indicators)
    client.force_login(personas["admin"])
    client.get(board_url(small))  # warm the methodology cache

    with CaptureQueriesContext(connection) as small_queries:
        response = client.get(board_url(small, sort="-evidence"))
        assert len(response.context["board"].rows) == 2
    assert len(small_queries) <= 7
    with django_assert_num_queries(len(small_queries)):
        response = client.get(board_url(large, sort="-evidence"))
        assert len(response.context["board"].rows) == 20
    assert response.context["board"].rows[0].evidence.answered == 5


@pytest.mark.django_db
def test_mock_score_skips_sampled_units_without_a_score(client, personas, live_round):
    a = live_round["assessments"]["a"]
    answer(a, checklist().filter(active=True).order_by("id")[:6], personas["operator"], 2)
    client.force_login(personas["coordinator"])
    board = client.get(board_url(live_round["government"])).context["board"]
    assert (board.sampled_count, board.scored_count) == (2, 1)
    assert board.score == a.self_score
