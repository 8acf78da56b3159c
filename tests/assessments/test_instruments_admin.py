"""The administrator's instrument page: the list with downloads, the upload of a new version,
and a rejected file's problems listed with sheet, row and column in the reader's language."""
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from compliance.instrument_io.export import instrument_workbook
from compliance.models import Instrument, Methodology

pytestmark = pytest.mark.django_db


def workbook(code="pekppp-assessment", cells=None):
    data = instrument_workbook(Instrument.objects.get(code=code, is_default=True))
    book = load_workbook(io.BytesIO(data))
    for (sheet, row, column), value in (cells or {}).items():
        book[sheet].cell(row=row, column=column).value = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def post(client, data, methodology="pekppp", version="2026", name="pekppp.xlsx"):
    return client.post(reverse("instrument-list"), {
        "file": SimpleUploadedFile(name, data),
        "methodology": str(Methodology.objects.get(code=methodology).pk), "version": version})


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas["admin"])
    return client


@pytest.mark.parametrize(("language", "title", "button"), [
    ("en", "Instruments", "Import a new version"),
    ("id", "Instrumen", "Impor versi baru"),
])
def test_list_shows_every_version_with_its_download(admin_client, language, title, button):
    admin_client.cookies["django_language"] = language
    html = admin_client.get(reverse("instrument-list")).content.decode()
    assert f"<h1 class=\"h3\">{title}</h1>" in html and button in html
    for instrument in Instrument.objects.all():
        assert reverse("instrument-export", args=[instrument.pk]) in html
    assert "pekppp-assessment" in html and "ombudsman-2025-opini" in html


def test_download_is_the_workbook(admin_client):
    instrument = Instrument.objects.get(code="ombudsman-2022-assessment")
    response = admin_client.get(reverse("instrument-export", args=[instrument.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="ombudsman-2022-assessment-2023.xlsx"')
    sheets = load_workbook(io.BytesIO(response.content)).sheetnames
    assert sheets == ["instrument", "dimensions", "indicators", "rubric_levels", "bands"]
    assert admin_client.get(reverse("instrument-export", args=[987654])).status_code == 404


def test_upload_imports_a_new_version(admin_client):
    response = post(admin_client, workbook())
    assert response.status_code == 302 and response["Location"] == reverse("instrument-list")
    created = Instrument.objects.get(code="pekppp-assessment", version="2026")
    assert created.indicators.count() == 26 and not created.is_default
    page = admin_client.get(reverse("instrument-list")).content.decode()
    assert "pekppp-assessment versi 2026" in page  # the message, in Indonesian by default


@pytest.mark.parametrize(("language", "expected"), [
    ("en", ["the dimension weights sum to 101.00; they must sum to 100",
            "a whole number from 0 to 5"]),
    ("id", ["jumlah bobot dimensi 101.00; seharusnya 100",
            "bilangan bulat dari 0 sampai 5"]),
])
def test_a_broken_file_lists_its_problems_and_changes_nothing(admin_client, language,
                                                              expected):
    admin_client.cookies["django_language"] = language
    count = Instrument.objects.count()
    data = workbook(cells={("dimensions", 2, 5): 25, ("rubric_levels", 2, 2): 6})
    response = post(admin_client, data)
    assert response.status_code == 400
    assert Instrument.objects.count() == count
    html = response.content.decode()
    rows = re.findall(r"<tr><td><code>(\w+)</code></td><td>(\d+)</td><td><code>(\w*)</code>"
                      r"</td><td>([^<]*)</td></tr>", html)
    assert [row[:3] for row in rows] == [("dimensions", "2", "weight"),
                                         ("rubric_levels", "2", "level")]
    assert [row[3] for row in rows] == expected


def test_a_file_that_is_not_a_workbook_is_refused(admin_client):
    with translation.override("en"):
        response = post(admin_client, b"not a workbook", name="x.xlsx")
    assert response.status_code == 400
    assert "Berkas ini bukan buku kerja .xlsx yang valid." in response.content.decode()


def test_the_list_costs_the_same_queries_for_more_versions(admin_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("instrument-list")).status_code == 200
        return len(captured)

    first = queries()
    post(admin_client, workbook(), version="2027")
    post(admin_client, workbook(), version="2028")
    assert queries() == first
