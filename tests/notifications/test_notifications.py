"""Notifications without a broker (the eager default): who is told of what, in which language,
once; reading, preferences and the signed link. Mail goes to Django's test outbox."""
import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core import mail, signing
from django.db import transaction
from django.urls import reverse

from assessments import leader_reports, reminders
from assessments.models import Assessment, LeaderReport, Obstacle, Round
from assessments.services.actions import obstacle_answer, obstacle_report
from assessments.services.workflow import assessment_return
from compliance.celery import app
from notifications import services
from notifications.models import MailLanguage, Mode, Notification, Outbox
from notifications.tokens import SALT, preference_token
from tests.workbooks import table

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def committed(django_capture_on_commit_callbacks):
    """The test's transaction never commits: run the on-commit callbacks (the mails) at the
    end of each block as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def people(personas):
    for name in ("operator", "operator_b", "coordinator", "assessor", "leader", "outsider"):
        personas[name].email = f"{name}@example.go.id"
        personas[name].save()
    return personas


def test_without_a_broker_tasks_run_in_process(settings):
    assert settings.CELERY_BROKER_URL == "memory://"
    assert app.conf.task_always_eager is True
    assert settings.EMAIL_BACKEND.endswith("locmem.EmailBackend")  # the test runner's


def test_a_return_tells_the_operator_with_the_comment(people, live_round,
                                                      django_capture_on_commit_callbacks):
    unit = live_round["assessments"]["a"]
    Assessment.objects.filter(id=unit.id).update(status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        assessment_return(assessment_id=unit.id, user=people["coordinator"],
                          comment="Lampirkan SK maklumat")
    notes = Notification.objects.filter(kind="returned")
    assert [n.recipient.username for n in notes] == ["operator"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["operator@example.go.id"]
    assert message.subject == "[Kepatuhan] Daftar periksa dikembalikan"
    assert "Lampirkan SK maklumat" in message.body
    assert "/notifications/preferences/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Outbox.objects.get().status == "sent"


def test_mail_in_the_recipients_language(people, live_round,
                                         django_capture_on_commit_callbacks):
    MailLanguage.objects.create(user=people["leader"], language="en")
    with django_capture_on_commit_callbacks(execute=True):
        obstacle_report(agency=live_round["agencies"]["a"], by=people["operator"],
                        description="Anggaran belum tersedia")
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {"leader@example.go.id": "[Kepatuhan] Obstacle reported",
                        "coordinator@example.go.id": "[Kepatuhan] Kendala dilaporkan"}
    english = next(m for m in mail.outbox if m.to == ["leader@example.go.id"])
    assert "DPMPTSP Muna Barat reported an obstacle: Anggaran belum tersedia" in english.body


def test_nothing_is_sent_for_a_rolled_back_change(people, live_round,
                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                obstacle_report(agency=live_round["agencies"]["a"], by=people["operator"],
                                description="Tidak jadi")
                raise RuntimeError
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_leader_answers_and_the_operator_is_told(people, live_round,
                                                   django_capture_on_commit_callbacks):
    obstacle = Obstacle.objects.create(agency=live_round["agencies"]["a"], description="Kendala")
    with django_capture_on_commit_callbacks(execute=True):
        obstacle_answer(obstacle=obstacle, by=people["leader"], answer="Dianggarkan di APBD-P")
    obstacle.refresh_from_db()
    assert obstacle.seen_at is not None and obstacle.answer == "Dianggarkan di APBD-P"
    assert [m.to for m in mail.outbox] == [["operator@example.go.id"]]


def test_the_same_key_twice_tells_once(people, committed):
    for _ in range(2):
        with committed():
                services.notify(recipients=[people["leader"]], kind="published",
                            key="published:1", params={"round": "Penilaian 2026"})
    assert Notification.objects.count() == 1
    assert Outbox.objects.count() == 1
    assert len(mail.outbox) == 1


def test_app_only_and_digest_preferences(people):
    services.preference_set(user=people["leader"], kind="published", mode=Mode.APP)
    services.preference_set(user=people["coordinator"], kind="published", mode=Mode.DIGEST)
    services.notify(recipients=[people["leader"], people["coordinator"]], kind="published",
                    key="published:2", params={"round": "Penilaian 2026"})
    assert mail.outbox == []
    assert Notification.objects.count() == 2
    services.digests_queue(day=date(2026, 5, 4))
    services.digests_queue(day=date(2026, 5, 4))
    assert [m.to for m in mail.outbox] == [["coordinator@example.go.id"]]
    assert mail.outbox[0].subject == "[Kepatuhan] Ringkasan harian: 1 pemberitahuan"


def test_a_failed_send_is_recorded_and_a_retry_sends_once(people, monkeypatch, committed):
    from django.core.mail.backends.locmem import EmailBackend

    def broken(self, messages):
        raise ConnectionRefusedError("smtp down")
    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    with committed():
        services.notify(recipients=[people["leader"]], kind="published", key="published:3",
                        params={"round": "R"})
    row = Outbox.objects.get()
    assert (row.status, row.attempts, row.reason) == ("failed", 1, "ConnectionRefusedError")
    monkeypatch.undo()
    from notifications.delivery import deliver
    assert deliver(row.id) is True
    assert deliver(row.id) is False  # already sent: a second retry sends nothing
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_the_bell_list_and_reading_are_the_users_own(client, people):
    services.notify(recipients=[people["operator"], people["leader"]], kind="published",
                    key="published:4", params={"round": "Penilaian 2026"})
    mine = Notification.objects.get(recipient=people["operator"])
    theirs = Notification.objects.get(recipient=people["leader"])
    client.force_login(people["operator"])
    bell = client.get(reverse("notification-bell")).content.decode()
    assert 'id="notification-unread">1<' in bell
    page = client.get(reverse("notification-list")).content.decode()
    assert "Hasil Penilaian 2026 telah diumumkan." in page
    assert client.post(reverse("notification-read", args=[theirs.id])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(reverse("notification-read", args=[mine.id]))
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert 'id="notification-unread"' not in client.get(reverse("notification-bell")).content.decode()


def test_the_signed_link_changes_the_preference(client, people):
    token = preference_token(user=people["leader"], kind="published")
    url = reverse("notification-unsubscribe", args=[token])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 200  # one click, no login, no CSRF token
    assert services.mode_of(people["leader"], "published") == Mode.APP
    assert services.mode_of(people["leader"], "returned") == Mode.IMMEDIATE
    forged = signing.dumps({"u": people["coordinator"].pk, "k": ""}, salt="another-salt")
    bad = client.post(reverse("notification-unsubscribe", args=[forged]))
    assert bad.status_code == 400
    assert services.mode_of(people["coordinator"], "published") == Mode.IMMEDIATE
    assert SALT == "kepatuhan.notifications.preference"


def test_the_preferences_page_saves_every_kind(client, people):
    client.force_login(people["leader"])
    data = {f"mode_{kind}": "immediate" for kind in (
        "submitted", "returned", "finding", "obstacle_reported", "obstacle_answered",
        "round_state", "published", "deadline", "leader_report")}
    data |= {"mode_leader_report": "digest", "language": "en"}
    assert client.post(reverse("notification-preferences"), data).status_code == 302
    assert services.mode_of(people["leader"], "leader_report") == Mode.DIGEST
    assert services.language_of(people["leader"]) == "en"


@pytest.mark.parametrize(("days_left", "threshold"), [
    (30, None), (8, None), (7, 7), (6, 7), (4, 7), (3, 3), (2, 3), (1, 1), (0, 1), (-1, None)])
def test_reminder_threshold(days_left, threshold):
    assert reminders.threshold_for(days_left, [7, 3, 1]) == threshold


def test_deadline_reminders_go_once_per_threshold(people, live_round, committed):
    round_ = live_round["round"]
    deadline = round_.self_deadline
    for day in (deadline - timedelta(days=7), deadline - timedelta(days=7),
                deadline - timedelta(days=5)):
        with committed():
            reminders.self_assessment_reminders(today=day)
    # operator (unit a), operator_b (unit b), the coordinator (one per government): once each
    assert sorted(m.to[0] for m in mail.outbox) == [
        "coordinator@example.go.id", "operator@example.go.id", "operator_b@example.go.id"]
    with committed():
        reminders.self_assessment_reminders(today=deadline - timedelta(days=3))
    assert len(mail.outbox) == 6
    coordinator = next(m for m in mail.outbox if m.to == ["coordinator@example.go.id"])
    assert "2 daftar periksa Kabupaten Muna Barat belum dikirim." in coordinator.body


def test_verification_reminders_name_the_units_left(people, live_round, committed):
    round_ = live_round["round"]
    Round.objects.filter(id=round_.id).update(state="verification",
                                              verification_deadline=date(2026, 6, 30))
    with committed():
        reminders.verification_reminders(today=date(2026, 6, 29))
    assert [m.to for m in mail.outbox] == [["assessor@example.go.id"]]
    assert "2 unit belum difinalisasi." in mail.outbox[0].body


def test_the_leaders_report_is_made_and_mailed_once(people, live_round, committed):
    agency = live_round["agencies"]["a"]
    Obstacle.objects.create(agency=agency, description="=SUM(A1) bukan rumus")
    government = live_round["government"]
    today = date.today()
    with committed():
        first = leader_reports.leader_report_make(government=government, frequency="weekly",
                                                  today=today)
    with committed():
        again = leader_reports.leader_report_make(government=government, frequency="weekly",
                                                  today=today)
    assert first is not None and again is None
    assert LeaderReport.objects.count() == 1
    assert [m.to for m in mail.outbox] == [["leader@example.go.id"]]
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert name.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Kendala terbuka", "Tindakan", "Kemajuan", "Perubahan"]
    header, first, *_rest = table(workbook["Kendala terbuka"], values_only=False)
    assert header[0].value == "OPD"
    assert first[0].value == "DPMPTSP Muna Barat"
    assert first[1].value == "=SUM(A1) bukan rumus"
    assert first[1].data_type == "s"


@pytest.mark.parametrize(("today", "frequency", "start", "end"), [
    (date(2026, 5, 6), "weekly", date(2026, 4, 27), date(2026, 5, 3)),
    (date(2026, 5, 4), "weekly", date(2026, 4, 27), date(2026, 5, 3)),
    (date(2026, 5, 6), "monthly", date(2026, 4, 1), date(2026, 4, 30)),
    (date(2026, 3, 1), "monthly", date(2026, 2, 1), date(2026, 2, 28)),
])
def test_report_periods(today, frequency, start, end):
    assert leader_reports.period_before(today, frequency) == (start, end)


@pytest.mark.parametrize(("more_leaders", "queries"), [((), 17), (("immediate", "digest"), 20)])
def test_one_report_costs_a_fixed_number_of_queries(people, live_round, committed,
                                                    django_assert_num_queries, more_leaders,
                                                    queries):
    """Issue 15: the notification and mail rows of a report are written in a fixed number of
    queries whatever the number of leaders. Counted by hand for one leader: is the report made
    already (1); its rows: open obstacles, actions, the live round, its units' progress, the
    period's checklist events (5); the savepoint of the report's transaction (inside the
    test's), the report row and the release (3); the leaders (1), their preferences (1), the
    keys already taken (1), the notifications (1) and the mails (1), one insert each; then the
    mail delivered in-process: claimed (1), read with its recipient, mail language and
    notification (1), marked sent (1): 17. Two more leaders, one who wants mail and one the
    digest: the same writes, and one more mail delivered (3): 20. (The code before: 23 and
    38.)"""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    from agencies.models import Membership, Role
    from assessments.models import RoundGovernment

    government = live_round["government"]
    RoundGovernment.objects.create(round=live_round["round"], government=government)
    for number, mode in enumerate(more_leaders):
        user = get_user_model().objects.create_user(f"leader{number}",
                                                    f"leader{number}@example.go.id")
        Membership.objects.create(user=user, role=Role.LEADER, government=government)
        services.preference_set(user=user, kind="leader_report", mode=mode)
    MailLanguage.objects.create(user=people["leader"], language="en")
    Obstacle.objects.create(agency=live_round["agencies"]["a"], description="Anggaran")
    ContentType.objects.get_for_model(LeaderReport)  # cached in a running worker
    with django_assert_num_queries(queries):
        with committed():
            report = leader_reports.leader_report_make(government=government,
                                                       frequency="weekly", today=date.today())
    assert report.summary["units"] == 2 and report.summary["open_obstacles"] == 1
    expected = [["leader@example.go.id"]] + [[f"leader{n}@example.go.id"] for n, mode
                                              in enumerate(more_leaders) if mode == "immediate"]
    assert sorted(m.to for m in mail.outbox) == sorted(expected)
    assert mail.outbox[0].subject.startswith("[Kepatuhan] ") and \
        {m.extra_headers["Content-Language"] for m in mail.outbox} >= {"en"}
    assert Notification.objects.filter(kind="leader_report").count() == 1 + len(more_leaders)
    assert Notification.objects.filter(digest_pending=True).count() == more_leaders.count(
        "digest")
    assert set(Outbox.objects.values_list("status", flat=True)) == {"sent"}
