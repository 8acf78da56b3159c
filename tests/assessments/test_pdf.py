"""The rapors as PDF (WeasyPrint): the unit's rapor and the government's rapor, in the reader's
language, read back with poppler's ``pdftotext``; the same readers as the HTML pages (a user
refused the page is refused the PDF); the PDF templates fetch nothing.

Figures are those of tests/assessments/test_reports.py: Muna Barat's 2026 round, unit a verified
at 50.92, unit b at 52.29, the government at 51.61 (self 66.67).
"""
import re

import pytest
from django.conf import settings
from django.urls import reverse
from weasyprint.urls import FatalURLFetchingError

from tests.shared_round import (  # noqa: F401 (the fixtures verified_round and personas)
    shared_module_verified_round, shared_verified_personas)

from .helpers import RAMP, publish, text_of_pdf


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def unit_pdf_url(world):
    return reverse("rapor-pdf", args=[world["assessments"]["a"].id])


def government_pdf_url(world):
    return reverse("government-rapor-pdf", args=[world["government"].id, world["round"].id])


def assert_pdf(response, filename):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.content.startswith(b"%PDF-")


@pytest.mark.django_db
def test_unit_rapor_pdf_in_indonesian(client, personas, verified_round, tmp_path):
    publish(verified_round, personas)
    client.force_login(personas["leader"])
    response = client.get(unit_pdf_url(verified_round))
    unit = verified_round["assessments"]["a"]
    assert_pdf(response, f"rapor-2026-dpmptsp-{unit.id}.pdf")
    text = text_of_pdf(response.content, tmp_path)
    assert "Rapor: DPMPTSP Muna Barat" in text
    assert "Kabupaten Muna Barat" in text
    assert "50,92" in text and "100,00" in text  # verified and self
    assert RAMP in text  # the assessor's finding
    assert "Mengetahui," in text and "Disiapkan oleh," in text
    assert "Kepala DPMPTSP Muna Barat" in text and "NIP" in text


@pytest.mark.django_db
def test_unit_rapor_pdf_in_english(client, personas, verified_round, tmp_path):
    publish(verified_round, personas)
    client.force_login(personas["leader"])
    english(client)
    text = text_of_pdf(client.get(unit_pdf_url(verified_round)).content, tmp_path)
    assert "Kabupaten Muna Barat" in text and "50.92" in text
    assert "Acknowledged by," in text and "Prepared by," in text
    assert "Head of DPMPTSP Muna Barat" in text and "Employee ID (NIP)" in text


@pytest.mark.django_db
def test_government_rapor_pdf_in_both_languages(client, personas, verified_round, tmp_path):
    publish(verified_round, personas)
    client.force_login(personas["leader"])
    government = verified_round["government"]
    response = client.get(government_pdf_url(verified_round))
    assert_pdf(response, f"rapor-2026-kabupaten-muna-barat-{government.id}.pdf")
    text = text_of_pdf(response.content, tmp_path)
    assert "Rapor pemerintah daerah: Kabupaten Muna Barat" in text
    assert "51,61" in text and "66,67" in text  # verified and self, government
    assert "50,92" in text and "52,29" in text  # the two units
    assert RAMP in text  # a finding, and the follow-up action made of it
    assert text.count(RAMP) == 2
    assert "Sekretaris Daerah Kabupaten Muna Barat" in text
    assert "Mengetahui," in text and "NIP" in text
    assert re.search(r"Kabupaten Muna Barat, \d{1,2} \w+ 20\d\d", text)  # place, date

    english(client)
    text = text_of_pdf(client.get(government_pdf_url(verified_round)).content, tmp_path)
    assert "Government rapor: Kabupaten Muna Barat" in text and "51.61" in text
    assert "Regional Secretary of Kabupaten Muna Barat" in text
    assert "Acknowledged by," in text and "Employee ID (NIP)" in text


@pytest.mark.parametrize("persona", ["operator", "operator_b", "coordinator", "leader",
                                     "outsider", "anonymous", "assessor", "admin"])
@pytest.mark.django_db
def test_whoever_is_refused_the_page_is_refused_the_pdf(client, personas, verified_round,
                                                        persona):
    """Before publication (verified figures secret) and after it, the PDF answers exactly as
    the HTML page does."""
    world = verified_round
    pages = [(reverse("rapor", args=[world["assessments"]["a"].id]), unit_pdf_url(world)),
             (reverse("comparison", args=[world["government"].id, world["round"].id]),
              government_pdf_url(world))]
    if personas[persona] is not None:
        client.force_login(personas[persona])
    for published in (False, True):
        if published:
            publish(world, personas)
        for html_url, pdf_url in pages:
            page, pdf = client.get(html_url), client.get(pdf_url)
            assert pdf.status_code == page.status_code, (persona, published, pdf_url)
            if page.status_code == 302:
                assert pdf["Location"].startswith(reverse("login"))
            if page.status_code == 200:
                assert pdf.content.startswith(b"%PDF-")


@pytest.mark.django_db
def test_pdf_refusals_literally(client, personas, verified_round):
    """The table above compares with the HTML page; these are the answers themselves."""
    client.force_login(personas["leader"])
    assert client.get(unit_pdf_url(verified_round)).status_code == 403  # not published yet
    assert client.get(government_pdf_url(verified_round)).status_code == 403
    client.force_login(personas["outsider"])
    assert client.get(unit_pdf_url(verified_round)).status_code == 404
    assert client.get(government_pdf_url(verified_round)).status_code == 404
    client.force_login(personas["assessor"])
    assert client.get(unit_pdf_url(verified_round)).status_code == 200


def test_the_renderer_fetches_nothing():
    """Any URL in a PDF template stops the rendering instead of being fetched."""
    from weasyprint import HTML

    from assessments.pdf import NoFetching

    for markup in ('<img src="http://127.0.0.1:9/x.png">',
                   '<link rel="stylesheet" href="file:///etc/passwd">',
                   '<style>@import url("https://example.org/a.css");</style>'):
        with pytest.raises(FatalURLFetchingError):
            HTML(string=markup, url_fetcher=NoFetching()).write_pdf()


def test_pdf_templates_name_no_url():
    folder = settings.BASE_DIR / "templates" / "assessments" / "reports" / "pdf"
    templates = sorted(folder.glob("*.html"))
    assert len(templates) >= 4
    for path in templates:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"\b(?:src|href)=|url\(|@import|https?:", source), path.name
