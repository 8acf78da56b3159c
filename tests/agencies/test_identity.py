"""One government, one identity: the name keys (no database), matching against the official
list, and the three rows of issue 18 imported into the demo's Sulawesi Tenggara."""
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from agencies.identity import Directory, NoMatch, name_key, normalise_code, readings
from agencies.models import Alias, Government, Level, Province
from agencies.regions import regions_load
from assessments.models import GovernmentResult
from assessments.services.results import results_import
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import read_sheet


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- keys: pure functions ----------------------------------------------------------------------

@pytest.mark.parametrize(("written", "level", "key"), [
    ("Kabupaten Muna Barat", Level.KABUPATEN, "munabarat"),
    ("Kab. Muna Barat", Level.KABUPATEN, "munabarat"),
    ("KABUPATEN  KONAWE", Level.KABUPATEN, "konawe"),
    ("Kab Konawe Kep.", Level.KABUPATEN, "konawekepulauan"),
    ("Kabupaten Konawe Kepulauan", Level.KABUPATEN, "konawekepulauan"),
    ("Kota Bau-Bau", Level.KOTA, "baubau"),
    ("Kota Bau Bau", Level.KOTA, "baubau"),
    ("Kota Baubau", Level.KOTA, "baubau"),
    ("Pemkab Muna Barat", Level.KABUPATEN, "munabarat"),
    ("Pemerintah Kota Kendari", Level.KOTA, "kendari"),
    ("Provinsi Sulawesi Tenggara", Level.PROVINSI, "sulawesitenggara"),
    ("Kota Adm. Jakarta Pusat", Level.KOTA, "jakartapusat"),
    ("Kabupaten Administrasi Kepulauan Seribu", Level.KABUPATEN, "kepulauanseribu"),
    ("Kabupaten Toli-Toli", Level.KABUPATEN, "tolitoli"),
    ("Muna Barat", None, "munabarat"),
])
def test_spellings_of_published_tables_have_one_key(written, level, key):
    first = readings(written)[0]
    assert (first.level, first.key) == (level, key)


def test_kota_as_part_of_a_name_is_read_both_ways():
    assert [(s.level, s.key) for s in readings("Kota Baru")] == [
        (Level.KOTA, "baru"), (None, "kotabaru")]


@pytest.mark.parametrize(("written", "code"), [
    ("74.13", "74.13"), (" 74.13 ", "74.13"), ("74.1", "74.10"), ("74", "74"), ("s01.02", "S01.02"),
])
def test_codes_as_spreadsheets_give_them(written, code):
    assert normalise_code(written) == code


# --- matching against the official list ---------------------------------------------------------

@pytest.fixture
def directory(regions_sultra):
    regions_load(provinces={"52"})  # Nusa Tenggara Barat: Kabupaten Bima and Kota Bima
    return Directory()


@pytest.mark.django_db
@pytest.mark.parametrize(("province", "name", "level", "code", "expected", "how"), [
    ("Sulawesi Tenggara", "Kab. Muna Barat", "kabupaten", "", "74.13", "name"),
    ("SULAWESI TENGGARA", "KABUPATEN KONAWE", "kabupaten", "", "74.02", "name"),
    ("Sulawesi Tenggara", "Kota Bau-Bau", "kota", "", "74.72", "name"),
    ("Sulawesi Tenggara", "Muna Barat", None, "", "74.13", "name"),
    ("Sultra", "Kabupaten Konawe Kep.", None, "", "74.12", "name"),
    ("Sulawesi Tenggara", "Pemprov Sultra", None, "", "74", "alias"),
    ("Sulawesi Tenggara", "Provinsi Sulawesi Tenggara", "provinsi", "", "74", "name"),
    ("Sulawesi Tenggara", "Sulawesi Tenggara", "provinsi", "", "74", "name"),
    ("", "", None, "74.13", "74.13", "code"),
    ("Sulawesi Tenggara", "Mubar", "kabupaten", "74.13", "74.13", "code"),
    ("NTB", "Kota Bima", None, "", "52.72", "name"),
    ("Nusa Tenggara Barat", "Bima", "kabupaten", "", "52.06", "name"),
])
def test_rows_find_their_official_government(directory, province, name, level, code, expected,
                                             how):
    match = directory.government(province=province, name=name, level=level, code=code)
    assert (match.government.code, match.how) == (expected, how)


