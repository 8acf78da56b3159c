"""Hostile files break nothing: imports refuse entity tricks, zip bombs, oversized and fake
files before parsing, and import nothing when one row is bad; exports write user text as
inert text; evidence uploads leave nothing behind and are stored under generated names.

What the neighbouring test modules already prove is not repeated here (see the notes at each
section). Every hostile workbook is built in memory with zipfile, so that each trick sits
exactly where it should. Messages are read in English."""
import io
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from agencies.imports import agencies_import
from agencies.models import Agency, Government
from assessments.models import ActionItem, Answer, Evidence, GovernmentResult, Round
from assessments.services.evidence import evidence_add_file
from assessments.services.results import results_import
from compliance.spreadsheets import reading
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.print_setup import add_report_sheet, report_title
from compliance.spreadsheets.reading import SpreadsheetError, read_sheet
from compliance.spreadsheets.writing import MAX_CELL_CHARS, new_workbook, to_bytes
from compliance.spreadsheets.writing import cell as export_cell

from tests.checklists import checklist

MIB = 1024 * 1024
SULTRA = "Sulawesi Tenggara"
MUBAR = "Kabupaten Muna Barat"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- building workbooks by hand --------------------------------------------------------------

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
WORKBOOK = "xl/workbook.xml"
TYPES = "[Content_Types].xml"


def _esc(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _column(index):
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parts(rows, *, sheet_body=None, strings_body=None, dimension=""):
    """The parts of a minimal real workbook (as Excel writes it: a shared-string table)."""
    table, cells = [], []
    for number, row in enumerate(rows, start=1):
        xml_cells = []
        for index, value in enumerate(row):
            if value in (None, ""):
                continue
            ref = f"{_column(index)}{number}"
            if isinstance(value, (int, float)):
                xml_cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                table.append(value)
                xml_cells.append(f'<c r="{ref}" t="s"><v>{len(table) - 1}</v></c>')
        cells.append(f'<row r="{number}">{"".join(xml_cells)}</row>')
    sheet = sheet_body if sheet_body is not None else "".join(cells)
    strings = strings_body if strings_body is not None else "".join(
        f"<si><t>{_esc(text)}</t></si>" for text in table)
    return {
        TYPES: XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
        'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": XML + f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        WORKBOOK: XML + f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets><sheet '
        'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": XML + f'<Relationships xmlns="{PKG}"><Relationship '
        f'Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/><Relationship '
        f'Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        SHEET: XML + f'<worksheet xmlns="{MAIN}">{dimension}<sheetData>{sheet}</sheetData>'
        '</worksheet>',
        STRINGS: XML + f'<sst xmlns="{MAIN}">{strings}</sst>',
    }


def zipped(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text.encode() if isinstance(text, str) else text)
    return buffer.getvalue()


AGENCY_HEADER = ["province", "government", "name", "short_name", "kind"]
AGENCY_ROWS = [AGENCY_HEADER, [SULTRA, MUBAR, "Dinas Kesehatan", "Dinkes", "kesehatan"]]
RESULT_HEADER = ["province", "level", "name", "score"]


def agency_xlsx(**changes) -> bytes:
    members = parts(AGENCY_ROWS)
    members.update(changes)
    return zipped(members)


def assert_refused(data, filename, fragment):
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(data, filename)
    assert fragment in str(caught.value)


def snapshot():
    return sorted(Agency.objects.values_list("government__name", "name", "short_name", "kind"))


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def admin_page(client, personas):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(personas["admin"])

    def post(data, filename="opd.xlsx"):
        return client.post(reverse("agency-import"),
                           {"file": SimpleUploadedFile(filename, data)})
    return post


def import_results_file(tmp_path, data, filename="results.xlsx", *options):
    path = tmp_path / filename
    path.write_bytes(data)
    before = (list(Round.objects.values_list("id", flat=True)),
              list(GovernmentResult.objects.values_list("id", "score")))
    with pytest.raises(CommandError) as caught:
        call_command("import_results", str(path), "--year", "2030", *options)
    assert before == (list(Round.objects.values_list("id", flat=True)),
                      list(GovernmentResult.objects.values_list("id", "score")))
    return str(caught.value)


# --- 1. XML entity tricks (defusedxml, and a scan that refuses any DTD) ------------------------

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">'
                    .replace("&lol0;", "&lol;") for n in range(1, 10))
          + "]>")
EXTERNAL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
BARE = "<!DOCTYPE worksheet>"
TRICKS = {"billion laughs": (LAUGHS, "&lol9;"), "external entity": (EXTERNAL, "&xxe;"),
          "bare doctype": (BARE, "x")}
DTD_MESSAGE = "XML document type declaration (DOCTYPE or ENTITY)"


