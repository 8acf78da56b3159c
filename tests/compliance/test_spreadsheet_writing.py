"""The cell helper of every export, kind by kind: numbers stay numbers (a Decimal as a float),
dates are dates shown as yyyy-mm-dd, text is text, zone fills and bold headings are applied only
when asked, and both kinds of workbook come out as a real .xlsx. No database; the hostile texts
(formula prefixes, control characters, overlong cells) are in tests/assessments/
test_hostile_files.py."""
import datetime
import io
from decimal import Decimal

from openpyxl import load_workbook

from compliance.spreadsheets.writing import (ZONE_FILLS, cell, clean_text, new_workbook,
                                             to_bytes)


def written(*values, **options):
    """Write one row of cells and read it back as Excel would."""
    workbook = new_workbook()
    worksheet = workbook.create_sheet("S")
    worksheet.append([cell(worksheet, value, **options) for value in values])
    return list(load_workbook(io.BytesIO(to_bytes(workbook)))["S"].iter_rows())[0]


def test_numbers_stay_numbers_and_a_decimal_becomes_a_float():
    score, count, zero = written(Decimal("69.27"), 15, 0)
    assert (score.value, score.data_type) == (69.27, "n") and isinstance(score.value, float)
    assert (count.value, count.data_type) == (15, "n")
    assert (zero.value, zero.data_type) == (0, "n")


def test_a_decimal_is_handed_over_as_a_float_and_an_integer_as_it_is():
    workbook = new_workbook()
    worksheet = workbook.create_sheet("S")
    score = cell(worksheet, Decimal("57.4333333333333333333333333"))  # an unrounded mean
    assert type(score.value) is float and score.value == 57.43333333333333
    big = cell(worksheet, 12_345_678_901_234_567)  # 17 digits: a float would round it
    assert type(big.value) is int and big.value == 12_345_678_901_234_567


def test_a_number_format_is_applied_only_when_given():
    assert [c.number_format for c in written(Decimal("69.27"), 15, number_format="0.00")] == [
        "0.00", "0.00"]
    assert written(Decimal("69.27"))[0].number_format == "General"


def test_dates_are_dates_shown_as_year_month_day():
    day, moment = written(datetime.date(2026, 11, 30), datetime.datetime(2026, 11, 30, 14, 5))
    assert day.is_date and day.number_format == "yyyy-mm-dd"
    assert day.value == datetime.datetime(2026, 11, 30)
    assert moment.is_date and moment.number_format == "yyyy-mm-dd"  # not h:mm:ss


def test_booleans_and_empty_cells():
    true, empty, false = written(True, None, False)
    assert (true.value, true.data_type) == (True, "b")
    assert (false.value, false.data_type) == (False, "b")
    assert empty.value is None


def test_text_is_text_and_only_a_formula_lookalike_gets_the_quote_prefix():
    workbook = new_workbook()
    worksheet = workbook.create_sheet("S")
    plain, number_like, formula_like = (cell(worksheet, "Dinas Kesehatan"),
                                        cell(worksheet, "69.27"), cell(worksheet, "=1+1"))
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("Dinas Kesehatan", "s", False)
    assert (number_like.value, number_like.data_type, number_like.quotePrefix) == (
        "69.27", "s", False)
    assert (formula_like.data_type, formula_like.quotePrefix) == ("s", True)


def test_zone_fills_and_bold_only_when_asked():
    # Excel's three-colour scale: red F8696B, yellow FFEB84, green 63BE7B.
    red, yellow, green = (written(name, fill=ZONE_FILLS[zone])[0]
                          for name, zone in [("Merah", "red"), ("Kuning", "yellow"),
                                             ("Hijau", "green")])
    assert [c.fill.fill_type for c in (red, yellow, green)] == ["solid"] * 3
    assert [c.fill.fgColor.rgb[-6:] for c in (red, yellow, green)] == [
        "F8696B", "FFEB84", "63BE7B"]
    heading, number = written("Skor", 12, bold=True)
    assert heading.font.b and number.font.b
    empty = written("Skor", None, "Nilai", bold=True, fill=ZONE_FILLS["green"])[1]
    assert empty.value is None and empty.font.b and empty.fill.fgColor.rgb[-6:] == "63BE7B"
    plain = written("Skor", 12)
    assert not plain[0].font.b and not plain[1].font.b
    assert plain[0].fill.fill_type is None and plain[1].fill.fill_type is None


def test_clean_text_keeps_line_breaks_as_one_line_feed():
    assert clean_text("Baris satu\r\nBaris dua\rBaris tiga\nBaris empat") == (
        "Baris satu\nBaris dua\nBaris tiga\nBaris empat")
    assert clean_text(69) == "69"


def test_clean_text_cuts_only_what_excel_cannot_hold():
    # 16,384 emoji are 32,768 UTF-16 units: one too many, and half an emoji is never kept.
    assert clean_text("😀" * 16_384) == "😀" * 16_383
    assert clean_text("😀" * 16_383) == "😀" * 16_383  # exactly 32,766 units: untouched
    assert clean_text("x" * 32_767) == "x" * 32_767
    assert clean_text("x" * 32_768) == "x" * 32_767


def test_both_kinds_of_workbook_save_as_xlsx_with_only_the_sheets_made():
    streamed, in_memory = new_workbook(), new_workbook(in_memory=True)
    assert streamed.write_only and not in_memory.write_only
    assert in_memory.worksheets == []  # the default empty sheet is gone
    for workbook in (streamed, in_memory):
        workbook.create_sheet("Peringkat").append(["Kabupaten Buton", 57.43])
        data = to_bytes(workbook)
        assert data[:2] == b"PK"
        read = load_workbook(io.BytesIO(data))
        assert read.sheetnames == ["Peringkat"]
        assert [c.value for c in next(read["Peringkat"].iter_rows())] == ["Kabupaten Buton",
                                                                         57.43]
