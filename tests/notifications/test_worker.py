"""The real parts: a Celery worker (two threads) against the local Redis and a real SMTP server
(aiosmtpd, in-process). One worker and one SMTP server serve the whole module.

Checked: a mail queued by a service arrives through the broker with its headers, in the
recipient's language, with a workbook attachment that openpyxl opens; the same outbox row
delivered twice at once (two worker threads, or two direct calls racing) is one mail, and the
race test shows two mails once the claim is taken out. The concurrent cases run on PostgreSQL
(the CI's first pass); on SQLite only the mail through the worker."""
import email
import io
import threading
import time
from email import policy

import openpyxl
import pytest
import redis
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from compliance.celery import app
from notifications import delivery, services
from notifications.models import MailLanguage, Outbox
from notifications.tasks import deliver_mail
from tests.xdist_helpers import redis_database

from django.db import connection

# A database of its own per pytest-xdist process: each process that runs a test of this module
# starts its own worker, which must not take the other's tasks.
REDIS_URL = f"redis://127.0.0.1:6379/{redis_database(9)}"
# Concurrent writers need PostgreSQL: SQLite's shared in-memory test database answers a second
# writer "table is locked" at once instead of making it wait (as in test_races_threads.py).
concurrent = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="real concurrent transactions need PostgreSQL")  # a database of its own: other workers use 0


def _redis_up():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.skipif(not _redis_up(), reason="Redis on 127.0.0.1:6379 (.ci/run starts it)"),
    pytest.mark.django_db(transaction=True),
]


class Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content,
                                                          policy=policy.default))
        return "250 OK"

    def wait_for(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        return list(self.messages)


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    import socket

    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="module")
def worker(django_db_blocker):
    from celery.contrib.testing.worker import start_worker

    redis.Redis.from_url(REDIS_URL).flushdb()
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    _forget_connections()
    with django_db_blocker.unblock():
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False,
                          shutdown_timeout=10, loglevel="WARNING"):
            yield
    app.conf.update(previous)
    _forget_connections()


def _forget_connections():
    """Earlier tests may have made the app's connection and producer pools for the in-memory
    broker; the next use makes them again for the configured one."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def mailer(settings, smtp):
    inbox, port = smtp
    inbox.messages.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    return inbox


@pytest.fixture
def people(django_user_model):
    return {name: django_user_model.objects.create_user(name, f"{name}@example.go.id", "x")
            for name in ("pimpinan", "leader_en")}


def test_a_mail_arrives_through_the_worker_with_its_attachment(worker, mailer, people):
    MailLanguage.objects.create(user=people["leader_en"], language="en")
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Kendala"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = default_storage.save("leader-reports/worker-test.xlsx", ContentFile(buffer.getvalue()))
    services.notify(recipients=[people["pimpinan"], people["leader_en"]],
                    kind="leader_report", key="leader-report:worker",
                    params={"government": "Kabupaten Majene", "period": "2026-05-04 – 2026-05-10"},
                    url="/governments/1/periodic-reports/", attachment=path,
                    attachment_name="laporan-berkala.xlsx")
    messages = {m["To"]: m for m in mailer.wait_for(2)}
    assert sorted(messages) == ["leader_en@example.go.id", "pimpinan@example.go.id"]
    indonesian, english = messages["pimpinan@example.go.id"], messages["leader_en@example.go.id"]
    assert indonesian["Subject"] == "[Kepatuhan] Laporan berkala kendala dan aksi"
    assert english["Subject"] == "[Kepatuhan] Periodic obstacle and action report"
    assert indonesian["Content-Language"] == "id" and english["Content-Language"] == "en"
    assert str(indonesian["List-Unsubscribe"]).strip().startswith("<http://127.0.0.1:8000/notifications/")
    assert indonesian["Auto-Submitted"] == "auto-generated"
    body = indonesian.get_body(("plain",)).get_content()
    assert "Laporan berkala kendala dan aksi Kabupaten Majene untuk 2026-05-04" in body
    attachment = next(english.iter_attachments())
    assert attachment.get_filename() == "laporan-berkala.xlsx"
    opened = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
    assert opened.active["A1"].value == "Kendala"
    # The worker marks a row sent just after the SMTP server has it: wait for that step.
    deadline = time.monotonic() + 20
    while set(Outbox.objects.values_list("status", flat=True)) != {"sent"} \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert set(Outbox.objects.values_list("status", flat=True)) == {"sent"}


@concurrent
def test_two_deliveries_of_one_row_through_two_workers_send_one_mail(worker, mailer, people):
    row = Outbox.objects.create(recipient=people["pimpinan"], dedupe_key="twice:1")
    from notifications.models import Notification
    row.notification = Notification.objects.create(
        recipient=people["pimpinan"], kind="published", params={"round": "R"},
        dedupe_key="twice:1")
    row.save()
    for _ in range(4):  # beat firing twice, a retry, a second worker: the same row
        deliver_mail.delay(row.id)
    time.sleep(1.5)
    assert len(mailer.wait_for(1)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def _race(row_id, claim):
    """Two threads deliver the same row at the same moment (the send is slowed so that both are
    inside it together unless the claim stops one)."""
    barrier = threading.Barrier(2)
    results = []

    def run():
        from django.db import connection
        barrier.wait()
        try:
            results.append(delivery.deliver(row_id, claim=claim))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.fixture
def slow_send(monkeypatch):
    from django.core.mail import EmailMultiAlternatives
    original = EmailMultiAlternatives.send

    def slow(self, *args, **kwargs):
        time.sleep(0.3)
        return original(self, *args, **kwargs)
    monkeypatch.setattr(EmailMultiAlternatives, "send", slow)


def _row(user, key):
    from notifications.models import Notification
    note = Notification.objects.create(recipient=user, kind="published", params={"round": "R"},
                                       dedupe_key=key)
    return Outbox.objects.create(recipient=user, dedupe_key=key, notification=note)


@concurrent
def test_concurrent_deliveries_of_one_key_send_one_mail(mailer, people, slow_send):
    row = _row(people["pimpinan"], "race:1")
    assert sorted(_race(row.id, delivery.claim_row)) == [False, True]
    assert len(mailer.wait_for(1, timeout=2)) == 1


@concurrent
def test_without_the_claim_the_race_sends_two(mailer, people, slow_send):
    """The control: with a claim that always succeeds, both deliveries send."""
    row = _row(people["pimpinan"], "race:2")
    assert _race(row.id, lambda outbox_id: True) == [True, True]
    assert len(mailer.wait_for(2, timeout=5)) == 2


@concurrent
def test_concurrent_queueing_of_one_key_records_one_row(people):
    """Beat firing twice: the same notification queued by two threads at once."""
    barrier = threading.Barrier(2)
    errors = []

    def run():
        from django.db import connection
        barrier.wait()
        try:
            services.notify(recipients=[people["pimpinan"]], kind="published", key="queue:1",
                            params={"round": "R"})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert Outbox.objects.filter(dedupe_key__startswith="queue:1").count() == 1