def tricked(trick, member):
    """A workbook whose ``member`` declares the DTD and, for sheet and strings, uses it."""
    dtd, reference = TRICKS[trick]
    members = parts(AGENCY_ROWS)
    text = members[member].replace(XML, XML + dtd, 1)
    if member == STRINGS:
        text = text.replace("<t>Dinkes</t>", f"<t>{reference}</t>")
    if member == SHEET:
        text = text.replace("</sheetData>", '<row r="3"><c r="A3" t="inlineStr"><is><t>'
                            f"{reference}</t></is></c></row></sheetData>")
    members[member] = text
    return zipped(members)


def test_openpyxl_reads_xml_through_defusedxml():
    """openpyxl picks its parser when it is imported: with defusedxml installed, iterparse
    (sheets, shared strings) and fromstring (workbook, relationships) are defusedxml's."""
    import defusedxml
    import openpyxl.xml
    import openpyxl.xml.functions as functions

    assert openpyxl.xml.DEFUSEDXML is True
    assert functions.iterparse.__module__.startswith("defusedxml")
    if not openpyxl.xml.LXML:
        assert functions.fromstring.__module__.startswith("defusedxml")
    # Even behind the scan, the parser refuses the expansion instead of performing it.
    sheet = tricked("billion laughs", STRINGS)
    xml = zipfile.ZipFile(io.BytesIO(sheet)).read(STRINGS)
    with pytest.raises(defusedxml.EntitiesForbidden):
        list(functions.iterparse(io.BytesIO(xml)))
    with pytest.raises(defusedxml.EntitiesForbidden):
        functions.fromstring(zipfile.ZipFile(io.BytesIO(
            tricked("external entity", WORKBOOK))).read(WORKBOOK))


def test_reading_refuses_xlsx_when_defusedxml_is_not_active(monkeypatch):
    import openpyxl.xml

    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    assert_refused(agency_xlsx(), "opd.xlsx", "cannot read .xlsx files safely")
    assert read_sheet(b"province,government,name\nS,G,N\n", "opd.csv").rows  # csv still works


