"""Follow-up of findings: actions (rencana aksi) and obstacles (kendala) on the agency page, the
government overview of overdue actions and open obstacles, who may read and write them, input
that is refused without a 500, the user in the audit trail, and query counts that do not grow."""
import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Government, Level, Province
from assessments.models import ActionItem, Answer, Assessment, Obstacle, Round
from assessments.selectors.actions import government_actions
from assessments.services.actions import (action_create, action_update, obstacle_report,
                                          obstacle_resolve)
from assessments.services.rounds import findings_carry_forward
from audit.models import AuditEntry
from compliance.models import Component
from tests.checklists import checklist
from tests.shared_round import (  # noqa: F401 (the fixtures live_round and personas)
    shared_module_live_round, shared_module_personas)

PERSONAS = ["operator", "operator_b", "coordinator", "assessor", "leader", "outsider", "admin",
            "anonymous"]
LOGIN = "login"


def row(*statuses):
    return dict(zip(PERSONAS, statuses))


MATRIX = {
    ("GET", "agency-actions"): row(200, 404, 200, 200, 200, 404, 200, LOGIN),
    ("GET", "government-actions"): row(403, 403, 200, 200, 200, 404, 200, LOGIN),
    ("POST", "action-create"): row(302, 404, 302, 403, 403, 404, 302, LOGIN),
    ("POST", "action-update"): row(302, 404, 302, 403, 403, 404, 302, LOGIN),
    ("POST", "obstacle-report"): row(302, 404, 302, 403, 403, 404, 302, LOGIN),
    ("POST", "obstacle-resolve"): row(302, 404, 302, 403, 403, 404, 302, LOGIN),
}
CASES = [(method, name, persona, expected)
         for (method, name), statuses in MATRIX.items() for persona, expected in statuses.items()]


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def today():
    return timezone.localdate()


def agency_url(agency):
    return reverse("agency-actions", args=[agency.id])


def finding_action(assessment, letter="g", order=2, text="Ruang tunggu belum ramah difabel"):
    """An assessor's finding carried forward as an action, as publication does."""
    indicator = checklist().get(component__letter=letter, order=order)
    Answer.objects.create(assessment=assessment, indicator=indicator, finding=text)
    findings_carry_forward(round_=assessment.round)
    return ActionItem.objects.get(source_answer__assessment=assessment,
                                  source_answer__indicator=indicator)


@pytest.fixture
def follow_up(live_round):
    a = live_round["agencies"]["a"]
    action = finding_action(live_round["assessments"]["a"])
    obstacle = Obstacle.objects.create(agency=a, action=action, description="Anggaran belum ada")
    return {"agency": a, "action": action, "obstacle": obstacle}


@pytest.fixture
def targets(live_round, follow_up):
    agency, action, obstacle = follow_up["agency"], follow_up["action"], follow_up["obstacle"]
    return {
        "agency-actions": (agency_url(agency), {}),
        "government-actions": (reverse("government-actions",
                                       args=[live_round["government"].id]), {}),
        "action-create": (reverse("action-create", args=[agency.id]),
                          {"title": "Pasang papan informasi", "due_date": "2026-12-31"}),
        "action-update": (reverse("action-update", args=[agency.id, action.id]),
                          {"status": "in_progress", "owner": "Kabid Pelayanan"}),
        "obstacle-report": (reverse("obstacle-report", args=[agency.id]),
                            {"description": "Belum ada tenaga IT"}),
        "obstacle-resolve": (reverse("obstacle-resolve", args=[agency.id, obstacle.id]), {}),
    }


def trail(obj):
    """The audit trail's entries of one action or obstacle: (action, actor id), oldest first."""
    return [(e.action, e.actor_id) for e in AuditEntry.objects.filter(
        table_name=obj._meta.db_table, row_id=str(obj.pk)).order_by("id")]


def state(follow_up):
    action = ActionItem.objects.get(id=follow_up["action"].id)
    obstacle = Obstacle.objects.get(id=follow_up["obstacle"].id)
    return (ActionItem.objects.count(), Obstacle.objects.count(), action.status, action.owner,
            obstacle.resolved_at)


