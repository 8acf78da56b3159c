"""Importing official results: published tables reproduce exactly; bad files import nothing."""
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from agencies.models import Government, Province
from assessments.models import GovernmentResult, Round
from assessments.selectors.rankings import ranking
from assessments.services.results import results_import
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import read_sheet
from tests.workbooks import table

from ..conftest import DATA, import_file

HEADER = "province,level,name,score\n"


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def csv_sheet(text):
    return read_sheet(text.encode(), "results.csv")


@pytest.mark.django_db
def test_sultra_2021_reproduces_published_order_and_zones(standard, regions_sultra):
    counts = import_file("sultra_2021.csv", 2021)
    assert counts == {"created": 18, "updated": 0, "unchanged": 0, "governments_created": 0}
    round_ = Round.objects.get(year=2021)
    province = Province.objects.get(name="Sulawesi Tenggara")
    kabupaten = ranking(round_=round_, province=province, group="kabupaten")
    published = {}
    import csv
    with open(DATA / "sultra_2021.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            published[row["name"]] = row
    assert len(kabupaten.rows) == 15
    for row in kabupaten.rows:
        expected = published[row.government.name]
        assert str(row.rank) == expected["published_rank_kabupaten_in_province"]
        assert row.zone == expected["published_zone"]
        assert f"{row.score:.2f}" == expected["score"]
    mubar = next(r for r in kabupaten.rows if r.government.name == "Kabupaten Muna Barat")
    assert (mubar.rank, mubar.zone, mubar.label) == (13, "red", "Low compliance")
    everyone = ranking(round_=round_, province=province, group="all")
    assert len(everyone.rows) == 18
    assert [r.rank for r in everyone.rows if r.government.name == "Kabupaten Muna Barat"] == [16]
    kota = ranking(round_=round_, province=province, group="kota")
    assert [r.government.name for r in kota.rows] == ["Kota Kendari", "Kota Baubau"]


@pytest.mark.django_db
def test_2022_partial_gets_published_categories_and_change(sultra):
    round_ = Round.objects.get(year=2022)
    assert round_.methodology.code == "ombudsman-2022"
    rows = ranking(round_=round_, province=sultra.province, group="all").rows
    by_name = {row.government.name: row for row in rows}
    mubar = by_name["Kabupaten Muna Barat"]
    assert (mubar.category, mubar.zone, mubar.label) == ("C", "yellow", "Medium quality")
    assert mubar.published_rank == "1 of 15 kabupaten in the province"
    assert str(mubar.change) == "35.08" and mubar.previous_rank == 16
    assert all(row.category == "C" for row in rows)  # every published 2022 row is C


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(standard, regions_sultra):
    import_file("sultra_2021.csv", 2021)
    before = list(GovernmentResult.objects.order_by("id").values())
    counts = import_file("sultra_2021.csv", 2021)
    assert counts["unchanged"] == 18 and counts["created"] == counts["updated"] == 0
    assert list(GovernmentResult.objects.order_by("id").values()) == before
    assert Government.objects.count() == 18


@pytest.mark.parametrize(("bad_row", "column", "fragment"), [
    ("Sulawesi Tenggara,regency,Kabupaten Muna,50", "level", "unknown level"),
    ("Sulawesi Tenggara,kabupaten,Kabupaten Muna,100.01", "score", "outside 0–100"),
    ("Sulawesi Tenggara,kabupaten,Kabupaten Muna,-1", "score", "outside 0–100"),
    ("Sulawesi Tenggara,kabupaten,Kabupaten Muna,", "score", "is empty"),
    ("Sulawesi Tenggara,kabupaten,Kabupaten Muna,abc", "score", "not a number"),
    ("Sulawesi Tenggara,kabupaten,Kabupaten Muna,NaN", "score", "not a number"),
    ("SULAWESI TENGGARA,kabupaten,Kab. Konawe,50", "name", "duplicate of row 2"),
    ("Sulawesi Tenggara,kabupaten,,50", "name", "is empty"),
    ("Sulawesi Tenggara,kabupaten,Kabupaten Muna Timur,50", "name", "closest: Kabupaten Muna"),
    ("Sultra Raya,kabupaten,Kabupaten Muna,50", "province", "unknown province"),
])
@pytest.mark.django_db
def test_one_bad_row_rejects_the_whole_file(standard, regions_sultra, bad_row, column, fragment):
    text = (HEADER + "Sulawesi Tenggara,kabupaten,Kabupaten Konawe,60\n"
            "Sulawesi Tenggara,kota,Kota Kendari,70.5\n" + bad_row + "\n")
    with pytest.raises(ImportRejected) as caught:
        results_import(sheet=csv_sheet(text), year=2021)
    errors = caught.value.errors
    assert [(e.row, e.column) for e in errors] == [(4, column)]
    assert fragment in errors[0].message
    assert not GovernmentResult.objects.exists() and not Round.objects.exists()
    assert (Province.objects.count(), Government.objects.count()) == (1, 18)


@pytest.mark.django_db
def test_indonesian_decimal_comma_and_published_category_check(standard, regions_sultra):
    sheet = read_sheet("province;level;name;score;published_category\n"
                       "Sulawesi Tenggara;kabupaten;Kab. Muna Barat;69,27;C\n".encode(), "r.csv")
    results_import(sheet=sheet, year=2022)
    assert str(GovernmentResult.objects.get(government__code="74.13").score) == "69.27"
    wrong = read_sheet(b"province,level,name,score,published_category\n"
                       b"Sulawesi Tenggara,kota,Kota Kendari,69.27,B\n", "r.csv")
    with pytest.raises(ImportRejected) as caught:
        results_import(sheet=wrong, year=2022)
    assert caught.value.errors[0].column == "published_category"


@pytest.mark.django_db
def test_import_command_reports_rows_and_imports_nothing(standard, regions_sultra, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "Sulawesi Tenggara,kabupaten,Kab. Muna,60\n"
                    "Sulawesi Tenggara,desa,Kab. Buton,200\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_results", str(path), "--year", "2021")
    message = str(caught.value)  # commands speak the active language (English here)
    assert "row 3, column level" in message
    assert "row 3, column score" in message
    assert not GovernmentResult.objects.exists()


@pytest.mark.django_db
def test_import_command_reads_xlsx(standard, tmp_path):
    from agencies.regions import regions_load

    regions_load(provinces={"76"})
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Province", "Level", "Name", "Score", "published_rank"])
    sheet.append(["Sulawesi Barat", "kabupaten", "Kabupaten Mamuju Tengah", 82.5, 1])
    sheet.append(["Sulawesi Barat", "kabupaten", "Kabupaten Majene", 75, 2])
    path = tmp_path / "sulbar.xlsx"
    workbook.save(path)
    out = io.StringIO()
    call_command("import_results", str(path), "--year", "2023", stdout=out)
    assert "2 created" in out.getvalue()
    result = GovernmentResult.objects.get(government__name="Kabupaten Mamuju Tengah")
    assert (result.category, result.zone, result.published_rank) == ("B", "green", "1")


# Sulawesi Tenggara's 15 kabupaten in 2021 as the Ombudsman published them (rank in the
# province, score, zone; /work/shared/domain/sultra_2021.csv), written out: the export must
# reproduce the public record, not whatever the ranking selector computes.
SULTRA_2021_KABUPATEN = [
    (1, "Kabupaten Bombana", 85.22, "Green"),
    (2, "Kabupaten Konawe Selatan", 81.88, "Green"),
    (3, "Kabupaten Kolaka", 69.99, "Yellow"),
    (4, "Kabupaten Buton Utara", 62.61, "Yellow"),
    (5, "Kabupaten Kolaka Timur", 53.52, "Yellow"),
    (6, "Kabupaten Konawe Utara", 52.79, "Yellow"),
    (7, "Kabupaten Konawe Kepulauan", 51.56, "Yellow"),
    (8, "Kabupaten Kolaka Utara", 51.10, "Yellow"),
    (9, "Kabupaten Wakatobi", 44.37, "Red"),
    (10, "Kabupaten Konawe", 40.09, "Red"),
    (11, "Kabupaten Buton", 39.63, "Red"),
    (12, "Kabupaten Muna", 39.32, "Red"),
    (13, "Kabupaten Muna Barat", 34.19, "Red"),
    (14, "Kabupaten Buton Tengah", 31.74, "Red"),
    (15, "Kabupaten Buton Selatan", 30.78, "Red"),
]
EXPORT_HEADER = ("Rank", "Government", "Level", "Province", "Score", "Category", "Zone",
                 "Label", "Published rank", "Previous score", "Change")


def export(year, group, target):
    call_command("export_ranking", "--year", str(year), "--province", "Sulawesi Tenggara",
                 "--group", group, "-o", str(target), stdout=io.StringIO())
    rows = table(load_workbook(target).active)
    return rows[0], rows[1:]


@pytest.mark.django_db
def test_export_command_reproduces_the_published_2021_ranks(sultra, tmp_path):
    header, body = export(2021, "kabupaten", tmp_path / "ranking.xlsx")
    assert header == EXPORT_HEADER  # commands speak the active language (English here)
    assert [(r[0], r[1], round(r[4], 2), r[6]) for r in body] == SULTRA_2021_KABUPATEN
    assert [r[8] for r in body] == list(range(1, 16))  # the published rank, kept as imported


@pytest.mark.django_db
def test_export_command_2022_rows_with_the_change_from_2021(sultra, tmp_path):
    """The 2022 rows that could be found (sultra_2022_partial.csv), all levels together: the
    rank among them, category C (yellow), and the change from the 2021 score."""
    header, body = export(2022, "all", tmp_path / "ranking.xlsx")
    # 2021 was scored on the 2016 methodology, 2022 on the 2022 one: the change says so.
    assert header == EXPORT_HEADER[:-1] + ("Change (different methodologies)",)
    assert [(r[0], r[1], round(r[4], 2), r[5], r[6], r[9], round(r[10], 2)) for r in body] == [
        (1, "Kabupaten Muna Barat", 69.27, "C", "Yellow", 34.19, 35.08),
        (2, "Kabupaten Bombana", 65.54, "C", "Yellow", 85.22, -19.68),
        (3, "Kota Kendari", 58.99, "C", "Yellow", 75.74, -16.75),
        (4, "Kota Baubau", 58.03, "C", "Yellow", 70.96, -12.93),
        (5, "Provinsi Sulawesi Tenggara", 55.01, "C", "Yellow", 81.05, -26.04),
    ]
    assert body[0][8] == "1 of 15 kabupaten in the province"


@pytest.mark.django_db
def test_export_fills_zone_colours_and_writes_text_as_text(standard, regions_sultra):
    sheet = csv_sheet(HEADER + "Sulawesi Tenggara,kabupaten,=HYPERLINK(\"x\"),40\n"
                      "Sulawesi Tenggara,kabupaten,Kab. Bombana,90\n")
    results_import(sheet=sheet, year=2021, create_missing=True)  # a hostile new name
    from assessments.spreadsheets.ranking_export import ranking_workbook

    data = ranking(round_=Round.objects.get(year=2021), province=Province.objects.get(),
                   group="kabupaten")
    workbook = load_workbook(io.BytesIO(ranking_workbook(data)))
    sheet = workbook.active
    assert sheet.freeze_panes == "A6" and sheet.auto_filter.ref == "A5:K7"
    assert sheet.print_title_rows == "$5:$5"
    assert sheet["B7"].value == '=HYPERLINK("x")' and sheet["B7"].data_type == "s"
    assert sheet["G6"].fill.fgColor.rgb.endswith("63BE7B")  # green
    assert sheet["G7"].fill.fgColor.rgb.endswith("F8696B")  # red
    assert (sheet["G6"].value, sheet["G7"].value) in {("Hijau", "Merah"), ("Green", "Red")}
    assert isinstance(sheet["E6"].value, (int, float)) and sheet["E6"].value == 90
    assert sheet["E6"].number_format == "0.00"
