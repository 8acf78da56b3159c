"""Official tables imported through ``manage.py import_results`` as they are really spelled, and
what pages, workbooks and the API then say about them.

Literals from the public record (docs/methodology.md):
- Maluku Utara 2025 (Ombudsman Maluku Utara, 12 February 2026): Provinsi Maluku Utara 65.98,
  Kota Tidore Kepulauan 62.57, Kab. Halmahera Utara 69.63 and Kab. Kepulauan Sula 57.61
  "Kualitas Sedang", Kab. Pulau Morotai 53.38 "Kualitas Rendah". The province has 8 kabupaten,
  so a kabupaten ranking of these rows rests on 3 of 8.
- Kabupaten Puncak (Papua Tengah) was not assessed in 2022, for security reasons.
- Sulawesi Tenggara 2021 and 2022 (sultra_2021.csv, sultra_2022_partial.csv): Muna Barat
  34.19 (red) → 69.27 (C), the 2022 table holding 2 of its 15 kabupaten.
"""
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Government, Province, Role
from assessments.models import GovernmentResult, Round
from tests.workbooks import table

from ..conftest import import_file, make_user

MALUKU_UTARA_2025 = """province,level,name,score
MALUKU UTARA,provinsi,PROVINSI MALUKU UTARA,"65,98"
MALUKU UTARA,kota,KOTA TIDORE KEPULAUAN,"62,57"
MALUKU UTARA,kabupaten,KAB. HALMAHERA UTARA,"69,63"
MALUKU UTARA,kabupaten,KAB. KEPULAUAN SULA,"57,61"
MALUKU UTARA,kabupaten,KAB. PULAU MOROTAI,"53,38"
"""
REASON = "Tidak dinilai karena alasan keamanan"
PUNCAK_2022 = f"""province,level,name,score,not_assessed_reason
SULAWESI TENGGARA,kabupaten,KAB. MUNA BARAT,69.27,
SULAWESI TENGGARA,kabupaten,KAB. BOMBANA,65.54,
PAPUA TENGAH,kabupaten,KAB. PUNCAK,,{REASON}
"""


@pytest.fixture
def regions(standard):
    from agencies.regions import regions_load

    regions_load(provinces={"74", "82", "94"})


def run_import(tmp_path, text, year):
    path = tmp_path / f"hasil-{year}.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import_results", str(path), "--year", str(year), stdout=out)
    return out.getvalue()


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def workbook_rows(response):
    sheet = load_workbook(io.BytesIO(response.content))["Ranking"]
    return sheet, table(sheet)


# --- 2025: the Opini Ombudsman by default -------------------------------------------------------

@pytest.mark.django_db
def test_a_2025_table_imports_on_the_2025_methodology(tmp_path, regions, client):
    assert run_import(tmp_path, MALUKU_UTARA_2025, 2025).startswith("2025: 5 created, 0 updated")
    round_ = Round.objects.get(year=2025, is_official=True)
    assert round_.methodology.code == "ombudsman-2025"
    province = Province.objects.get(name="Maluku Utara")
    english(client)
    page = client.get(reverse("ranking-province", args=[round_.id, province.id]),
                      {"group": "kabupaten"})
    html = page.content.decode()
    assert page.status_code == 200
    assert [(row.rank, row.government.name, str(row.score), row.category, row.zone, row.label)
            for row in page.context["rows"]] == [
        (1, "Kabupaten Halmahera Utara", "69.63", "C", "yellow", "Medium quality"),
        (2, "Kabupaten Kepulauan Sula", "57.61", "C", "yellow", "Medium quality"),
        (3, "Kabupaten Pulau Morotai", "53.38", "D", "red", "Low quality")]
    assert "Official result" in html and "Projection" not in html
    assert "Ranks based on 3 of 8 governments" in html
    assert ("The bands of this methodology are not published yet: the categories and zones "
            "shown are the app's assumption.") in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    html = client.get(reverse("ranking-province", args=[round_.id, province.id]),
                      {"group": "kabupaten"}).content.decode()
    assert "Hasil resmi" in html and "berdasarkan 3 dari 8 pemerintah" in html
    english(client)
    sheet, rows = workbook_rows(client.get(
        reverse("ranking-province-xlsx", args=[round_.id, province.id]), {"group": "kabupaten"}))
    assert rows[0][:8] == ("Rank", "Government", "Level", "Province", "Score", "Category",
                           "Zone", "Label")
    assert rows[3][:8] == (3, "Kabupaten Pulau Morotai", "Regency (kabupaten)", "Maluku Utara",
                           53.38,
                           "D", "Red", "Low quality")
    assert sheet["A3"].value == ("Official results published by the Ombudsman (imported). Ranks "
                                 "based on 3 of 8 governments: the app holds no result for the "
                                 "others.")
    data = client.get(reverse("api-rankings"), {"year": 2025, "province": "Maluku Utara"}).json()
    assert (data["methodology"], data["status"], data["count"], data["known_count"],
            data["partial"], data["methodology_changed"]) == (
        "ombudsman-2025", "official", 3, 8, True, False)
    assert data["results"][2] == {
        "rank": 3, "government_id": Government.objects.get(name="Kabupaten Pulau Morotai").id,
        "name": "Kabupaten Pulau Morotai", "level": "kabupaten", "province": "Maluku Utara",
        "score": "53.38", "category": "D", "zone": "red", "label": "Low quality",
        "previous_score": None, "change": None}