# --- who may read and write ---------------------------------------------------------------------

@pytest.mark.parametrize(("method", "name", "persona", "expected"), CASES,
                         ids=[f"{name}-{persona}" for _m, name, persona, _e in CASES])
@pytest.mark.django_db
def test_permission_matrix(client, personas, follow_up, targets, method, name, persona,
                           expected):
    if personas[persona] is not None:
        client.force_login(personas[persona])
    before = state(follow_up)
    url, data = targets[name]
    response = client.post(url, data) if method == "POST" else client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    if method == "POST":
        changed = state(follow_up) != before
        assert changed == (expected == 302), "only a permitted post changes anything"
        if expected == 302:
            assert response["Location"].startswith(agency_url(follow_up["agency"]))


@pytest.mark.django_db
def test_unknown_ids_and_other_agencies_objects_are_404(client, personas, live_round, follow_up):
    client.force_login(personas["admin"])
    b = live_round["agencies"]["b"]
    action, obstacle = follow_up["action"], follow_up["obstacle"]
    assert client.get(reverse("agency-actions", args=[999999])).status_code == 404
    assert client.get(reverse("government-actions", args=[999999])).status_code == 404
    # A's action and obstacle through B's URLs: not found, and untouched.
    assert client.post(reverse("action-update", args=[b.id, action.id]),
                       {"status": "done"}).status_code == 404
    assert client.post(reverse("obstacle-resolve", args=[b.id, obstacle.id])).status_code == 404
    assert ActionItem.objects.get(id=action.id).status == "open"
    assert Obstacle.objects.get(id=obstacle.id).resolved_at is None


@pytest.mark.parametrize(("persona", "writes"), [
    ("operator", True), ("coordinator", True), ("admin", True),
    ("leader", False), ("assessor", False)])
@pytest.mark.django_db
def test_forms_only_for_those_who_may_write(client, personas, follow_up, persona, writes):
    client.force_login(personas[persona])
    html = client.get(agency_url(follow_up["agency"])).content.decode()
    for marker in ('id="action-create-form"', 'id="obstacle-report-form"',
                   reverse("obstacle-resolve", args=[follow_up["agency"].id,
                                                     follow_up["obstacle"].id]),
                   reverse("action-update", args=[follow_up["agency"].id,
                                                  follow_up["action"].id])):
        assert (marker in html) == writes, marker
    assert ('id="read-only-note"' in html) != writes


# --- the flows through the pages -----------------------------------------------------------------

@pytest.mark.django_db
def test_operator_adds_an_action_for_a_component(client, personas, follow_up):
    agency = follow_up["agency"]
    component = Component.objects.get(letter="g")
    english(client)
    client.force_login(personas["operator"])
    response = client.post(reverse("action-create", args=[agency.id]), {
        "title": "  Sediakan kursi roda  ", "component": str(component.id),
        "owner": "Kasubag Umum", "due_date": "2026-09-30"})
    action = ActionItem.objects.get(title="Sediakan kursi roda")
    assert response.status_code == 302
    assert response["Location"] == agency_url(agency) + f"#action-{action.id}"
    assert (action.agency, action.component, action.owner, action.due_date, action.status) == (
        agency, component, "Kasubag Umum", date(2026, 9, 30), "open")
    assert action.source_answer is None
    assert trail(action) == [("insert", personas["operator"].pk)]

    page = client.get(agency_url(agency))
    text = text_of(page)
    assert "The action has been added." in text
    assert "Sediakan kursi roda" in text and f"g. {component.name_en}" in text
    # The finding's action shows its indicator code and round.
    assert "Finding g2" in text and "Penilaian 2026" in text


