"""A background export through a real Celery worker (two threads) against the local Redis: the
request answers with the job's page while the worker builds the file, which then downloads and
opens. Its own Redis database (per pytest-xdist process), so that no other worker takes its
tasks."""
import io
import time

import openpyxl
import pytest
import redis
from django.urls import reverse

from compliance.celery import app
from exports.models import ExportJob
from tests.xdist_helpers import redis_database

# A database of its own per pytest-xdist process: each process that runs a test of this module
# starts its own worker, which must not take the other's tasks.
REDIS_URL = f"redis://127.0.0.1:6379/{redis_database(13)}"


def _redis_up():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = [
    pytest.mark.skipif(not _redis_up(), reason="Redis on 127.0.0.1:6379 (.ci/run starts it)"),
    pytest.mark.django_db(transaction=True),
]


def _forget_connections():
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(scope="module")
def worker(django_db_blocker):
    from celery.contrib.testing.worker import start_worker

    redis.Redis.from_url(REDIS_URL).flushdb()
    from exports import services

    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
    # A retry (the in-memory SQLite test database can answer "table is locked" while this
    # thread polls the job) comes after a second, not half a minute.
    previous_delay, services.RETRY_DELAY = services.RETRY_DELAY, 1
    _forget_connections()
    with django_db_blocker.unblock():
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False,
                          shutdown_timeout=10, loglevel="WARNING"):
            yield
    app.conf.update(previous)
    services.RETRY_DELAY = previous_delay
    _forget_connections()


def wait_until_finished(job_id, timeout=60):
    deadline = time.monotonic() + timeout
    seen = set()
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(id=job_id)
        seen.add(job.status)
        if job.finished:
            return job, seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout} s")


def test_a_national_workbook_arrives_through_the_worker(worker, client, personas, live_round):
    round_ = live_round["round"]
    client.force_login(personas["admin"])
    response = client.post(reverse("export-request-national", args=[round_.id]))
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export-job", args=[job.id])
    job, seen = wait_until_finished(job.id)
    assert (job.status, job.progress, job.attempts) == ("done", 100, 1)
    status = client.get(reverse("export-job-status", args=[job.id])).content.decode()
    assert 'id="export-download"' in status
    download = client.get(reverse("export-job-download", args=[job.id]))
    assert download.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.sheetnames == ["Pemerintah daerah", "Unit layanan"]
    agencies = [row[3] for row in workbook["Unit layanan"].iter_rows(values_only=True)]
    assert "DPMPTSP Muna Barat" in agencies and "DPMPTSP Kendari" in agencies


def test_the_worker_refuses_a_job_whose_requester_lost_the_role(worker, personas, live_round):
    """The rule is asked again when the worker starts: the job is recorded as refused."""
    from agencies.models import Membership

    leader = personas["leader"]
    Membership.objects.filter(user=leader).delete()
    job = ExportJob.objects.create(user=leader, kind="government", language="en",
                                   params={"round": live_round["round"].id,
                                           "government": live_round["government"].id})
    from exports.tasks import export_job_task
    export_job_task.delay(job.id)
    job, _seen = wait_until_finished(job.id)
    assert (job.status, job.error) == ("failed", "access")
