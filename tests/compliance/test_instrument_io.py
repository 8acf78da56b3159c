"""Instrument workbooks: export, import as a new version, and every way a file can be wrong.

A rejected file changes nothing (the instrument tables are compared before and after) and
each problem names its sheet, row and column, as literals here.
"""
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook, load_workbook

from compliance.instrument_io.export import choose_instrument, instrument_workbook
from compliance.instrument_io.importing import instrument_import
from compliance.models import Dimension, Indicator, Instrument, RubricLevel
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import SpreadsheetError, read_workbook
from compliance.standard import instrument_files

pytestmark = pytest.mark.django_db

SHIPPED = sorted((spec["methodology"], spec["code"], spec["version"])
                 for spec in instrument_files())


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def cells(data: bytes) -> dict:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets}


def shipped(code) -> bytes:
    return instrument_workbook(Instrument.objects.get(code=code, version__in=[
        v for _m, c, v in SHIPPED if c == code]))


def changed(data: bytes, sheet: str, row: int, column: str, value) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    worksheet = workbook[sheet]
    header = [c.value for c in worksheet[1]]
    worksheet.cell(row=row, column=header.index(column) + 1).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_state():
    return (Instrument.objects.count(), Dimension.objects.count(), Indicator.objects.count(),
            RubricLevel.objects.count())


def rejected(data: bytes, methodology: str, version="new") -> list:
    before = table_state()
    with pytest.raises(ImportRejected) as caught:
        instrument_import(sheets=read_workbook(data, "i.xlsx"), methodology_code=methodology,
                          version=version)
    assert table_state() == before  # all or nothing
    return [(e.sheet, e.row, e.column) for e in caught.value.errors]


def test_every_instrument_file_is_shipped():
    assert [code for _m, code, _v in SHIPPED] == [
        "app-checklist-ombudsman-2016", "ombudsman-2016-checklist",
        "app-checklist-ombudsman-2022", "ombudsman-2022-assessment",
        "ombudsman-2025-opini", "app-checklist-pekppp", "pekppp-assessment"]


@pytest.mark.parametrize(("methodology", "code", "version"), SHIPPED)
def test_round_trip_gives_the_same_cells(methodology, code, version):
    first = shipped(code)
    imported = instrument_import(sheets=read_workbook(first, "a.xlsx"),
                                 methodology_code=methodology, version="round-trip")
    assert imported.version == "round-trip" and not imported.is_default
    second = instrument_workbook(imported)
    before, after = cells(first), cells(second)
    assert list(before) == ["instrument", "dimensions", "indicators", "rubric_levels", "bands"]
    # The version cell is the one difference, by design.
    assert before["instrument"][1][2] == version and after["instrument"][1][2] == "round-trip"
    after["instrument"][1][2] = version
    assert after == before
    assert len(before["indicators"]) - 1 == Indicator.objects.filter(
        instrument__code=code, instrument__version=version).count()


def test_pekppp_workbook_holds_the_published_figures():
    sheets = cells(shipped("pekppp-assessment"))
    assert [row[4] for row in sheets["dimensions"][1:]] == [24, 25, 18, 11, 10, 12]
    assert sheets["bands"][1] == [0, 1, "F", "Gagal", "Failed", None]  # PEKPPP publishes no zones
    assert sheets["bands"][-1] == [4.51, 5, "A", "Pelayanan Prima", "Excellent service", None]
    assert sheets["instrument"][1][:3] == ["pekppp", "pekppp-assessment", "2022"]


def test_the_workbook_carries_the_source_notes_in_both_languages():
    sheets = cells(shipped("pekppp-assessment"))
    for name in ("instrument", "dimensions", "indicators"):
        assert sheets[name][0][-2:] == ["source_note", "source_note_id"]
    assert sheets["instrument"][1][-1].startswith("PEKPPP sebagaimana diumumkan: enam aspek")
    first = sheets["indicators"][1]
    assert first[0] == "standar-pelayanan"
    assert first[-2].startswith("Weight 17 % of the aspect as published")
    assert first[-1].startswith("Bobot 17 % dalam aspeknya sesuai yang diumumkan")
    data = changed(shipped("pekppp-assessment"), "dimensions", 2, "source_note_id",
                   "Bobot aspek menurut catatan baru.")
    imported = instrument_import(sheets=read_workbook(data, "i.xlsx"), methodology_code="pekppp",
                                 version="notes")
    kebijakan = imported.dimensions.get(code="kebijakan")
    assert kebijakan.source_note_id == "Bobot aspek menurut catatan baru."
    assert kebijakan.source_note.startswith("Aspect weight as published since 2022")