@pytest.mark.parametrize("member", [SHEET, STRINGS, WORKBOOK, TYPES, "_rels/.rels"])
@pytest.mark.parametrize("trick", list(TRICKS))
def test_entity_tricks_are_refused_before_parsing(trick, member):
    tracemalloc.start()
    started = time.monotonic()
    try:
        assert_refused(tricked(trick, member), "opd.xlsx", DTD_MESSAGE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 2 and peak < 8 * MIB  # refused, not expanded


def test_a_dtd_hidden_in_utf16_or_in_a_part_with_another_name_is_refused():
    utf16 = parts(AGENCY_ROWS)
    utf16[STRINGS] = ('<?xml version="1.0" encoding="UTF-16"?>' + EXTERNAL
                      + utf16[STRINGS].split("\n", 1)[1]).encode("utf-16")
    assert_refused(zipped(utf16), "opd.xlsx", DTD_MESSAGE)
    renamed = parts(AGENCY_ROWS)
    renamed["xl/worksheets/sheet1.bin"] = renamed.pop(SHEET).replace(XML, XML + EXTERNAL)
    renamed["xl/_rels/workbook.xml.rels"] = renamed["xl/_rels/workbook.xml.rels"].replace(
        "worksheets/sheet1.xml", "worksheets/sheet1.bin")
    assert_refused(zipped(renamed), "opd.xlsx", DTD_MESSAGE)


@pytest.mark.django_db
@pytest.mark.parametrize("member", [SHEET, STRINGS])
@pytest.mark.parametrize("trick", list(TRICKS))
def test_agency_import_page_refuses_entity_tricks_with_a_message(admin_page, trick, member):
    before = snapshot()
    response = admin_page(tricked(trick, member))
    # The page answers a refused file with 400 and the message (its established contract,
    # see test_agency_import.py), never a server error.
    assert response.status_code == 400
    shown = text_of(response)
    assert DTD_MESSAGE in shown and "root:" not in shown and "lollol" not in shown
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("trick", list(TRICKS))
def test_import_results_command_refuses_entity_tricks(standard, tmp_path, trick):
    rows = [RESULT_HEADER, [SULTRA, "kabupaten", "Kabupaten Muna", 60]]
    members = parts(rows)
    dtd, reference = TRICKS[trick]
    members[STRINGS] = members[STRINGS].replace(XML, XML + dtd).replace(
        "<t>Kabupaten Muna</t>", f"<t>{reference}</t>")
    assert DTD_MESSAGE in import_results_file(tmp_path, zipped(members))


@pytest.mark.django_db
def test_agency_import_command_refuses_entity_tricks(sultra, tmp_path):
    path = tmp_path / "opd.xlsx"
    path.write_bytes(tricked("external entity", SHEET))
    with pytest.raises(CommandError, match="DOCTYPE or ENTITY"):
        call_command("import_agencies", str(path))
    assert not Agency.objects.filter(government=sultra).exists()


# --- 2. zip bombs ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def zeros_bomb():
    """201 MiB of zeros in the sheet part at compresslevel 9: about 200 KB on the wire."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts(AGENCY_ROWS).items():
            if name != SHEET:
                archive.writestr(name, text)
        with archive.open(SHEET, "w") as stream:
            block = bytes(MIB)
            for _ in range(201):
                stream.write(block)
    return buffer.getvalue()


def _lying(declared: int, real: int) -> bytes:
    """A sheet part that inflates to ``real`` bytes while its headers say ``declared``."""
    members = parts(AGENCY_ROWS)
    members[SHEET] = members[SHEET].replace("</sheetData>", " " * real + "</sheetData>")
    data = bytearray(zipped(members))
    name = SHEET.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                data[start + offset:start + offset + 4] = declared.to_bytes(4, "little")
            start += 4
    return bytes(data)


def measured(function):
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = function()
        return result, time.monotonic() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_real_zip_bomb_is_refused_quickly_and_in_little_memory(zeros_bomb):
    assert len(zeros_bomb) < 1 * MIB
    declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(zeros_bomb)).infolist())
    assert declared > reading.MAX_UNCOMPRESSED_BYTES

    def attempt():
        with pytest.raises(SpreadsheetError) as caught:
            read_sheet(zeros_bomb, "opd.xlsx")
        return str(caught.value)

    message, seconds, peak = measured(attempt)
    assert "expands to more than 200 MB" in message
    assert seconds < 1 and peak < 4 * MIB


def test_a_header_that_understates_the_size_is_caught_before_parsing():
    """zipfile stops at the declared size and then finds the CRC wrong: the scan refuses the
    file before openpyxl sees it, after reading no more than was declared."""
    data = _lying(declared=2048, real=50 * MIB)
    assert len(data) < 1 * MIB

    def attempt():
        with pytest.raises(SpreadsheetError) as caught:
            read_sheet(data, "opd.xlsx")
        return caught.value

    error, seconds, peak = measured(attempt)
    assert "not a valid .xlsx workbook" in str(error)
    assert isinstance(error.__cause__, zipfile.BadZipFile)
    assert seconds < 2 and peak < 8 * MIB


def test_too_many_members_are_refused():
    members = parts(AGENCY_ROWS)
    members.update({f"xl/media/image{n}.png": b"" for n in range(reading.MAX_ZIP_MEMBERS)})
    assert_refused(zipped(members), "opd.xlsx", "too many parts")


def test_a_nested_archive_is_never_expanded(zeros_bomb):
    """A bomb packed inside the workbook (as an embedded object) is one small opaque member:
    nothing opens it, so the sheet is read in little time and memory."""
    members = parts(AGENCY_ROWS)
    members["xl/embeddings/oleObject1.bin"] = zeros_bomb
    data = zipped(members)
    sheet, seconds, peak = measured(lambda: read_sheet(data, "opd.xlsx"))
    assert [row for _number, row in sheet.rows] == [dict(zip(AGENCY_HEADER, AGENCY_ROWS[1]))]
    assert seconds < 2 and peak < 16 * MIB


def test_a_zip_whose_only_member_is_a_workbook_is_refused(zeros_bomb):
    assert_refused(zipped({"opd.xlsx": agency_xlsx()}), "opd.xlsx", "not a valid .xlsx")
    assert_refused(zipped({"bomb.xlsx": zeros_bomb}), "opd.xlsx", "not a valid .xlsx")


@pytest.mark.parametrize("where", ["shared strings", "cells in one row"])
def test_millions_of_tiny_elements_are_refused_before_openpyxl_builds_them(where):
    """Under every size limit (a few MB unpacked, a few KB packed) but minutes of CPU and
    gigabytes in openpyxl: refused by the count in the scan."""
    count = reading.MAX_CELLS + 1
    if where == "shared strings":
        members = parts(AGENCY_ROWS, strings_body="<si><t>a</t></si>" * count)
    else:
        members = parts(AGENCY_ROWS, sheet_body='<row r="1">' + "<c/>" * count + "</row>")
    data = zipped(members)
    assert len(data) < 1 * MIB

    def attempt():
        with pytest.raises(SpreadsheetError) as caught:
            read_sheet(data, "opd.xlsx")
        return str(caught.value)

    message, seconds, peak = measured(attempt)
    assert "more than 1000000 cells" in message
    assert seconds < 5 and peak < 16 * MIB


def test_rows_padded_to_column_xfd_are_refused_quickly():
    """A cell at column XFD made openpyxl pad every row to 16,384 values (20,000 such rows
    took minutes); now the first one stops the read."""
    body = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + "".join(
        f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c><c r="XFD{n}" t="s"><v>0</v></c></row>'
        for n in range(2, 20_000))
    data = zipped(parts([], sheet_body=body, strings_body="<si><t>x</t></si>"))
    started = time.monotonic()
    assert_refused(data, "opd.xlsx", "data beyond column 200")
    assert time.monotonic() - started < 5


def test_a_declared_dimension_is_not_trusted():
    data = zipped(parts(AGENCY_ROWS, dimension='<dimension ref="A1:XFD1048576"/>'))
    sheet, seconds, _peak = measured(lambda: read_sheet(data, "opd.xlsx"))
    assert len(sheet.rows) == 1 and seconds < 2


@pytest.mark.parametrize("damage", ["broken tag deep in the sheet", "unknown shared string",
                                    "number that is not a number"])
def test_damage_found_while_reading_rows_is_a_message_not_a_crash(damage):
    """openpyxl meets these only while iterating the rows (a <dimension> spares it the
    full pass at load time); they used to escape as ParseError/IndexError/ValueError."""
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(2, 3000))
    bad = {"broken tag deep in the sheet": '<row r="3000"><c r="A3000"><broken></row>',
           "unknown shared string": '<row r="3000"><c r="A3000" t="s"><v>999</v></c></row>',
           "number that is not a number": '<row r="3000"><c r="A3000"><v>abc</v></c></row>'}
    members = parts([], dimension='<dimension ref="A1:C3000"/>',
                    sheet_body='<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + rows
                    + bad[damage], strings_body="<si><t>name</t></si>")
    assert_refused(zipped(members), "opd.xlsx", "not a valid .xlsx workbook")


@pytest.mark.django_db
def test_agency_page_answers_bombs_and_damage_with_a_message(admin_page, zeros_bomb):
    before = snapshot()
    broken = parts(AGENCY_ROWS, dimension='<dimension ref="A1:E3"/>')
    broken[SHEET] = broken[SHEET].replace("</sheetData>", '<row r="3"><c r="A3"><x></row>'
                                          "</sheetData>")
    for data, fragment in ((zeros_bomb, "expands to more than 200 MB"),
                           (_lying(2048, 5 * MIB), "not a valid .xlsx workbook"),
                           (zipped(broken), "not a valid .xlsx workbook")):
        response = admin_page(data)
        assert response.status_code == 400 and fragment in text_of(response)
    assert snapshot() == before


@pytest.mark.django_db
def test_import_results_command_refuses_bombs(standard, tmp_path, zeros_bomb):
    assert "expands to more than 200 MB" in import_results_file(tmp_path, zeros_bomb)
    assert "not a valid .xlsx" in import_results_file(tmp_path, _lying(2048, 5 * MIB))


# --- 3. oversized and fake files ----------------------------------------------------------------
# Already proven in test_agency_import.py: the page refuses an upload over the limit (stopped by
# the upload handler), a .pdf name, CSV text named .xlsx, a bare PK header, UTF-16 CSV.

def test_an_oversized_file_is_refused_before_anything_parses_it(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(reading, "_read_xlsx", never)
    monkeypatch.setattr(reading, "_read_csv", never)
    big = b"PK\x03\x04" + bytes(reading.MAX_FILE_BYTES)
    for filename in ("opd.xlsx", "opd.csv"):
        assert_refused(big, filename, "larger than 20 MB")


@pytest.mark.django_db
def test_import_results_command_refuses_an_oversized_file(standard, tmp_path):
    data = b"province,level,name,score\n" + b"x" * reading.MAX_FILE_BYTES
    assert "larger than 20 MB" in import_results_file(tmp_path, data, "results.csv")


@pytest.mark.django_db
def test_agency_page_over_the_limit_leaves_no_temporary_file(admin_page, settings, tmp_path):
    """Large enough for Django to spool it to disk: the handler's stop deletes the spool."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    response = admin_page(b"province,government,name\n" + b"a,b,c\n" * 100_000, "opd.csv")
    assert response.status_code == 400 and "The file is larger than 64.0 KB." in \
        text_of(response)
    assert list(tmp_path.iterdir()) == []


def _docx():
    return zipped({TYPES: "<Types/>", "word/document.xml": "<w:document/>"})


def _corrupted():
    """The sheet part's deflate data overwritten in the middle: zlib or the CRC objects."""
    data = bytearray(agency_xlsx())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle:middle + 8] = b"\xff" * 8
    return bytes(data)