@pytest.mark.django_db
def test_coordinator_updates_status_owner_and_due_date(client, personas, follow_up):
    agency, action = follow_up["agency"], follow_up["action"]
    # The fixture's action is in the trail already; every change adds one entry.
    recorded = len(trail(action))
    client.force_login(personas["coordinator"])
    url = reverse("action-update", args=[agency.id, action.id])
    response = client.post(url, {"status": "in_progress", "owner": "Kabid Sarpras",
                                 "due_date": "2026-11-15"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.owner, action.due_date) == (
        "in_progress", "Kabid Sarpras", date(2026, 11, 15))
    assert trail(action)[-1] == ("update", personas["coordinator"].pk)

    # A post with only the status leaves owner and due date as they are.
    client.force_login(personas["operator"])
    assert client.post(url, {"status": "done"}).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.owner, action.due_date) == (
        "done", "Kabid Sarpras", date(2026, 11, 15))
    assert trail(action)[-1] == ("update", personas["operator"].pk)
    assert len(trail(action)) == recorded + 2

    # Posting the stored values again changes nothing, so nothing is recorded.
    client.post(url, {"status": "done"})
    assert len(trail(action)) == recorded + 2


@pytest.mark.django_db
def test_obstacle_reported_for_an_action_then_resolved(client, personas, follow_up):
    agency, action = follow_up["agency"], follow_up["action"]
    english(client)
    client.force_login(personas["operator"])
    response = client.post(reverse("obstacle-report", args=[agency.id]), {
        "description": "Anggaran renovasi baru tersedia tahun depan", "action": str(action.id)})
    obstacle = Obstacle.objects.get(description__startswith="Anggaran renovasi")
    assert response.status_code == 302
    assert (obstacle.agency, obstacle.action, obstacle.reported_by, obstacle.resolved_at) == (
        agency, action, personas["operator"], None)
    assert trail(obstacle) == [("insert", personas["operator"].pk)]

    text = text_of(client.get(agency_url(agency)))
    assert "The obstacle has been reported to the leaders." in text
    assert "2 open obstacles" in text

    client.force_login(personas["coordinator"])
    resolve = reverse("obstacle-resolve", args=[agency.id, obstacle.id])
    assert client.post(resolve).status_code == 302
    obstacle.refresh_from_db()
    resolved_at = obstacle.resolved_at
    assert resolved_at is not None
    assert trail(obstacle)[-1] == ("update", personas["coordinator"].pk)

    # Resolving again is refused with a message; the first resolution stays.
    response = client.post(resolve, follow=True)
    assert "This obstacle has already been resolved." in text_of(response)
    obstacle.refresh_from_db()
    assert obstacle.resolved_at == resolved_at
    assert len(trail(obstacle)) == 2


# --- input that is refused ------------------------------------------------------------------------

CREATE = "action-create"
UPDATE = "action-update"
REPORT = "obstacle-report"
BAD_INPUT = [
    (CREATE, {"title": "", "due_date": "2026-12-31"}, "This field is required."),
    (CREATE, {"title": "   "}, "This field is required."),
    (CREATE, {"title": "x" * 501}, "at most 500 characters"),
    (CREATE, {"title": "Papan", "due_date": "2026-02-30"}, "Enter a valid date."),
    (CREATE, {"title": "Papan", "due_date": "besok"}, "Enter a valid date."),
    (CREATE, {"title": "Papan", "due_date": "1999-12-31"}, "The due date must lie between 2000"),
    (CREATE, {"title": "Papan", "due_date": "99999-01-01"}, "Enter a valid date."),
    (CREATE, {"title": "Papan", "owner": "o" * 151}, "at most 150 characters"),
    (CREATE, {"title": "Papan", "component": "999999"}, "Select a valid choice."),
    (CREATE, {"title": "Papan", "component": "abc"}, "Select a valid choice."),
    (UPDATE, {"status": "finished"}, "Select a valid choice."),
    (UPDATE, {"status": ""}, "Unknown status"),
    (UPDATE, {"status": "done", "due_date": "31/02/2026"}, "Enter a valid date."),
    (UPDATE, {"due_date": "1900-01-01"}, "The due date must lie between 2000"),
    (UPDATE, {"owner": "o" * 151}, "at most 150 characters"),
    (REPORT, {"description": ""}, "This field is required."),
    (REPORT, {"description": "d" * 2001}, "at most 2000 characters"),
    (REPORT, {"description": "Kendala", "action": "999999"}, "Select a valid choice."),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_INPUT,
                         ids=[f"{n}-{i}" for i, (n, _d, _m) in enumerate(BAD_INPUT)])