# --- a government that was not assessed --------------------------------------------------------

@pytest.mark.django_db
def test_a_not_assessed_row_shows_with_its_reason_and_is_never_ranked(tmp_path, regions, client):
    run_import(tmp_path, PUNCAK_2022, 2022)
    round_ = Round.objects.get(year=2022, is_official=True)
    assert round_.methodology.code == "ombudsman-2022"
    puncak = Government.objects.get(name="Kabupaten Puncak")
    result = GovernmentResult.objects.get(round=round_, government=puncak)
    assert (result.score, result.not_assessed, result.not_assessed_reason, result.zone) == (
        None, True, REASON, "")
    english(client)
    html = client.get(reverse("ranking-national", args=[round_.id])).content.decode()
    assert "Kabupaten Puncak: not assessed (Tidak dinilai karena alasan keamanan)" in html
    page = client.get(reverse("ranking-national", args=[round_.id]))
    assert [row.government.name for row in page.context["rows"]] == [
        "Kabupaten Muna Barat", "Kabupaten Bombana"]
    _sheet, rows = workbook_rows(client.get(reverse("ranking-national-xlsx", args=[round_.id])))
    assert rows[1][:2] == (1, "Kabupaten Muna Barat") and rows[2][:2] == (2, "Kabupaten Bombana")
    assert rows[3] == (None, "Kabupaten Puncak", "Regency (kabupaten)", "Papua Tengah", None,
                       None, None, "Not assessed", REASON, None, None)
    data = client.get(reverse("api-rankings"), {"year": 2022}).json()
    assert [row["name"] for row in data["results"]] == ["Kabupaten Muna Barat",
                                                        "Kabupaten Bombana"]
    assert data["not_assessed"] == [{"government_id": puncak.id, "name": "Kabupaten Puncak",
                                     "level": "kabupaten", "province": "Papua Tengah",
                                     "reason": REASON}]
    history = client.get(reverse("api-government-history", args=[puncak.id])).json()["results"]
    assert [(row["year"], row["score"], row["not_assessed"], row["not_assessed_reason"],
             row["peer_rank"]) for row in history] == [(2022, None, True, REASON, None)]
    client.force_login(make_user("admin", Role.ADMINISTRATOR))
    html = client.get(reverse("government-detail", args=[puncak.id])).content.decode()
    assert "Not assessed" in html and REASON in html


@pytest.mark.django_db
def test_an_empty_score_without_a_reason_or_a_reason_with_a_score_is_refused(tmp_path, regions):
    from django.core.management import CommandError
    from django.utils import translation

    with translation.override("en"):
        with pytest.raises(CommandError, match="score: is empty .give not_assessed_reason"):
            run_import(tmp_path, "province,level,name,score\n"
                                 "PAPUA TENGAH,kabupaten,KAB. PUNCAK,\n", 2022)
        with pytest.raises(CommandError, match="not_assessed_reason: a row with a score"):
            run_import(tmp_path, "province,level,name,score,not_assessed_reason\n"
                                 f"PAPUA TENGAH,kabupaten,KAB. PUNCAK,50.00,{REASON}\n", 2022)
    assert not GovernmentResult.objects.exists()


@pytest.mark.parametrize(("year", "code"), [
    (2016, "ombudsman-2016"), (2021, "ombudsman-2016"), (2022, "ombudsman-2022"),
    (2024, "ombudsman-2022"), (2025, "ombudsman-2025"), (2026, "ombudsman-2025")])
def test_the_methodology_of_an_import_follows_the_year(year, code):
    from assessments.services.results import default_methodology_code

    assert default_methodology_code(year) == code


# --- change across a methodology change --------------------------------------------------------