def _encrypted():
    """A member flagged as encrypted (zipfile cannot read it without a password)."""
    data = bytearray(agency_xlsx())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 1
            start += 4
    return bytes(data)


FAKES = {
    "deflate data corrupted": (_corrupted(), "opd.xlsx", "not a valid .xlsx workbook"),
    "encrypted members": (_encrypted(), "opd.xlsx", "not a valid .xlsx workbook"),
    "pdf named .xlsx": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "opd.xlsx",
                        "not a valid .xlsx workbook"),
    "empty .xlsx": (b"", "opd.xlsx", "not a valid .xlsx workbook"),
    "zip of a text file": (zipped({"readme.txt": "hello"}), "opd.xlsx",
                           "not a valid .xlsx workbook"),
    "zip with content types but no workbook": (zipped({TYPES: parts([])[TYPES]}), "opd.xlsx",
                                               "not a valid .xlsx workbook"),
    "a Word document named .xlsx": (_docx(), "opd.xlsx", "not a valid .xlsx workbook"),
    "xml part with NUL bytes": (agency_xlsx(**{WORKBOOK: parts([])[WORKBOOK] + "\x00"}),
                                "opd.xlsx", "not a valid .xlsx workbook"),
    "png named .csv": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "opd.csv", "not UTF-8 text"),
    "csv with NUL bytes": (b"province,government,name\nS,G,N\x00\n", "opd.csv", "not text"),
    "csv in Windows-1252": ("province,government,name\nS,G,Dinas Perhubungan – Bagian\n"
                            .encode("cp1252"), "opd.csv", "not UTF-8 text"),
    "csv with a 200,000-character cell": (b"province,government,name\nS,G," + b"x" * 200_000,
                                          "opd.csv", "Row 2 of the CSV file cannot be read"),
    "csv 1,000 columns wide": (b"province,government,name\n" + b"x," * 1000 + b"\n", "opd.csv",
                               "data beyond column 200"),
}