def test_a_workbook_without_indonesian_notes_still_imports():
    """A workbook exported before the Indonesian notes has no source_note_id columns."""
    workbook = load_workbook(io.BytesIO(shipped("pekppp-assessment")))
    for name in ("instrument", "dimensions", "indicators"):
        sheet = workbook[name]
        sheet.delete_cols([c.value for c in sheet[1]].index("source_note_id") + 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    imported = instrument_import(sheets=read_workbook(buffer.getvalue(), "i.xlsx"),
                                 methodology_code="pekppp", version="old-file")
    indicator = imported.indicators.get(code="standar-pelayanan")
    assert (imported.source_note_id, indicator.source_note_id) == ("", "")
    assert indicator.source_note.startswith("Weight 17 % of the aspect as published")


def test_commands_export_and_import(tmp_path):
    path = tmp_path / "pekppp.xlsx"
    out = io.StringIO()
    call_command("export_instrument", "--methodology", "pekppp", "-o", str(path), stdout=out)
    assert out.getvalue().strip() == f"pekppp-assessment 2022 → {path}"
    call_command("import_instrument", str(path), "--methodology", "pekppp", "--version",
                 "2026-draft", stdout=out)
    assert "pekppp-assessment 2026-draft: 6 dimensions, 26 indicators." in out.getvalue()
    assert choose_instrument("pekppp", "2026-draft").version == "2026-draft"
    with pytest.raises(CommandError, match="sudah ada"):  # the command speaks Indonesian
        call_command("import_instrument", str(path), "--methodology", "pekppp", "--version",
                     "2026-draft", stdout=out)
    with pytest.raises(CommandError, match="tidak memiliki instrumen"):
        call_command("export_instrument", "--methodology", "no-such", "-o", str(path))


@pytest.mark.parametrize(("sheet", "row", "column", "value", "expected"), [
    # Weights of the dimensions must sum to 100 (24 → 23: 99).
    ("dimensions", 2, "weight", 23, [("dimensions", 2, "weight")]),
    ("dimensions", 3, "weight", -25, [("dimensions", 2, "weight"), ("dimensions", 3, "weight")]),
    ("dimensions", 2, "weight", "dua puluh", [("dimensions", 2, "weight")]),
    ("dimensions", 2, "weight", 24.125, [("dimensions", 2, "weight")]),
    ("dimensions", 2, "rollup", "median", [("dimensions", 2, "rollup")]),
    # An indicator weighs more than 0.
    ("indicators", 2, "weight", 0, [("indicators", 2, "weight")]),
    ("indicators", 2, "weight", -17, [("indicators", 2, "weight")]),
    # Every indicator in exactly one existing dimension.
    ("indicators", 2, "dimension", "tidak-ada", [("indicators", 2, "dimension")]),
    ("indicators", 3, "code", "standar-pelayanan",  # and the rubric of the code it replaced
     [("indicators", 3, "code")] + [("rubric_levels", n, "indicator") for n in range(8, 14)]),
    # Scales and the rest of an indicator's fields.
    ("indicators", 2, "scale", "0_4", [("indicators", 2, "scale")]),
    ("indicators", 2, "source_kind", "gossip", [("indicators", 2, "source_kind")]),
    ("indicators", 2, "per_product", "maybe", [("indicators", 2, "per_product")]),
    ("indicators", 2, "component", "no-such", [("indicators", 2, "component")]),
    ("indicators", 2, "text_id", "x" * 301, [("indicators", 2, "text_id")]),
    ("indicators", 2, "status", "rumour", [("indicators", 2, "status")]),
    # Rubric levels within the scale (the first indicator is 0–5), once each.
    ("rubric_levels", 2, "level", 6, [("rubric_levels", 2, "level")]),
    ("rubric_levels", 3, "level", 0, [("rubric_levels", 3, "level")]),
    ("rubric_levels", 2, "indicator", "no-such", [("rubric_levels", 2, "indicator")]),
    # Bands cover 0–5 without gaps or overlaps, and are the methodology's.
    ("bands", 3, "lower_bound", 1.02, [("bands", 3, "lower_bound")]),  # gap after 1.00
    ("bands", 3, "lower_bound", 0.99, [("bands", 3, "lower_bound")]),  # overlap
    ("bands", 2, "lower_bound", 0.5, [("bands", 2, "lower_bound")]),  # does not start at 0
    ("bands", 10, "upper_bound", 4.99, [("bands", 10, "upper_bound")]),  # stops short of 5
    ("bands", 2, "label_id", "Buruk sekali", [("bands", 2, "lower_bound")]),  # not its bands
    ("bands", 2, "zone", "purple", [("bands", 2, "zone")]),
    # The instrument row.
    ("instrument", 2, "methodology", "ombudsman-2022", [("instrument", 2, "methodology")]),
    ("instrument", 2, "purpose", "gossip", [("instrument", 2, "purpose")]),
    ("instrument", 2, "code", "not a slug!", [("instrument", 2, "code")]),
])
def test_a_wrong_cell_is_refused_with_its_place(sheet, row, column, value, expected):
    data = changed(shipped("pekppp-assessment"), sheet, row, column, value)
    assert rejected(data, "pekppp") == expected


def test_a_survey_dimension_holds_no_indicator_and_others_hold_one():
    data = changed(shipped("ombudsman-2022-assessment"), "dimensions", 4, "is_survey", False)
    assert rejected(data, "ombudsman-2022") == [("dimensions", 4, "code")]  # output: empty
    data = changed(shipped("ombudsman-2022-assessment"), "indicators", 2, "dimension", "output")
    assert rejected(data, "ombudsman-2022") == [("indicators", 2, "dimension")]


def test_a_component_mean_dimension_needs_components():
    data = changed(shipped("app-checklist-ombudsman-2022"), "indicators", 2, "component", None)
    assert rejected(data, "ombudsman-2022") == [("indicators", 2, "component")]


def test_an_existing_version_is_never_changed():
    data = shipped("pekppp-assessment")
    assert rejected(data, "pekppp", version="") == [("instrument", 2, "version")]
    assert rejected(data, "pekppp", version="2022") == [("instrument", 2, "version")]


def test_a_file_of_another_methodology_or_none_is_refused():
    data = shipped("pekppp-assessment")
    assert rejected(data, "ombudsman-2016") == [("instrument", 2, "methodology"),
                                                ("instrument", 2, "code"),
                                                ("bands", 10, "upper_bound")]  # 5, not 100
    assert rejected(data, "no-such") == [("instrument", 0, "methodology")]


def test_missing_sheets_and_columns_are_named():
    workbook = load_workbook(io.BytesIO(shipped("pekppp-assessment")))
    del workbook["rubric_levels"]
    workbook["dimensions"].cell(row=1, column=5, value="bobot")
    workbook["indicators"].cell(row=2, column=30, value="stray")
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert rejected(buffer.getvalue(), "pekppp") == [
        ("dimensions", 1, "weight"), ("dimensions", 1, "bobot"), ("indicators", 2, ""),
        ("rubric_levels", 0, "")]


def test_an_empty_workbook_is_refused():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    errors = rejected(buffer.getvalue(), "pekppp")
    assert ("instrument", 0, "") in errors and ("bands", 0, "") in errors


def test_hostile_text_is_kept_as_text_both_ways(english):
    formula = '=HYPERLINK("http://example.invalid","klik")'
    data = changed(shipped("pekppp-assessment"), "indicators", 2, "text_id", formula)
    workbook = load_workbook(io.BytesIO(data))  # openpyxl wrote it as a formula: refused
    assert workbook["indicators"].cell(row=2, column=5).data_type == "f"
    with pytest.raises(SpreadsheetError, match="formula"):
        read_workbook(data, "i.xlsx")
    workbook["indicators"].cell(row=2, column=5).data_type = "s"  # typed as text
    buffer = io.BytesIO()
    workbook.save(buffer)
    imported = instrument_import(sheets=read_workbook(buffer.getvalue(), "i.xlsx"),
                                 methodology_code="pekppp", version="hostile")
    assert imported.indicators.get(code="standar-pelayanan").text_id == formula
    again = load_workbook(io.BytesIO(instrument_workbook(imported)))
    written = again["indicators"].cell(row=2, column=5)
    assert (written.value, written.data_type) == (formula, "s")


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"not a zip at all", "i.xlsx", "not a valid .xlsx"),
    (b"code,version\nx,1\n", "i.csv", "Only .xlsx"),
    (None, "i.xlsx", "too many parts"),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x/>", "i.xlsx", "DOCTYPE"),
])
def test_broken_and_hostile_files_are_refused(content, name, message, english):
    if content is None:  # a zip with thousands of members
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            for n in range(300):
                archive.writestr(f"x/{n}.xml", "<x/>")
        content = buffer.getvalue()
    elif content.startswith(b"<?xml"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", content)
        content = buffer.getvalue()
    before = table_state()
    with pytest.raises(SpreadsheetError, match=message):
        read_workbook(content, name)
    assert table_state() == before


def test_the_import_creates_a_new_version_only():
    count = Instrument.objects.filter(code="ombudsman-2022-assessment").count()
    data = changed(shipped("ombudsman-2022-assessment"), "indicators", 2, "weight", 2)
    created = instrument_import(sheets=read_workbook(data, "i.xlsx"),
                                methodology_code="ombudsman-2022", version="2024")
    assert Instrument.objects.filter(code="ombudsman-2022-assessment").count() == count + 1
    assert created.indicators.get(code="pengetahuan-komponen").weight == Decimal("2.00")
    original = Instrument.objects.get(code="ombudsman-2022-assessment", version="2023")
    assert original.indicators.get(code="pengetahuan-komponen").weight == Decimal("1.00")
    assert original.is_default and not created.is_default