@pytest.mark.django_db
def test_change_across_a_methodology_change_carries_the_caveat(sultra, client):
    round_ = Round.objects.get(year=2022)
    province = sultra.province
    english(client)
    html = client.get(reverse("ranking-province", args=[round_.id, province.id]),
                      {"group": "kabupaten"}).content.decode()
    assert ("2021 and 2022 scores are on different methodologies (Compliance with Public Service "
            "Standards (2016–2021) → Compliance in Public Service Delivery (2022–2024)): change "
            "and most improved are not like for like.") in html
    assert "Ranks based on 2 of 15 governments" in html
    sheet, rows = workbook_rows(client.get(
        reverse("ranking-province-xlsx", args=[round_.id, province.id]), {"group": "kabupaten"}))
    assert rows[0][-1] == "Change (different methodologies)"
    assert rows[1][1] == "Kabupaten Muna Barat" and rows[1][-1] == 35.08
    assert "not like for like" in sheet["A3"].value
    data = client.get(reverse("api-rankings"), {"year": 2022, "province": province.name}).json()
    assert (data["methodology_changed"], data["previous_year"]) == (True, 2021)
    assert data["results"][0]["change"] == "35.08"
    same = client.get(reverse("api-rankings"), {"year": 2021, "province": province.name}).json()
    assert (same["methodology_changed"], same["previous_year"], same["partial"]) == (
        False, None, False)


@pytest.mark.django_db
def test_a_round_not_yet_published_ranks_as_a_projection(live_round, sultra, client):
    round_ = live_round["round"]  # in self-assessment; a result as if computed before publishing
    GovernmentResult.objects.create(round=round_, government=sultra, score="90.00",
                                    category="A", zone="green")
    english(client)
    client.force_login(make_user("admin", Role.ADMINISTRATOR))
    html = client.get(reverse("ranking-province", args=[round_.id, sultra.province_id]),
                      {"group": "kabupaten"}).content.decode()
    assert 'data-status="projection">Projection<' in html and "Official result" not in html
    sheet, _rows = workbook_rows(client.get(
        reverse("ranking-province-xlsx", args=[round_.id, sultra.province_id]),
        {"group": "kabupaten"}))
    assert sheet["A3"].value.startswith("Projection: verified scores so far")


# --- a methodology without zones ----------------------------------------------------------------

@pytest.mark.django_db
def test_a_pekppp_table_shows_grades_where_others_show_zones(tmp_path, standard, client):
    """Madiun's 2025 PEKPPP index 4.7375 was published as 4.74 and 94.75 (grade A, "Pelayanan
    Prima"); the record names no level, the test files it under Kota Madiun."""
    from agencies.regions import regions_load

    regions_load(provinces={"35"})
    path = tmp_path / "ipp-2025.csv"
    path.write_text("province,level,name,score\nJAWA TIMUR,kota,KOTA MADIUN,\"94,75\"\n",
                    encoding="utf-8")
    call_command("import_results", str(path), "--year", "2025", "--methodology", "pekppp",
                 stdout=io.StringIO())
    round_ = Round.objects.get(year=2025, is_official=True)
    province = Province.objects.get(name="Jawa Timur")
    english(client)
    html = client.get(reverse("ranking-province", args=[round_.id, province.id]),
                      {"group": "kota"}).content.decode()
    assert '<th scope="col">Grade</th>' in html and '<th scope="col">Zone</th>' not in html
    assert ('<span class="badge grade border text-bg-light">A</span> '
            '<span class="zone-label">Excellent service</span>') in html
    assert 'id="filter-zone"' not in html
    _sheet, rows = workbook_rows(client.get(
        reverse("ranking-province-xlsx", args=[round_.id, province.id]), {"group": "kota"}))
    assert rows[0][:7] == ("Rank", "Government", "Level", "Province", "Score", "Category",
                           "Label")
    assert rows[1][:7] == (1, "Kota Madiun", "City (kota)", "Jawa Timur", 94.75, "A",
                           "Excellent service")
    data = client.get(reverse("api-rankings"),
                      {"year": 2025, "province": "Jawa Timur", "group": "kota"}).json()
    row = data["results"][0]
    assert (data["methodology"], row["score"], row["category"], row["zone"], row["label"]) == (
        "pekppp", "94.75", "A", None, "Excellent service")


@pytest.mark.django_db
def test_the_live_self_score_on_the_checklist_is_labelled_a_projection(client, personas,
                                                                        live_round):
    assessment = live_round["assessments"]["a"]
    english(client)
    client.force_login(personas["operator"])
    html = client.get(reverse("checklist", args=[assessment.id])).content.decode()
    assert ('<span class="badge text-bg-info figure-status" data-status="projection">Projection'
            '</span> <span class="text-muted">Agency score (self)</span>') in html