@pytest.mark.parametrize("case", list(FAKES))
def test_files_that_are_not_what_they_claim_are_refused(case):
    data, filename, fragment = FAKES[case]
    assert_refused(data, filename, fragment)


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["pdf named .xlsx", "a Word document named .xlsx",
                                  "csv with NUL bytes", "csv with a 200,000-character cell"])
def test_fake_files_through_both_import_paths(admin_page, standard, tmp_path, case):
    data, filename, fragment = FAKES[case]
    before = snapshot()
    response = admin_page(data, filename)
    assert response.status_code == 400 and fragment in text_of(response)
    assert snapshot() == before
    assert fragment in import_results_file(tmp_path, data, filename.replace("opd", "results"))


def test_old_mac_line_endings_are_read_not_refused():
    sheet = read_sheet(b"province,government,name\rS,G,N\rS,G,M\r", "opd.csv")
    assert [row["name"] for _number, row in sheet.rows] == ["N", "M"]


def test_a_value_past_the_last_heading_is_kept_for_the_import_to_report():
    data = zipped(parts([AGENCY_HEADER, [SULTRA, MUBAR, "Dinas", "", "", "", "stray"]]))
    assert read_sheet(data, "opd.xlsx").rows[0][1][""] == "stray"


# --- 3b. formulas ------------------------------------------------------------------------------
# A formula cell is refused with its sheet, row and column, also when the file carries a cached
# result (which anyone can write by hand into <v>: the file would show one score and import
# another). A text that merely starts with "=" is a string cell and is read as text.

RESULT_ROW = [SULTRA, "kabupaten", "Kabupaten Muna Barat"]
FORMULA_MESSAGE = ("Sheet Sheet1, row 2, column D holds a formula. Formulas are not imported: "
                   "replace them with their values (copy, then Paste Special > Values) and "
                   "import the file again.")


def _results_with_score_cell(score_cell: str, row_2_extra: str = "") -> bytes:
    """The results header, then row 2 whose column D is ``score_cell`` (raw sheet XML)."""
    table = RESULT_HEADER + RESULT_ROW
    header = "".join(f'<c r="{_column(i)}1" t="s"><v>{i}</v></c>' for i in range(4))
    row = "".join(f'<c r="{_column(i)}2" t="s"><v>{4 + i}</v></c>' for i in range(3))
    return zipped(parts([], sheet_body=f'<row r="1">{header}</row><row r="2">{row}{score_cell}'
                        f"{row_2_extra}</row>",
                        strings_body="".join(f"<si><t>{_esc(t)}</t></si>" for t in table)))