@pytest.mark.django_db
@pytest.mark.parametrize(("province", "name", "level", "code", "column", "message"), [
    ("Nusa Tenggara Barat", "Bima", None, "", "name",
     "“Bima” matches several governments of Nusa Tenggara Barat: Kabupaten Bima, Kota Bima"),
    ("Sulawesi Tenggara", "Kabupaten Muna Timur", "kabupaten", "", "name",
     "no government “Kabupaten Muna Timur” in Sulawesi Tenggara; closest: Kabupaten Muna, "
     "Kabupaten Kolaka Timur, Kabupaten Muna Barat"),
    ("Sulawesi Tengah", "Kabupaten Muna", None, "", "province",
     "unknown province “Sulawesi Tengah”; closest: Sulawesi Tenggara, Nusa Tenggara Barat"),
    ("Nusa Tenggara Barat", "Kabupaten Muna Barat", None, "", "name",
     "“Kabupaten Muna Barat” is in Sulawesi Tenggara, not in Nusa Tenggara Barat"),
    ("Sulawesi Tenggara", "Kota Kendari", "kabupaten", "", "name", "closest: "),
    ("", "", None, "74.99", "code", "unknown code “74.99”"),
    ("Nusa Tenggara Barat", "", None, "74.13", "code",
     "code 74.13 is Kabupaten Muna Barat in Sulawesi Tenggara, not in Nusa Tenggara Barat"),
    ("Sulawesi Tenggara", "Kota Kendari", None, "74.13", "code",
     "code 74.13 is Kabupaten Muna Barat, but the name “Kota Kendari” is Kota Kendari"),
    ("Sulawesi Tenggara", "", "kota", "74.13", "level", "code 74.13 is Kabupaten Muna Barat"),
])
def test_what_matches_nothing_or_several_is_refused(directory, province, name, level, code,
                                                   column, message):
    with pytest.raises(NoMatch) as caught:
        directory.government(province=province, name=name, level=level, code=code)
    assert caught.value.column == column
    assert message in caught.value.message


@pytest.mark.django_db
def test_an_administrators_alias_bridges_an_old_name(regions_sultra):
    muna_barat = Government.objects.get(code="74.13")
    with pytest.raises(NoMatch):
        Directory().government(province="Sulawesi Tenggara", name="Kabupaten Tiworo Raya")
    Alias.objects.create(province=muna_barat.province, government=muna_barat,
                         name="Tiworo Raya", key=name_key("Tiworo Raya"))
    match = Directory().government(province="Sulawesi Tenggara", name="Kabupaten Tiworo Raya")
    assert (match.government, match.how) == (muna_barat, "alias")


# --- issue 18: the three rows into the demo ----------------------------------------------------

ISSUE_ROWS = ("province,level,name,score\n"
              "Sulawesi Tenggara,kabupaten,Kab. Muna Barat,71.50\n"
              "Sulawesi Tenggara,kota,Kota Bau-Bau,62.10\n"
              "SULAWESI TENGGARA,kabupaten,KABUPATEN KONAWE,55.00\n")


def sheet(text):
    return read_sheet(text.encode(), "hasil-2024.csv")


@pytest.mark.django_db
def test_the_three_rows_attach_to_the_demos_governments(sultra):
    governments = set(Government.objects.values_list("id", "name"))
    provinces = set(Province.objects.values_list("id", "name"))
    counts = results_import(sheet=sheet(ISSUE_ROWS), year=2024)
    assert counts == {"created": 3, "updated": 0, "unchanged": 0, "governments_created": 0}
    assert set(Government.objects.values_list("id", "name")) == governments
    assert set(Province.objects.values_list("id", "name")) == provinces
    results = {r.government.name: str(r.score) for r in GovernmentResult.objects.filter(
        round__year=2024).select_related("government")}
    assert results == {"Kabupaten Muna Barat": "71.50", "Kota Baubau": "62.10",
                       "Kabupaten Konawe": "55.00"}
    years = list(GovernmentResult.objects.filter(government=sultra).order_by("round__year")
                 .values_list("round__year", flat=True))
    assert years == [2021, 2022, 2024]  # one history


@pytest.mark.django_db
def test_an_unknown_name_refuses_the_file_with_the_closest_names(sultra):
    text = ISSUE_ROWS + "Sulawesi Tenggara,kabupaten,Kab. Muna Barta,40\n"
    with pytest.raises(ImportRejected) as caught:
        results_import(sheet=sheet(text), year=2024)
    [error] = caught.value.errors
    assert (error.row, error.column) == (5, "name")
    assert error.message == ("no government “Kab. Muna Barta” in Sulawesi Tenggara; closest: "
                             "Kabupaten Muna Barat, Kabupaten Muna, Kabupaten Buton Utara")
    assert not GovernmentResult.objects.filter(round__year=2024).exists()


