"""Evidence uploads: allow-lists, magic bytes, size limit before storage, scoped downloads."""
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Evidence
from audit.models import AuditEntry

from tests.checklists import checklist

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def stored_files():
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def upload_url(live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="persyaratan-1")
    return assessment, indicator, reverse("evidence-add", args=[assessment.id, indicator.id])


@pytest.mark.django_db
def test_pdf_is_stored_under_a_generated_name_with_its_hash(client, personas, upload_url):
    assessment, indicator, url = upload_url
    client.force_login(personas["operator"])
    before = stored_files()
    upload = SimpleUploadedFile("../../SK Standar Pelayanan.pdf", PDF_BYTES, "application/pdf")
    response = client.post(url, {"file": upload}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "alert-danger" not in response.content.decode()
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert evidence.original_name == "SK Standar Pelayanan.pdf"
    assert evidence.file.name.startswith(f"evidence/{assessment.id}/")
    assert "SK" not in evidence.file.name and ".." not in evidence.file.name
    new = [p for p in stored_files() if p not in before]
    assert len(new) == 1 and not str(new[0]).startswith(str(settings.STATIC_ROOT))
    assert (evidence.size, evidence.uploaded_by) == (len(PDF_BYTES), personas["operator"])


@pytest.mark.parametrize(("name", "content", "mime", "fragment"), [
    ("script.exe", b"MZ\x90\x00", "application/octet-stream", "cannot be attached"),
    ("page.html", b"<html>", "text/html", "cannot be attached"),
    ("fake.pdf", b"<html><script>alert(1)</script>", "application/pdf", "content does not match"),
    ("photo.png", PDF_BYTES, "image/png", "content does not match"),
    ("doc.pdf", PDF_BYTES, "text/html", "does not match its extension"),
    ("zip.docx", b"PK\x03\x04not really", "application/vnd.openxmlformats-officedocument."
     "wordprocessingml.document", "content does not match"),
    ("empty.pdf", b"", "application/pdf", "empty"),
])
@pytest.mark.django_db
def test_bad_files_are_refused_with_a_message_and_nothing_stored(
        client, personas, upload_url, name, content, mime, fragment):
    _assessment, _indicator, url = upload_url
    client.force_login(personas["operator"])
    before = stored_files()
    client.cookies["django_language"] = "en"
    response = client.post(url, {"file": SimpleUploadedFile(name, content, mime)},
                           HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "alert-danger" in html and fragment in html
    assert not Evidence.objects.exists() and stored_files() == before


@pytest.mark.django_db
def test_office_document_is_accepted(client, personas, upload_url):
    _assessment, _indicator, url = upload_url
    client.force_login(personas["operator"])
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    client.post(url, {"file": SimpleUploadedFile("ABK.docx", docx_bytes(), mime)},
                HTTP_HX_REQUEST="true")
    assert Evidence.objects.get().original_name == "ABK.docx"


@pytest.mark.django_db
def test_size_limit_is_enforced_before_anything_is_stored(client, personas, upload_url, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    _assessment, _indicator, url = upload_url
    client.force_login(personas["operator"])
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 200_000, "application/pdf")
    before = stored_files()
    response = client.post(url, {"file": big}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "alert-danger" in html and ("1,0" in html or "1.0" in html)
    assert not Evidence.objects.exists() and stored_files() == before


@pytest.mark.django_db
def test_links_are_checked(client, personas, upload_url):
    _assessment, _indicator, url = upload_url
    client.force_login(personas["operator"])
    for bad in ("javascript:alert(1)", "ftp://example.org/x", "not a url", "https://" + "a" * 600):
        response = client.post(url, {"url": bad}, HTTP_HX_REQUEST="true")
        assert "alert-danger" in response.content.decode(), bad
    client.post(url, {"url": "https://munabaratkab.go.id/standar-pelayanan"},
                HTTP_HX_REQUEST="true")
    assert Evidence.objects.get().url == "https://munabaratkab.go.id/standar-pelayanan"


@pytest.mark.django_db
def test_download_is_scoped_and_never_sniffed_or_cached(client, personas, upload_url):
    _assessment, _indicator, url = upload_url
    client.force_login(personas["operator"])
    client.post(url, {"file": SimpleUploadedFile("sk.pdf", PDF_BYTES, "application/pdf")})
    evidence = Evidence.objects.get()
    download = reverse("evidence-download", args=[evidence.id])
    for name in ("operator", "coordinator", "assessor", "leader", "admin"):
        client.force_login(personas[name])
        response = client.get(download)
        assert response.status_code == 200, name
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Disposition"].startswith('attachment; filename="sk.pdf"')
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    for name in ("operator_b", "outsider"):
        client.force_login(personas[name])
        assert client.get(download).status_code == 404, name
    client.logout()
    assert client.get(download).status_code == 302


@pytest.mark.django_db
def test_fulfilled_without_evidence_is_flagged(client, personas, live_round):
    from assessments.services.answers import answer_save

    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="prosedur-2")
    answer_save(assessment_id=assessment.id, indicator=indicator, user=personas["operator"],
                value=3, not_applicable=False, note="", expected_version=0)
    client.force_login(personas["operator"])
    page = client.get(reverse("checklist", args=[assessment.id]))
    assert page.context["without_evidence_count"] == 1
    url = reverse("evidence-add", args=[assessment.id, indicator.id])
    response = client.post(url, {"url": "https://example.org/sop"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="without-evidence-count">0<' in html
    page = client.get(reverse("checklist", args=[assessment.id]))
    assert page.context["without_evidence_count"] == 0


@pytest.mark.django_db
def test_removing_evidence_is_recorded_in_history(client, personas, upload_url):
    assessment, _indicator, url = upload_url
    client.force_login(personas["operator"])
    client.post(url, {"url": "https://example.org/a"})
    evidence = Evidence.objects.get()
    client.post(reverse("evidence-remove", args=[assessment.id, evidence.id]))
    assert not Evidence.objects.exists()
    trail = AuditEntry.objects.filter(table_name="assessments_evidence",
                                      row_id=str(evidence.id)).order_by("id")
    assert [(e.action, e.actor_id) for e in trail] == [
        ("insert", personas["operator"].pk), ("delete", personas["operator"].pk)]
    assert trail.last().old_values["url"] == "https://example.org/a"