def _openpyxl_workbook_with_a_formula() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = "Hasil 2021"
    worksheet.append(RESULT_HEADER)
    worksheet.append(RESULT_ROW + [69.27])
    worksheet.append([SULTRA, "kota", "Kota Kendari", "=D2-10"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FORMULAS = {
    "formula with a cached result": '<c r="D2"><f>60+9.27</f><v>69.27</v></c>',
    "text formula with a cached result": '<c r="D2" t="str"><f>"69.27"</f><v>69.27</v></c>',
    "formula without a result": '<c r="D2"><f>60+9.27</f></c>',
    "shared formula": '<c r="D2"><f t="shared" ref="D2:D2" si="0">60+9.27</f><v>69.27</v></c>',
    "array formula": '<c r="D2"><f t="array" ref="D2">60+9.27</f><v>69.27</v></c>',
}


@pytest.mark.parametrize("case", list(FORMULAS))
def test_a_formula_cell_is_refused_with_its_sheet_row_and_column(case):
    with pytest.raises(SpreadsheetError) as caught:
        read_sheet(_results_with_score_cell(FORMULAS[case]), "results.xlsx")
    assert str(caught.value) == FORMULA_MESSAGE


def test_a_formula_written_by_openpyxl_is_refused():
    assert_refused(_openpyxl_workbook_with_a_formula(), "results.xlsx",
                   "Sheet Hasil 2021, row 3, column D holds a formula.")


def test_the_formula_message_is_indonesian_by_default():
    with translation.override("id"), pytest.raises(SpreadsheetError) as caught:
        read_sheet(_results_with_score_cell(FORMULAS["formula with a cached result"]),
                   "results.xlsx")
    assert str(caught.value) == (
        "Lembar Sheet1, baris 2, kolom D berisi rumus. Rumus tidak diimpor: ganti rumus dengan "
        "nilainya (salin, lalu Tempel Spesial > Nilai) dan impor berkas itu lagi.")


def test_a_text_that_starts_like_a_formula_is_read_as_text():
    data = _results_with_score_cell('<c r="D2" t="inlineStr"><is><t>=60+9.27</t></is></c>')
    assert read_sheet(data, "results.xlsx").rows == [
        (2, {"province": SULTRA, "level": "kabupaten", "name": "Kabupaten Muna Barat",
             "score": "=60+9.27"})]


@pytest.mark.django_db
def test_a_formula_is_refused_through_both_import_paths(admin_page, standard, tmp_path):
    data = _results_with_score_cell(FORMULAS["formula with a cached result"])
    assert FORMULA_MESSAGE in import_results_file(tmp_path, data)
    before = snapshot()
    agencies = agency_xlsx(**{SHEET: parts(AGENCY_ROWS)[SHEET].replace(
        "</row></sheetData>", '<c r="F2"><f>1+1</f><v>2</v></c></row></sheetData>')})
    response = admin_page(agencies)
    assert response.status_code == 400
    assert "Sheet Sheet1, row 2, column F holds a formula." in text_of(response)
    assert snapshot() == before


# --- 4. one bad row among many ------------------------------------------------------------------
# test_agency_import.py and test_results_import.py prove it for three-row files; here a bad row
# 317 in 500 is found by both imports, in both formats, and nothing else is written.

def _numbered(header, rows, bad_row, bad):
    body = [header] + rows
    body[bad_row - 1] = bad
    return body


def _as(filename, rows):
    if filename.endswith(".xlsx"):
        return zipped(parts(rows))
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["opd.csv", "opd.xlsx"])
def test_agency_import_with_row_317_bad_of_500_imports_nothing(sultra, filename):
    rows = [[SULTRA, MUBAR, f"Unit Layanan {n}", "", "other"] for n in range(500)]
    data = _as(filename, _numbered(AGENCY_HEADER, rows, 317,
                                   [SULTRA, MUBAR, "Unit Layanan X", "", "kantor"]))
    before = snapshot()
    with pytest.raises(ImportRejected) as caught:
        agencies_import(sheet=read_sheet(data, filename))
    assert [(e.row, e.column) for e in caught.value.errors] == [(317, "kind")]
    assert "row 317, column kind: unknown kind “kantor”" in str(caught.value.errors[0])
    assert snapshot() == before


@pytest.mark.django_db
def test_agency_page_names_row_317_and_imports_nothing(admin_page):
    rows = [[SULTRA, MUBAR, f"Unit Layanan {n}", "", "other"] for n in range(500)]
    data = _as("opd.xlsx", _numbered(AGENCY_HEADER, rows, 317,
                                     [SULTRA, "Kabupaten Atlantis", "Unit X", "", ""]))
    before = snapshot()
    response = admin_page(data)
    assert response.status_code == 400
    shown = text_of(response)
    assert "the file has 1 problem(s)" in shown
    assert "317 government no government “Kabupaten Atlantis” in Sulawesi Tenggara" in shown
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["results.csv", "results.xlsx"])
def test_results_import_with_row_317_bad_of_500_imports_nothing(standard, regions_sultra,
                                                               tmp_path, filename):
    # 500 governments that are not in the official list: created only with create_missing
    rows = [[SULTRA, "kabupaten", f"Kabupaten Contoh {n}", 50 + n % 40] for n in range(500)]
    data = _as(filename, _numbered(RESULT_HEADER, rows, 317,
                                   [SULTRA, "kabupaten", "Kabupaten Contoh X", "sembilan"]))
    with pytest.raises(ImportRejected) as caught:
        results_import(sheet=read_sheet(data, filename), year=2021, create_missing=True)
    assert [(e.row, e.column) for e in caught.value.errors] == [(317, "score")]
    assert Government.objects.count() == 18 and not GovernmentResult.objects.exists()
    message = import_results_file(tmp_path, data, filename, "--create-missing")
    assert "row 317, column score" in message or "baris 317, kolom score" in message
    assert Government.objects.count() == 18


# --- 5. exports ---------------------------------------------------------------------------------
# test_results_import.py, test_reports.py and test_round_report.py prove that a text starting
# with "=" is a string cell in each export; here every formula prefix, control characters,
# line breaks, characters XML forbids and texts over Excel's cell limit.

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
# The characters OWASP's "CSV Injection" page lists as starting a formula: equals, plus, minus,
# at, tab (0x09) and carriage return (0x0D); and line feed, because the exports write a carriage
# return as a line feed. Written out here, not imported from the code under test.
OWASP_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
LONG = "=" + "Temuan panjang. " * 2100 + "😀" * 10  # > 32,767 characters
HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"klik\")", "+1+1", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "Dinas\x00\x07\x1b Sosial\r\nBaris dua\x1f", "\ufffeX\uffff"]


