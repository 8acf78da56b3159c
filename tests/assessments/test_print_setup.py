"""The shared print set-up of every exported sheet, read back with openpyxl (fast; the real
client, LibreOffice, is tests/test_printing.py)."""
import io

import pytest
from openpyxl import load_workbook

from agencies.models import Province
from assessments.models import Round
from assessments.selectors.rankings import ranking
from compliance.spreadsheets.print_setup import _lines, add_report_sheet, report_title
from assessments.spreadsheets.ranking_export import ranking_workbook
from compliance.spreadsheets.writing import new_workbook, to_bytes


@pytest.mark.django_db
def test_the_2021_province_ranking_is_set_up_for_one_landscape_page(sultra):
    """The issue's example: 18 governments and 11 columns, printed on four pages, "Peringkat"
    cut to "Peringka" in a column 8 wide."""
    data = ranking(round_=Round.objects.get(year=2021), province=sultra.province, group="all")
    sheet = load_workbook(io.BytesIO(ranking_workbook(data, made_by="Sekda Muna Barat"))).active
    assert sheet.title == "Peringkat"
    assert sheet["A1"].value == ("Peringkat kepatuhan 2021: Sulawesi Tenggara (Semua pemerintah "
                                 "daerah di provinsi ini)")
    assert sheet["A3"].value == "Hasil resmi yang diumumkan Ombudsman (diimpor)."
    assert sheet["A4"].value.startswith("Dibuat pada 20")
    assert sheet["A4"].value.endswith(" oleh Sekda Muna Barat")
    assert [c.value for c in sheet[5]][:3] == ["Peringkat", "Pemerintah daerah", "Tingkat"]
    assert sheet["A6"].value == 1 and sheet["B6"].value == "Kabupaten Bombana"
    assert sheet.max_row == 5 + 18

    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == (
        "landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$5:$5" and sheet.freeze_panes == "A6"
    assert sheet.oddFooter.right.text == "Halaman &P dari &N"
    assert sheet.oddHeader.center.text.startswith("Peringkat kepatuhan 2021")
    assert sheet.oddFooter.left.text == "Hasil resmi yang diumumkan Ombudsman (diimpor)."
    assert sheet.column_dimensions["A"].width >= 11  # "Peringkat" in bold, whole
    assert sheet["E6"].number_format == "0.00" and sheet["E6"].value == 85.22
    assert sheet["G6"].value == "Hijau"  # the zone's name on its colour
    assert sheet["I6"].value == 1  # the published rank "1" is a number


def test_long_text_wraps_and_its_row_is_tall_enough():
    text = "Biaya/tarif ditetapkan dalam SK standar pelayanan"
    # LibreOffice draws it on two lines in a column 26 wide, on one in a column 48 wide.
    assert _lines(text, 26 - 1) == 2 and _lines(text, 48 - 1) == 1
    assert _lines("satu\ndua", 40) == 2
    assert _lines("x" * 100, 25) == 4  # one long word, broken

    workbook = new_workbook()
    title = report_title("Judul", made_by="Tester")
    rows = [["a1", text * 3, 1.5], ["a2", "pendek", 2]]
    add_report_sheet(workbook, title, "Uji", ["Kode", "Teks", "Nilai"], lambda ws: rows)
    sheet = load_workbook(io.BytesIO(to_bytes(workbook)))["Uji"]
    assert sheet.column_dimensions["B"].width == 48  # text wraps beyond 48
    assert sheet["B6"].alignment.wrap_text and sheet.row_dimensions[6].height == 4 * 15
    assert not sheet["B7"].alignment.wrap_text and sheet.row_dimensions[7].height is None
    assert sheet["C6"].number_format == "0.00" and sheet["C7"].number_format == "General"
    assert sheet.page_setup.orientation == "portrait"  # 8 + 48 + 9 fits a portrait page


def test_an_empty_table_says_so_on_paper():
    workbook = new_workbook()
    add_report_sheet(workbook, report_title("Judul", made_by="Tester"), "Kosong",
                     ["Temuan"], lambda ws: [])
    sheet = load_workbook(io.BytesIO(to_bytes(workbook)))["Kosong"]
    assert [row[0].value for row in sheet.iter_rows(min_row=5)] == ["Temuan", "Tidak ada."]