@pytest.mark.django_db
def test_a_new_government_only_with_the_flag_and_never_a_province(sultra):
    text = ("province,level,name,score\n"
            "Sulawesi Tenggara,kabupaten,Kabupaten Muna Tengah,40\n")
    with pytest.raises(ImportRejected):
        results_import(sheet=sheet(text), year=2024)
    counts = results_import(sheet=sheet(text), year=2024, create_missing=True)
    assert counts["governments_created"] == 1
    created = Government.objects.get(name="Kabupaten Muna Tengah")
    assert (created.province.code, created.level, created.code) == ("74", "kabupaten", "")
    contradicted = "province,level,name,score\nSulawesi Tenggara,kota,Kabupaten Muna Raya,40\n"
    with pytest.raises(ImportRejected) as caught:
        results_import(sheet=sheet(contradicted), year=2024, create_missing=True)
    assert caught.value.errors[0].message == "the name says kabupaten, the level column kota"
    unknown = "province,level,name,score\nSulawesi Tenggara Raya,kabupaten,Kabupaten X,40\n"
    with pytest.raises(ImportRejected) as caught:
        results_import(sheet=sheet(unknown), year=2024, create_missing=True)
    assert caught.value.errors[0].column == "province"
    assert Province.objects.count() == 1


@pytest.mark.django_db
def test_the_code_column_decides(sultra):
    text = ("province,level,name,code,score\n"
            "Sulawesi Tenggara,kabupaten,Mubar,74.13,71.5\n"
            "Sulawesi Tenggara,kota,Bau-Bau,74.72,62.1\n")
    results_import(sheet=sheet(text), year=2024)
    assert set(GovernmentResult.objects.filter(round__year=2024).values_list(
        "government__code", flat=True)) == {"74.13", "74.72"}


@pytest.mark.django_db
def test_dry_run_prints_each_match_and_changes_nothing(sultra, tmp_path):
    path = tmp_path / "hasil-2024.csv"
    path.write_text("province,level,name,code,score\n"
                    "Sulawesi Tenggara,kabupaten,Kab. Muna Barat,,71.50\n"
                    "Sulawesi Tenggara,kota,Bau-Bau,74.72,62.10\n"
                    "Sultra,provinsi,Pemprov Sultra,,60\n")
    out = io.StringIO()
    call_command("import_results", str(path), "--year", "2024", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("baris 2") or lines[0].startswith("row 2")
    assert "Kabupaten Muna Barat (74.13) [name]" in lines[0]
    assert "Kota Baubau (74.72) [code]" in lines[1]
    assert "Provinsi Sulawesi Tenggara (74) [alias]" in lines[2]
    assert not GovernmentResult.objects.filter(round__year=2024).exists()


@pytest.mark.django_db
def test_command_refuses_unknown_names_and_creates_with_the_flag(sultra, tmp_path):
    path = tmp_path / "hasil-2024.csv"
    path.write_text("province,level,name,score\nSulawesi Tenggara,kabupaten,Kab. Muna Selatan,50\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_results", str(path), "--year", "2024")
    assert "Kab. Muna Selatan" in str(caught.value) and "Kabupaten Muna" in str(caught.value)
    out = io.StringIO()
    call_command("import_results", str(path), "--year", "2024", "--create-missing", stdout=out)
    assert "1 new governments" in out.getvalue()


# --- administrators extend the aliases ----------------------------------------------------------

@pytest.mark.django_db
def test_add_alias_command_and_its_refusals(regions_sultra):
    out = io.StringIO()
    call_command("add_alias", "74.13", "Tiworo Raya", stdout=out)
    match = Directory().government(province="Sultra", name="Kabupaten Tiworo Raya")
    assert (match.government.code, match.how) == ("74.13", "alias")
    call_command("add_alias", "74", "Sulawesi Tenggara Raya", stdout=out)
    assert Directory().province("SULAWESI TENGGARA RAYA")[0].code == "74"
    for code, spelling, message in [
            ("74.72", "Bau-Bau", "already reads as Kota Baubau"),      # the key bridges it
            ("74.02", "TIWORO-RAYA", "already reads as Kabupaten Muna Barat"),  # taken
            ("74", "Sultra", "already reads as the province Sulawesi Tenggara"),
            ("74.99", "X", "unknown code")]:
        with pytest.raises(CommandError, match=message):
            call_command("add_alias", code, spelling, stdout=out)


@pytest.mark.django_db
def test_aliases_page_adds_a_spelling_for_administrators_only(client, personas):
    from django.conf import settings
    from django.urls import reverse

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("government-aliases")
    client.force_login(personas["coordinator"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Mubar", "government": personas[
        "coordinator"].memberships.get().government_id}).status_code == 403
    assert not Alias.objects.filter(key="mubar").exists()
    client.force_login(personas["admin"])
    muna_barat = Government.objects.get(code="74.13")
    response = client.post(url, {"name": "Mubar", "government": muna_barat.id})
    assert response.status_code == 302
    assert "Added: Mubar → Kabupaten Muna Barat." in client.get(url).content.decode()
    again = client.post(url, {"name": "MUBAR", "government": muna_barat.id})
    assert again.status_code == 400 and "already reads as Kabupaten Muna Barat" in \
        again.content.decode()
    both = client.post(url, {"name": "X", "government": muna_barat.id,
                             "province": muna_barat.province_id})
    assert both.status_code == 400 and "either a government or a province" in \
        both.content.decode()