def utf16_length(text):
    return len(text.encode("utf-16-le")) // 2


def assert_inert(content: bytes, expected=()):
    """Every text cell is a string, starts like a formula only behind Excel's quote prefix,
    has no control character and fits in a cell; no sheet holds a formula."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    texts = []
    for worksheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", cell.coordinate
                    assert not CONTROL.search(cell.value) and "\r" not in cell.value
                    assert utf16_length(cell.value) <= MAX_CELL_CHARS
                    if cell.value.startswith(OWASP_FORMULA_PREFIXES):
                        assert cell.quotePrefix, (worksheet.title, cell.coordinate)
                    texts.append(cell.value)
    for text in expected:
        assert text in texts, text
    return texts


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r", "\n"])
def test_every_formula_prefix_owasp_lists_gets_the_quote_prefix(prefix):
    """One cell per prefix, as written and as Excel reads it back (OWASP, CSV Injection)."""
    workbook = new_workbook()
    worksheet = workbook.create_sheet("S")
    written = export_cell(worksheet, prefix + "1+1")
    assert (written.data_type, written.quotePrefix) == ("s", True)
    worksheet.append([written, export_cell(worksheet, "Dinas" + prefix + "1")])
    read = load_workbook(io.BytesIO(to_bytes(workbook)))["S"]
    assert read["A1"].value == prefix.replace("\r", "\n") + "1+1"
    assert (read["A1"].data_type, read["A1"].quotePrefix) == ("s", True)
    assert not read["B1"].quotePrefix  # only a text that starts like a formula


def test_the_cell_helper_makes_every_kind_of_hostile_text_inert():
    values = HOSTILE + [LONG, "x" * 40_000, "😀" * 20_000, "\ud800 lone surrogate", "-7"]
    workbook = new_workbook()
    add_report_sheet(workbook, report_title("=Title", made_by="x"), "=Sheet\x07", ["header"],
                     lambda ws: ([v] for v in values), importable=True)
    texts = assert_inert(to_bytes(workbook))[1:]
    assert texts[:8] == ['=HYPERLINK("http://evil.example","klik")', "+1+1", "-2+3",
                         "@SUM(A1:A9)", "\t=1+1", "\n=1+1", "Dinas Sosial\nBaris dua", "X"]
    assert texts[8].startswith("=Temuan") and utf16_length(texts[8]) == MAX_CELL_CHARS
    assert len(texts[9]) == MAX_CELL_CHARS
    assert texts[10] == "😀" * 16_383  # never half an emoji
    assert texts[11] == " lone surrogate" and texts[12] == "-7"


@pytest.mark.django_db
def test_ranking_export_keeps_government_names_and_ranks_inert(client, sultra):
    names = {"Kabupaten Muna Barat": HOSTILE[0], "Kabupaten Buton": "@Buton\x07",
             "Kota Kendari": "-Kendari\x1b"}
    for old, new in names.items():
        Government.objects.filter(name=old).update(name=new)
    round_ = Round.objects.get(year=2021)
    GovernmentResult.objects.filter(round=round_).update(published_rank="+1 of 15\x01")
    response = client.get(reverse("ranking-province-xlsx",
                                  args=[round_.id, sultra.province_id]), {"group": "all"})
    assert response.status_code == 200
    texts = assert_inert(response.content, [HOSTILE[0], "@Buton", "-Kendari", "+1 of 15"])
    assert not any("\x07" in text for text in texts)


@pytest.fixture
def hostile_round(live_round, personas):
    """Unit a with a hostile name, note, finding and action: the texts people type."""
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="sarana-1")
    Agency.objects.filter(id=assessment.agency_id).update(name="=DPMPTSP\x07 Muna Barat")
    Answer.objects.create(assessment=assessment, indicator=indicator, value=2, note=LONG,
                          verified_value=1, finding="+Temuan\x01\r\nbaris dua" + "y" * 40_000)
    ActionItem.objects.create(agency=assessment.agency, title="@Perbaiki\x1f ramp",
                              owner="-Kepala Dinas")
    assessment.refresh_from_db()
    return live_round


@pytest.mark.django_db
def test_rapor_export_keeps_findings_notes_and_names_inert(hostile_round):
    from assessments.selectors.comparison import rapor
    from assessments.spreadsheets.rapor_export import rapor_workbook

    assessment = hostile_round["assessments"]["a"]
    assessment.refresh_from_db()
    texts = assert_inert(rapor_workbook(rapor(assessment)), ["=DPMPTSP Muna Barat"])
    finding = next(text for text in texts if text.startswith("+Temuan"))
    assert finding.startswith("+Temuan\nbaris dua") and len(finding) == MAX_CELL_CHARS


@pytest.mark.django_db
def test_round_report_export_keeps_notes_actions_and_names_inert(client, personas,
                                                                 hostile_round):
    client.force_login(personas["leader"])
    response = client.get(reverse("government-report-xlsx", args=[
        hostile_round["round"].id, hostile_round["government"].id]))
    assert response.status_code == 200
    texts = assert_inert(response.content, ["=DPMPTSP Muna Barat", "@Perbaiki ramp",
                                            "-Kepala Dinas"])
    note = next(text for text in texts if text.startswith("=Temuan"))
    assert utf16_length(note) == MAX_CELL_CHARS


@pytest.mark.django_db
def test_national_export_keeps_agency_names_inert(hostile_round):
    from assessments.spreadsheets.national_export import national_workbook

    output = io.BytesIO()
    national_workbook(hostile_round["round"], output)
    assert_inert(output.getvalue(), ["=DPMPTSP Muna Barat"])


# --- 6. evidence --------------------------------------------------------------------------------
# test_evidence.py already proves: the size limit leaves no stored file and no row (small
# uploads, kept in memory); an HTML body named .pdf and a PDF named .png are refused; a
# "../../" name is stored under a generated name; the download is scoped, an attachment,
# nosniff and no-store.

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def evidence_url(live_round):
    assessment = live_round["assessments"]["a"]
    indicator = checklist().get(code="persyaratan-1")
    return assessment, indicator, reverse("evidence-add", args=[assessment.id, indicator.id])


@pytest.mark.django_db
def test_evidence_over_the_limit_leaves_no_file_no_temporary_file_and_no_row(
        client, personas, evidence_url, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # so that Django spools the upload to disk
    settings.EVIDENCE_MAX_BYTES = 256 * 1024
    _assessment, _indicator, url = evidence_url
    client.force_login(personas["operator"])
    client.cookies["django_language"] = "en"
    before = media_files()
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (3 * MIB), "application/pdf")
    response = client.post(url, {"file": big}, HTTP_HX_REQUEST="true")
    assert "The file is larger than 256.0 KB." in text_of(response)
    assert not Evidence.objects.exists() and media_files() == before
    assert list(tmp_path.iterdir()) == []
    # Just under the limit, the same path stores one file and still leaves no spool behind.
    fits = SimpleUploadedFile("fits.pdf", PDF + b"0" * (200 * 1024), "application/pdf")
    response = client.post(url, {"file": fits}, HTTP_HX_REQUEST="true")
    assert "alert-danger" not in response.content.decode()
    assert Evidence.objects.count() == 1 and len(media_files()) == len(before) + 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "mime"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "application/pdf"),
    (b"<!DOCTYPE html><html><body>%PDF-1.4</body></html>", "application/pdf"),
    (b" %PDF-1.4 with a leading space", "application/pdf"),
])
def test_pdf_extension_with_other_magic_bytes_is_refused(client, personas, evidence_url,
                                                         content, mime):
    _assessment, _indicator, url = evidence_url
    client.force_login(personas["operator"])
    client.cookies["django_language"] = "en"
    before = media_files()
    response = client.post(url, {"file": SimpleUploadedFile("sk.pdf", content, mime)},
                           HTTP_HX_REQUEST="true")
    assert "content does not match its extension" in response.content.decode()
    assert not Evidence.objects.exists() and media_files() == before


HOSTILE_NAMES = {
    "../../etc/passwd.pdf": "passwd.pdf",
    "/etc/passwd.pdf": "passwd.pdf",
    "C:\\Windows\\..\\System32\\evil.pdf": "evil.pdf",
    "..\\..\\boot.pdf": "boot.pdf",
    "Surat Keputusan – Bupati №7 ✓ لائحة.pdf": "Surat Keputusan – Bupati №7 ✓ لائحة.pdf",
    "laporan\u202efdp.exe.pdf": "laporanfdp.exe.pdf",
    'a"\r\nSet-Cookie: x=1;.pdf': "aSet-Cookie x=1;.pdf",
    "A" * 500 + ".pdf": "A" * 196 + ".pdf",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(HOSTILE_NAMES))
def test_hostile_file_names_never_reach_the_disk_or_the_headers(client, personas, evidence_url,
                                                                name):
    """The service is called with the raw name (Django's parser would already strip paths):
    the storage name is generated, the name kept for display is a plain file name, and the
    download header carries it safely."""
    assessment, indicator, _url = evidence_url
    upload = SimpleUploadedFile("x.pdf", PDF, "application/pdf")
    upload._name = name  # bypass UploadedFile's own basename()
    evidence = evidence_add_file(assessment_id=assessment.id, indicator=indicator,
                                 user=personas["operator"], upload=upload)
    assert re.fullmatch(rf"evidence/{assessment.id}/[0-9a-f]{{32}}", evidence.file.name)
    stored = Path(evidence.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve() / "evidence")
    assert stored.read_bytes() == PDF
    assert evidence.original_name == HOSTILE_NAMES[name]
    client.force_login(personas["operator"])
    response = client.get(reverse("evidence-download", args=[evidence.id]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and not re.search(r"[\r\n]", disposition)
    assert "/" not in disposition.split("filename", 1)[1].replace("utf-8''", "")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/octet-stream"