@pytest.mark.django_db
def test_bad_input_is_explained_and_changes_nothing(client, personas, follow_up, name, data,
                                                    message):
    agency, action = follow_up["agency"], follow_up["action"]
    args = [agency.id, action.id] if name == UPDATE else [agency.id]
    english(client)
    client.force_login(personas["operator"])
    before = state(follow_up)
    history = AuditEntry.objects.filter(
        table_name__in=["assessments_actionitem", "assessments_obstacle"]).count()
    response = client.post(reverse(name, args=args), data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert state(follow_up) == before
    assert AuditEntry.objects.filter(
        table_name__in=["assessments_actionitem", "assessments_obstacle"]).count() == history


@pytest.mark.django_db
def test_obstacle_cannot_name_another_agencys_or_a_done_action(client, personas, live_round,
                                                               follow_up):
    agency = follow_up["agency"]
    other = finding_action(live_round["assessments"]["b"], letter="a", order=1)
    done = ActionItem.objects.create(agency=agency, title="Sudah selesai", status="done")
    client.force_login(personas["operator"])
    for action in (other, done):
        response = client.post(reverse("obstacle-report", args=[agency.id]),
                               {"description": "Kendala", "action": str(action.id)})
        assert response.status_code == 400
    assert Obstacle.objects.count() == 1


@pytest.mark.django_db
def test_messages_are_indonesian_by_default(client, personas, follow_up):
    client.force_login(personas["operator"])
    response = client.post(reverse("action-create", args=[follow_up["agency"].id]),
                           {"title": "Papan", "due_date": "2026-02-30"})
    assert response.status_code == 400
    assert "Masukkan tanggal yang valid." in text_of(response)


@pytest.mark.django_db
def test_html_in_titles_and_obstacles_is_escaped(client, personas, live_round, follow_up):
    agency = follow_up["agency"]
    client.force_login(personas["operator"])
    client.post(reverse("action-create", args=[agency.id]), {
        "title": "<script>alert(1)</script>", "due_date": (today() - timedelta(days=2))
        .isoformat()})
    client.post(reverse("obstacle-report", args=[agency.id]),
                {"description": "<b>bold</b> kendala"})
    client.force_login(personas["leader"])
    for url in (agency_url(agency), reverse("government-actions",
                                            args=[live_round["government"].id])):
        html = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;b&gt;bold&lt;/b&gt; kendala" in html


SERVICE_REFUSALS = [
    (action_create, {"title": "x" * 501}, "title"),
    (action_create, {"title": " "}, "title"),
    (action_create, {"title": "Papan", "due_date": date(1999, 12, 31)}, "due_date"),
    (action_create, {"title": "Papan", "owner": "o" * 151}, "owner"),
    (action_update, {"status": "finished"}, "status"),
    (action_update, {"due_date": date(2101, 1, 1)}, "due_date"),
    (action_update, {"title": ""}, "title"),
    (obstacle_report, {"description": "d" * 2001}, "description"),
]


@pytest.mark.parametrize(("service", "kwargs", "field"), SERVICE_REFUSALS)
@pytest.mark.django_db
def test_services_refuse_what_the_rules_forbid(personas, follow_up, service, kwargs, field):
    """The rules hold for every caller, not only for the forms."""
    target = ({"action": follow_up["action"]} if service is action_update
              else {"agency": follow_up["agency"]})
    before = state(follow_up)
    with pytest.raises(ValidationError) as refused:
        service(by=personas["operator"], **target, **kwargs)
    assert field in refused.value.message_dict
    assert state(follow_up) == before


@pytest.mark.django_db
def test_services_refuse_another_agencys_action_and_resolve_without_reporter(
        personas, live_round, follow_up):
    b = live_round["agencies"]["b"]
    with pytest.raises(ValidationError):
        obstacle_report(agency=b, action=follow_up["action"], description="x",
                        by=personas["operator_b"])
    # The reporter's account was deleted: the obstacle can still be resolved.
    # (A copy of the module's shared user: deleting it leaves the shared object without a pk.)
    reporter = type(personas["operator"]).objects.get(pk=personas["operator"].pk)
    obstacle = obstacle_report(agency=follow_up["agency"], description="x", by=reporter)
    reporter.delete()
    resolved = obstacle_resolve(obstacle=obstacle, by=personas["coordinator"])
    assert resolved.resolved_at is not None and resolved.reported_by is None
    # Called outside a request, the service still names its user in the trail.
    assert trail(resolved)[-1] == ("update", personas["coordinator"].pk)


# --- the government overview --------------------------------------------------------------------

@pytest.mark.django_db
def test_overdue_actions_open_counts_and_open_obstacles(client, personas, live_round,
                                                        follow_up):
    a, b = live_round["agencies"]["a"], live_round["agencies"]["b"]
    kendari = live_round["agencies"]["k"]
    now = today()

    def make(agency, title, due_days, status="open"):
        due = now + timedelta(days=due_days) if due_days is not None else None
        return ActionItem.objects.create(agency=agency, title=title, due_date=due, status=status)

    yesterday = make(a, "kemarin", -1)
    long_ago = make(b, "lama", -10, "in_progress")
    make(a, "hari ini", 0)  # due today: not yet overdue
    make(a, "selesai terlambat", -5, "done")  # done: never overdue
    make(b, "tanpa tenggat", None)  # no due date: never overdue
    make(b, "besok", 1, "in_progress")
    make(kendari, "Kendari", -30)  # another government
    follow_up["action"].delete()  # the finding's action has no due date either way

    Obstacle.objects.all().delete()
    old = Obstacle.objects.create(agency=b, description="lama")
    Obstacle.objects.filter(id=old.id).update(reported_at=timezone.now() - timedelta(days=3))
    new = Obstacle.objects.create(agency=a, description="baru")
    Obstacle.objects.create(agency=a, description="selesai", resolved_at=timezone.now())
    Obstacle.objects.create(agency=kendari, description="Kendari")

    client.force_login(personas["leader"])
    english(client)
    response = client.get(reverse("government-actions", args=[live_round["government"].id]))
    data = response.context["data"]
    assert [r.action for r in data.overdue] == [long_ago, yesterday]
    assert [r.days_overdue for r in data.overdue] == [10, 1]
    counts = {r.agency: (r.open, r.in_progress, r.overdue, r.open_obstacles)
              for r in data.agencies}
    assert counts == {a: (2, 0, 1, 1), b: (1, 2, 1, 1)}
    assert [(r.obstacle, r.age_days) for r in data.obstacles] == [(new, 0), (old, 3)]
    assert (data.open_action_total, data.overdue_total, data.open_obstacle_total) == (5, 2, 2)
    text = text_of(response)
    assert "10 days overdue" in text and "1 day overdue" in text
    assert "3 days" in text and "Kendari" not in text

    # On a fixed date the rule is the same: due before that day and not done.
    later = government_actions(live_round["government"], today=now + timedelta(days=2))
    assert {r.action.title for r in later.overdue} == {"lama", "kemarin", "hari ini", "besok"}
    action_update(action=long_ago, by=personas["coordinator"], status="done")
    later = government_actions(live_round["government"], today=now + timedelta(days=2))
    assert {r.action.title for r in later.overdue} == {"kemarin", "hari ini", "besok"}


@pytest.mark.django_db
def test_agency_page_marks_overdue_actions(client, personas, follow_up):
    agency = follow_up["agency"]
    ActionItem.objects.create(agency=agency, title="terlambat",
                              due_date=today() - timedelta(days=4))
    client.force_login(personas["assessor"])
    english(client)
    response = client.get(agency_url(agency))
    assert response.context["data"].overdue_count == 1
    assert "4 days overdue" in text_of(response)


# --- constant queries ----------------------------------------------------------------------------

def government_with_agencies(province, name, count, round_):
    government = Government.objects.create(province=province, level=Level.KABUPATEN, name=name)
    past = timezone.localdate() - timedelta(days=3)
    for index in range(count):
        agency = Agency.objects.create(government=government, name=f"{name} OPD {index:02d}")
        assessment = Assessment.objects.create(round=round_, agency=agency)
        action = finding_action(assessment, letter="a", order=index % 3 + 1, text=f"temuan {index}")
        ActionItem.objects.filter(id=action.id).update(due_date=past)
        manual = ActionItem.objects.create(agency=agency, title=f"aksi {index}", due_date=past,
                                           component=Component.objects.get(letter="g"))
        Obstacle.objects.create(agency=agency, action=manual, description=f"kendala {index}")
    return government


@pytest.mark.django_db
def test_government_page_queries_do_not_grow_with_agencies(client, personas, live_round,
                                                           django_assert_num_queries):
    province = Province.objects.create(name="Provinsi Uji")
    small = government_with_agencies(province, "Kabupaten Kecil", 2, live_round["round"])
    large = government_with_agencies(province, "Kabupaten Besar", 12, live_round["round"])
    client.force_login(personas["admin"])
    english(client)
    url = lambda government: reverse("government-actions", args=[government.id])  # noqa: E731
    client.get(url(small))
    with CaptureQueriesContext(connection) as small_queries:
        response = client.get(url(small))
    assert len(response.context["data"].overdue) == 4
    assert len(small_queries) <= 8
    with django_assert_num_queries(len(small_queries)):
        response = client.get(url(large))
    data = response.context["data"]
    assert (len(data.overdue), len(data.agencies), len(data.obstacles)) == (24, 12, 12)
    assert "Finding a1" in text_of(response)


@pytest.mark.django_db
def test_agency_page_queries_do_not_grow_with_actions(client, personas, live_round,
                                                      django_assert_num_queries):
    a, b = live_round["agencies"]["a"], live_round["agencies"]["b"]
    finding_action(live_round["assessments"]["a"])
    Obstacle.objects.create(agency=a, description="satu", reported_by=personas["operator"])
    earlier = Round.objects.create(year=2025, name="Penilaian 2025", state="published",
                                   methodology=live_round["round"].methodology)
    earlier_b = Assessment.objects.create(round=earlier, agency=b)
    for letter in "abcdefg":
        finding_action(earlier_b, letter=letter, order=1, text=f"temuan {letter}")
        action = ActionItem.objects.create(agency=b, title=f"aksi {letter}",
                                           component=Component.objects.get(letter=letter))
        Obstacle.objects.create(agency=b, action=action, description=f"kendala {letter}",
                                reported_by=personas["operator_b"])
    for persona in ("coordinator", "leader"):
        client.force_login(personas[persona])
        client.get(agency_url(a))
        with CaptureQueriesContext(connection) as few:
            response = client.get(agency_url(a))
        assert len(few) <= 7
        assert len(response.context["data"].actions) == 1
        with django_assert_num_queries(len(few)):
            response = client.get(agency_url(b))
        assert len(response.context["data"].actions) == 14
        assert len(response.context["data"].obstacles) == 7


@pytest.mark.django_db
def test_overdue_actions_come_first_on_the_agency_page(live_round):
    """An overdue action in progress must not hide below open actions due later."""
    from assessments.selectors.actions import agency_actions

    agency = live_round["agencies"]["a"]
    day = date(2026, 6, 1)
    ActionItem.objects.create(agency=agency, title="Open, due next month",
                              due_date=date(2026, 7, 1))
    ActionItem.objects.create(agency=agency, title="In progress, 20 days late",
                              status=ActionItem.Status.IN_PROGRESS, due_date=date(2026, 5, 12))
    ActionItem.objects.create(agency=agency, title="Open, 3 days late", due_date=date(2026, 5, 29))
    ActionItem.objects.create(agency=agency, title="Done long ago", status=ActionItem.Status.DONE,
                              due_date=date(2026, 1, 1))
    titles = [row.action.title for row in agency_actions(agency, today=day).actions]
    assert titles == ["In progress, 20 days late", "Open, 3 days late", "Open, due next month",
                      "Done long ago"]
