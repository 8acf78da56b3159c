"""The public Methodology pages: every methodology's weights, bands and rules with their
status, in both languages, without login. Expected texts are literals from the public record
(docs/methodology.md), not values read from the code."""
import pytest
from django.test import Client
from django.urls import reverse

from compliance.models import Band, Indicator, Methodology

pytestmark = pytest.mark.django_db

# methodology -> (Indonesian texts, English texts) that must appear on its page
EXPECTED = {
    "ombudsman-2016": (
        ["51,00", "81,00", "Kepatuhan Rendah", "Kepatuhan Sedang", "Kepatuhan Tinggi",
         "Pembulatan", "Terkonfirmasi", "Asumsi"],
        ["51.00", "81.00", "Low compliance", "Medium compliance", "High compliance",
         "Rounding", "Confirmed", "Assumption"]),
    "ombudsman-2022": (
        ["21,85", "32,37", "24,24", "21,54", "32,00", "54,00", "78,00", "88,00",
         "Kualitas Tertinggi", "Pembulatan"],
        ["21.85", "32.37", "24.24", "21.54", "32.00", "54.00", "78.00", "88.00",
         "Highest quality", "Rounding"]),
    "ombudsman-2025": (
        ["30&nbsp;%", "17,50&nbsp;%", "Kualitas Rendah", "Asumsi", "Satu sumber"],
        ["30&nbsp;%", "17.50&nbsp;%", "Low quality", "Assumption", "Single source"]),
    "pekppp": (
        ["24&nbsp;%", "25&nbsp;%", "18&nbsp;%", "11&nbsp;%", "10&nbsp;%", "12&nbsp;%", "4,51",
         "Pelayanan Prima", "4.7375"],
        ["24&nbsp;%", "25&nbsp;%", "18&nbsp;%", "11&nbsp;%", "10&nbsp;%", "12&nbsp;%", "4.51",
         "0–5 rubric", "4.7375"]),
}


def page(code, language, **params):
    client = Client()
    client.cookies["django_language"] = language
    response = client.get(reverse("methodology-detail", args=[code]), params,
                          HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("code", sorted(EXPECTED))
@pytest.mark.parametrize("language", ["id", "en"])
def test_each_methodology_page_shows_its_figures_and_statuses(code, language):
    html = page(code, language)
    texts = EXPECTED[code][0 if language == "id" else 1]
    missing = [text for text in texts if text not in html]
    assert not missing, f"{code} ({language}) lacks {missing}"
    assert f'lang="{language}"' in html


def test_the_list_links_every_methodology_and_the_footer_links_the_list():
    html = Client().get(reverse("methodology-list")).content.decode()
    assert html.count("href=\"/methodology/o") + html.count("href=\"/methodology/p") == 4
    for code in EXPECTED:
        assert f'href="/methodology/{code}/"' in html
    home = Client().get(reverse("public-results")).content.decode()
    assert 'href="/methodology/"' in home


def test_unknown_methodology_is_404_and_foreign_instrument_falls_back():
    assert Client().get("/methodology/nope/").status_code == 404
    other = Methodology.objects.get(code="ombudsman-2022").instruments.first()
    html = page("pekppp", "en", instrument=str(other.id))
    assert "24&nbsp;%" in html and "21.85" not in html
    assert "24&nbsp;%" in page("pekppp", "en", instrument="x'; drop")


def test_the_2025_assumed_bands_are_labelled(client):
    html = page("ombudsman-2025", "en")
    bands = html.split('id="bands"')[1].split("</section>")[0]
    assert bands.count('data-status="assumption"') == 5


def test_constant_queries(django_assert_num_queries):
    Client().get(reverse("methodology-detail", args=["pekppp"]))  # warm caches
    with django_assert_num_queries(5):
        page("pekppp", "en")
    with django_assert_num_queries(5):
        page("ombudsman-2022", "en")


# PEKPPP's grade A band and its first indicator (Kebijakan Pelayanan's SK standar pelayanan):
# their source notes as the data files write them in each language.
NOTES = {
    "id": ("Huruf, batas, dan sebutan predikat sesuai yang diumumkan.",
           "Bobot 17 % dalam aspeknya sesuai yang diumumkan (satu sumber: 17, 14, 7, 14, 10, 17, "
           "7, 7, 7 atas sembilan indikator). Rubrik 0–5 dari INSTRUMENTS.md §4 (satu sumber)"),
    "en": ("Grade letter, bounds and label as published.",
           "Weight 17 % of the aspect as published (single source: 17, 14, 7, 14, 10, 17, 7, 7, "
           "7 over nine indicators). Rubric 0–5 from INSTRUMENTS.md §4 (single source)"),
}


def section(html, name):
    return html.split(f'id="{name}"')[1].split("</section>")[0]


@pytest.mark.parametrize("language", ["id", "en"])
def test_source_notes_are_in_the_readers_language(language):
    html = page("pekppp", language)
    band, indicator = NOTES[language]
    assert band in section(html, "bands")
    assert indicator in section(html, "dimension-kebijakan")
    other = NOTES["en" if language == "id" else "id"]
    assert other[0] not in html and other[1] not in html
    methodology = html.split('id="methodology-source"')[1].split("</p>")[0]
    assert ("enam aspek 24/25/18/11/10/12 %" in methodology) == (language == "id")
    assert ("six aspects 24/25/18/11/10/12 %" in methodology) == (language == "en")


def test_a_note_missing_in_one_language_shows_in_the_other():
    Band.objects.filter(methodology__code="pekppp", category="A").update(source_note_id="")
    Indicator.objects.filter(instrument__code="pekppp-assessment",
                             code="standar-pelayanan").update(source_note="")
    id_html, en_html = page("pekppp", "id"), page("pekppp", "en")
    assert NOTES["en"][0] in section(id_html, "bands")
    assert NOTES["id"][0] in section(id_html, "bands")  # grade F's note is still Indonesian
    assert NOTES["id"][1] in section(en_html, "dimension-kebijakan")
