"""Background exports, in-process (no broker: the eager default of ``make run``): a request
answers with the job's page, the job builds the very file the direct download gives, the job and
its file are its requester's alone, the download asks the export's rule again, failures are
recorded and shown translated, transient failures are retried, and files older than 7 days are
removed by the periodic task.

Expected values are literals: file names, the sheet and row texts of Muna Barat's round (the
conftest's ``live_round``), the error texts in both languages."""
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership, Role
from assessments.spreadsheets.national_export import national_workbook
from exports import services
from exports.models import ExportJob

from ..assessments.helpers import publish, text_of_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cells(content: bytes) -> dict:
    """Every sheet's cell values; the "made on <minute> by" line is the one cell that may differ
    between two builds a minute apart."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    made = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d \S+")
    return {ws.title: [[made.sub("<when>", v) if isinstance(v, str) else v for v in row]
                       for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def request_job(client, django_capture_on_commit_callbacks, name, *args, execute=True):
    with django_capture_on_commit_callbacks(execute=execute):
        response = client.post(reverse(name, args=args))
    assert response.status_code == 302, response
    job = ExportJob.objects.latest("id")
    assert response["Location"] == reverse("export-job", args=[job.id])
    return job


def body(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming \
        else response.content.decode()


def downloaded(client, job):
    response = client.get(reverse("export-job-download", args=[job.id]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return response, b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_government_workbook_job_holds_what_the_direct_download_holds(
        client, personas, live_round, django_capture_on_commit_callbacks):
    round_, government = live_round["round"], live_round["government"]
    client.force_login(personas["operator"])  # an operator's workbook: only their own agency
    job = request_job(client, django_capture_on_commit_callbacks, "export-request-government",
                      round_.id, government.id)
    job.refresh_from_db()
    assert (job.status, job.progress, job.error, job.attempts) == ("done", 100, "", 1)
    assert job.subject == "Kabupaten Muna Barat, Penilaian 2026"
    assert job.filename == "rapor-2026-kabupaten-muna-barat.xlsx"
    assert job.expires_at - job.finished_at == timedelta(days=7)
    page = client.get(reverse("export-job", args=[job.id])).content.decode()
    assert 'id="export-download"' in page and 'every 2s' not in page  # done: no more polls
    assert "Disimpan selama 7 hari" in page
    response, content = downloaded(client, job)
    assert response["Content-Type"] == XLSX
    assert 'filename="rapor-2026-kabupaten-muna-barat.xlsx"' in response["Content-Disposition"]
    direct = client.get(reverse("government-report-xlsx", args=[round_.id, government.id]))
    assert cells(content) == cells(direct.content)
    text = str(cells(content))
    assert "DPMPTSP Muna Barat" in text
    assert "Disdukcapil Muna Barat" not in text and "DPMPTSP Kendari" not in text


@pytest.mark.django_db
def test_a_province_workbook_job_in_english_holds_what_the_direct_download_holds(
        client, personas, live_round, django_capture_on_commit_callbacks, settings):
    round_, province = live_round["round"], live_round["government"].province
    client.force_login(personas["assessor"])  # assessors get their own governments only
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    job = request_job(client, django_capture_on_commit_callbacks, "export-request-province",
                      round_.id, province.id)
    job.refresh_from_db()
    assert (job.status, job.language, job.filename) == (
        "done", "en", "laporan-2026-sulawesi-tenggara.xlsx")
    _response, content = downloaded(client, job)
    direct = client.get(reverse("province-report-xlsx", args=[round_.id, province.id]))
    assert cells(content) == cells(direct.content)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.worksheets[0]["A1"].value.startswith("Compliance round report")
    text = str(cells(content))
    assert "Kabupaten Muna Barat" in text and "DPMPTSP Kendari" not in text


@pytest.mark.django_db
def test_a_national_workbook_job_holds_what_the_builder_writes(
        client, personas, live_round, django_capture_on_commit_callbacks):
    round_ = live_round["round"]
    client.force_login(personas["admin"])
    job = request_job(client, django_capture_on_commit_callbacks, "export-request-national",
                      round_.id)
    job.refresh_from_db()
    assert (job.status, job.filename) == ("done", f"nasional-2026-{round_.id}.xlsx")
    _response, content = downloaded(client, job)
    buffer = io.BytesIO()
    national_workbook(round_, buffer, made_by="admin")
    assert cells(content) == cells(buffer.getvalue())
    assert list(cells(content)) == ["Pemerintah daerah", "Unit layanan"]
    units = cells(content)["Unit layanan"]
    assert [row[3] for row in units if row[3] in ("DPMPTSP Muna Barat", "DPMPTSP Kendari")] \
        == ["DPMPTSP Muna Barat", "DPMPTSP Kendari"]  # Kabupaten Muna Barat, then Kota Kendari


@pytest.mark.django_db
def test_a_government_rapor_job_holds_the_text_of_the_direct_pdf(
        client, personas, verified_round, django_capture_on_commit_callbacks, tmp_path):
    publish(verified_round, personas)
    government, round_ = verified_round["government"], verified_round["round"]
    client.force_login(personas["leader"])
    job = request_job(client, django_capture_on_commit_callbacks,
                      "export-request-government-rapor", round_.id, government.id)
    job.refresh_from_db()
    assert (job.status, job.content_type) == ("done", "application/pdf")
    assert job.filename == f"rapor-2026-kabupaten-muna-barat-{government.id}.pdf"
    _response, content = downloaded(client, job)
    direct = client.get(reverse("government-rapor-pdf", args=[government.id, round_.id]))
    text = text_of_pdf(content, tmp_path)
    assert text == text_of_pdf(direct.content, tmp_path)
    assert "Rapor pemerintah daerah: Kabupaten Muna Barat" in text and "51,61" in text


@pytest.mark.django_db
def test_a_job_is_its_requesters_alone(client, personas, live_round,
                                       django_capture_on_commit_callbacks):
    round_, government = live_round["round"], live_round["government"]
    client.force_login(personas["leader"])
    job = request_job(client, django_capture_on_commit_callbacks, "export-request-government",
                      round_.id, government.id)
    for name in ("coordinator", "assessor", "outsider", "admin"):  # admin too: it is not theirs
        client.force_login(personas[name])
        for url in ("export-job", "export-job-status", "export-job-download"):
            assert client.get(reverse(url, args=[job.id])).status_code == 404, (name, url)
        assert f"export-job-{job.id}" not in client.get(reverse("export-list")).content.decode()
    client.logout()
    response = client.get(reverse("export-job-download", args=[job.id]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_request_asks_the_exports_own_rule(client, personas, live_round):
    round_, government = live_round["round"], live_round["government"]
    province = government.province
    cases = [  # persona, url, expected: the same answers as the direct downloads
        ("leader", reverse("export-request-national", args=[round_.id]), 403),
        ("coordinator", reverse("export-request-province", args=[round_.id, province.id]), 403),
        ("outsider", reverse("export-request-government", args=[round_.id, government.id]),
         404),
        ("coordinator", reverse("export-request-government-rapor",
                                args=[round_.id, government.id]), 403),  # not published
        ("admin", reverse("export-request-national", args=[987654]), 404),
    ]
    for persona, url, status in cases:
        client.force_login(personas[persona])
        assert client.post(url).status_code == status, (persona, url)
        assert client.get(url).status_code == 405
    assert ExportJob.objects.count() == 0


@pytest.mark.django_db
def test_the_download_asks_the_rule_again_after_a_role_is_lost(
        client, personas, live_round, django_capture_on_commit_callbacks):
    round_, government = live_round["round"], live_round["government"]
    client.force_login(personas["leader"])
    job = request_job(client, django_capture_on_commit_callbacks, "export-request-government",
                      round_.id, government.id)
    assert client.get(reverse("export-job-download", args=[job.id])).status_code == 200
    Membership.objects.filter(user=personas["leader"]).delete()
    assert client.get(reverse("export-job-download", args=[job.id])).status_code == 404


@pytest.mark.django_db
def test_the_download_answers_403_for_a_right_lost_inside_the_scope(
        client, personas, live_round, django_capture_on_commit_callbacks):
    """An assessor's government rapor before publication, and then the assessor is made a
    coordinator of the same government: still in scope, no longer allowed (403)."""
    round_, government = live_round["round"], live_round["government"]
    assessor = personas["assessor"]
    client.force_login(assessor)
    job = request_job(client, django_capture_on_commit_callbacks,
                      "export-request-government-rapor", round_.id, government.id)
    job.refresh_from_db()
    assert job.status == "done"
    Membership.objects.filter(user=assessor).update(role=Role.COORDINATOR)
    assert client.get(reverse("export-job-download", args=[job.id])).status_code == 403


@pytest.mark.django_db
def test_the_worker_asks_the_rule_again_and_records_the_refusal_translated(
        client, personas, live_round, django_capture_on_commit_callbacks, settings):
    round_, government = live_round["round"], live_round["government"]
    client.force_login(personas["leader"])
    job = request_job(client, django_capture_on_commit_callbacks, "export-request-government",
                      round_.id, government.id, execute=False)
    page = client.get(reverse("export-job", args=[job.id])).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'id="export-progress"' in page  # still polling
    assert client.get(reverse("export-job-download", args=[job.id])).status_code == 302
    Membership.objects.filter(user=personas["leader"]).delete()
    assert services.export_job_run(job.id) == "failed"
    job.refresh_from_db()
    assert (job.status, job.error, job.file) == ("failed", "access", "")
    status = client.get(reverse("export-job-status", args=[job.id])).content.decode()
    assert "Anda tidak lagi boleh memiliki ekspor ini" in status and "every 2s" not in status
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    status = client.get(reverse("export-job-status", args=[job.id])).content.decode()
    assert "You may no longer have this export (your role has changed)." in status


@pytest.mark.django_db
def test_a_second_click_while_it_waits_makes_no_second_job(
        client, personas, live_round, django_capture_on_commit_callbacks):
    round_, government = live_round["round"], live_round["government"]
    client.force_login(personas["leader"])
    first = request_job(client, django_capture_on_commit_callbacks,
                        "export-request-government", round_.id, government.id, execute=False)
    second = request_job(client, django_capture_on_commit_callbacks,
                         "export-request-government", round_.id, government.id, execute=False)
    assert first.id == second.id and ExportJob.objects.count() == 1
    ExportJob.objects.filter(id=first.id).update(status="running", started_at=timezone.now())
    assert services.export_job_run(first.id) == "skipped"  # another worker is building it
    ExportJob.objects.filter(id=first.id).update(  # ... or was, and died half an hour ago
        started_at=timezone.now() - timedelta(minutes=31))
    assert services.export_job_run(first.id) == "done"
    assert services.export_job_run(first.id) == "skipped"  # a task delivered twice builds once
    third = request_job(client, django_capture_on_commit_callbacks,
                        "export-request-government", round_.id, government.id)
    assert third.id != first.id  # once done, a new request makes newer figures


def failing_once(function, error):
    """``function`` that raises ``error`` on its first call and works afterwards."""
    failures = {"left": 1}

    def once(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise error
        return function(*args, **kwargs)
    return once


@pytest.mark.django_db
def test_a_transient_failure_is_retried_and_a_defect_is_not(
        client, personas, live_round, django_capture_on_commit_callbacks, monkeypatch):
    from assessments import downloads

    round_, government = live_round["round"], live_round["government"]
    client.force_login(personas["leader"])
    job = request_job(client, django_capture_on_commit_callbacks, "export-request-government",
                      round_.id, government.id, execute=False)
    flaky = failing_once(downloads.GovernmentWorkbook.build,
                         OperationalError("server closed the connection unexpectedly"))
    monkeypatch.setattr(downloads.GovernmentWorkbook, "build", staticmethod(flaky))
    with pytest.raises(services.Transient):
        services.export_job_run(job.id, last_try=False)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("queued", 1)
    assert services.export_job_run(job.id, last_try=False) == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(downloads.GovernmentWorkbook, "build", staticmethod(broken))
    again = request_job(client, django_capture_on_commit_callbacks,
                        "export-request-government", round_.id, government.id, execute=False)
    assert services.export_job_run(again.id, last_try=False) == "failed"
    again.refresh_from_db()
    assert (again.status, again.error, again.attempts) == ("failed", "failed", 1)


@pytest.mark.django_db
def test_a_database_failure_while_taking_the_job_leaves_it_queued_for_a_retry(
        client, personas, live_round, django_capture_on_commit_callbacks, monkeypatch):
    """SQLite's "table is locked" (or a dropped PostgreSQL connection) on the claiming UPDATE:
    the job is not lost as "queued" for ever, the task tries again and builds it."""
    round_, government = live_round["round"], live_round["government"]
    client.force_login(personas["leader"])
    job = request_job(client, django_capture_on_commit_callbacks, "export-request-government",
                      round_.id, government.id, execute=False)
    monkeypatch.setattr(services, "_claim", failing_once(
        services._claim, OperationalError("database table is locked: exports_exportjob")))
    with pytest.raises(services.Transient):
        services.export_job_run(job.id, last_try=False)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("queued", 0)
    assert services.export_job_run(job.id, last_try=False) == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 1)


@pytest.mark.django_db
def test_files_older_than_seven_days_are_removed_and_marked_expired(
        client, personas, live_round, django_capture_on_commit_callbacks):
    round_, government = live_round["round"], live_round["government"]
    client.force_login(personas["leader"])
    old = request_job(client, django_capture_on_commit_callbacks, "export-request-government",
                      round_.id, government.id)
    fresh = request_job(client, django_capture_on_commit_callbacks,
                        "export-request-government", round_.id, government.id)
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert default_storage.exists(old.file) and default_storage.exists(fresh.file)
    ExportJob.objects.filter(id=old.id).update(
        finished_at=timezone.now() - timedelta(days=7, minutes=1),
        expires_at=timezone.now() - timedelta(minutes=1))
    from exports.tasks import expire_export_jobs
    assert expire_export_jobs.delay().get() == 1
    old_file = old.file
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, old.file) == ("expired", "")
    assert not default_storage.exists(old_file)
    assert fresh.status == "done" and default_storage.exists(fresh.file)
    response = client.get(reverse("export-job-download", args=[old.id]))
    assert response.status_code == 302  # to its page, which says it was removed
    assert "Berkas dihapus 7 hari setelah dibuat" in client.get(response["Location"]).content \
        .decode()
    assert services.export_jobs_expire() == 0  # nothing twice


@pytest.mark.django_db
def test_the_expiry_schedule_is_stored_for_administrators_to_change():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="Remove expired exports")
    assert task.task == "exports.tasks.expire_export_jobs"
    assert (task.crontab.minute, task.crontab.hour) == ("20", "*")


@pytest.mark.django_db
def test_the_database_refuses_a_finished_job_without_its_file(personas):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(user=personas["leader"], kind="national", params={},
                                 status="done")
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(user=personas["leader"], kind="national", params={},
                                 progress=101)
