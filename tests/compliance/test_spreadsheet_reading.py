"""Reading uploads at the edges of each rule, fast and without a database: row numbers and
empty rows, integral numbers, the header row, each limit at the limit and one past it (rows,
columns, parts, unpacked size, cells, file size; the large ones lowered with monkeypatch so that
the boundary is cheap to reach), the scan's chunk and tag-gap handling, CSV dialects and errors,
and every sheet of a workbook. The hostile files themselves (entity tricks, real bombs, fakes,
formulas with cached results) are in tests/assessments/test_hostile_files.py."""
import csv
import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from compliance.spreadsheets import reading
from compliance.spreadsheets.reading import Sheet, SpreadsheetError, read_sheet, read_workbook

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
NOT_VALID = "The file is not a valid .xlsx workbook."
DTD_REFUSED = ("The workbook contains an XML document type declaration (DOCTYPE or ENTITY), "
               "which a spreadsheet never has; it is refused.")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def xlsx(*rows, more_sheets=None) -> bytes:
    """A workbook as openpyxl writes it (inline strings); ``more_sheets``: {title: rows}."""
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    for row in rows:
        workbook.active.append(row)
    for title, sheet_rows in (more_sheets or {}).items():
        worksheet = workbook.create_sheet(title)
        for row in sheet_rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezipped(data: bytes, replace=None, add=None, drop=(), stored=False) -> bytes:
    """The package with members replaced, added (after the others, in the order given) or
    dropped; ``stored``: added members uncompressed."""
    replace, add = replace or {}, add or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename in drop:
                continue
            content = replace.get(info.filename, source.read(info.filename))
            archive.writestr(info.filename, content)
        for name, content in add.items():
            archive.writestr(name, content,
                             zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def with_sheet_data(body: str) -> bytes:
    """A real package whose first sheet holds exactly ``body`` inside <sheetData>."""
    return rezipped(xlsx(["x"]), replace={
        SHEET: f'<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'})


def refused(data, filename="opd.xlsx", read=read_sheet) -> str:
    with pytest.raises(SpreadsheetError) as caught:
        read(data, filename)
    return str(caught.value)


# --- rows, numbers, the header -----------------------------------------------------------------

def test_rows_keep_their_spreadsheet_numbers_and_empty_rows_are_skipped():
    data = xlsx([" Province ", "NAME", "score"], ["Sulawesi Tenggara", " Dinkes ", 69.27], [],
                [None, "", None], ["Sulawesi Tenggara", "Dinsos", 2021])
    assert read_sheet(data, "opd.xlsx") == Sheet(
        header=["province", "name", "score"],
        rows=[(2, {"province": "Sulawesi Tenggara", "name": "Dinkes", "score": "69.27"}),
              (5, {"province": "Sulawesi Tenggara", "name": "Dinsos", "score": "2021"})])


def test_an_integral_number_stored_as_a_float_reads_without_its_decimals():
    data = with_sheet_data('<row r="1"><c r="A1" t="inlineStr"><is><t>score</t></is></c></row>'
                           '<row r="2"><c r="A2"><v>69.0</v></c></row>'
                           '<row r="3"><c r="A3"><v>69.5</v></c></row>')
    assert read_sheet(data, "opd.xlsx").rows == [(2, {"score": "69"}), (3, {"score": "69.5"})]


def test_an_empty_workbook_and_an_empty_csv_read_as_empty_sheets():
    assert read_sheet(xlsx(), "opd.xlsx") == Sheet(header=[], rows=[])
    assert read_sheet(b"", "opd.csv") == Sheet(header=[], rows=[])


def test_a_formula_in_the_header_row_is_named_like_any_other():
    message = refused(xlsx(["province", "=1+1"]))
    assert message.startswith("Sheet Sheet1, row 1, column B holds a formula.")


def test_the_row_limit_counts_data_rows(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    rows = [["name"], ["a"], ["b"], ["c"]]
    assert len(read_sheet(xlsx(*rows), "opd.xlsx").rows) == 3
    assert len(read_sheet(b"name\na\nb\nc\n", "opd.csv").rows) == 3
    assert refused(xlsx(*rows, ["d"])) == "The file has more than 3 rows."
    assert refused(b"name\na\nb\nc\nd\n", "opd.csv") == "The file has more than 3 rows."


def test_the_column_limit_refuses_only_data_past_column_200():
    header = [f"h{n}" for n in range(1, 201)]
    sheet = read_sheet(xlsx(header, ["x"] * 200), "opd.xlsx")
    assert len(sheet.header) == 200 and sheet.rows[0][1]["h200"] == "x"
    assert refused(xlsx(header, ["x"] * 201)) == "The sheet has data beyond column 200."
    assert refused(xlsx(header + ["h201"])) == "The sheet has data beyond column 200."
    csv_header = ",".join(header).encode()
    assert len(read_sheet(csv_header + b"\n" + b"x," * 200 + b"\n", "opd.csv").rows) == 1
    assert refused(csv_header + b"\n" + b"x," * 200 + b"x\n",
                   "opd.csv") == "The sheet has data beyond column 200."
    assert refused(csv_header + b",h201\n", "opd.csv") == "The sheet has data beyond column 200."


def test_a_value_without_a_heading_is_kept_once_under_the_empty_name():
    sheet = read_sheet(b"province,,name\nS,stray,N,second\nS,,M,past\nS,,L,\n", "opd.csv")
    assert sheet.rows == [(2, {"province": "S", "": "stray", "name": "N"}),
                          (3, {"province": "S", "": "past", "name": "M"}),
                          (4, {"province": "S", "": "", "name": "L"})]


def test_a_byte_order_mark_inside_an_xlsx_heading_is_dropped():
    assert read_sheet(xlsx(["\ufeffProvince", "Name"]), "opd.xlsx").header == ["province", "name"]


# --- CSV ---------------------------------------------------------------------------------------

def test_csv_with_a_byte_order_mark_semicolons_or_tabs():
    expected = [(2, {"province": "Sulawesi Tenggara", "name": "Dinkes"})]
    for data in (b"\xef\xbb\xbfProvince;Name\nSulawesi Tenggara;Dinkes\n",
                 b"Province\tName\nSulawesi Tenggara\tDinkes\n",
                 b"Province,Name\r\nSulawesi Tenggara,Dinkes\r\n"):
        sheet = read_sheet(data, "OPD.CSV")
        assert (sheet.header, sheet.rows) == (["province", "name"], expected)


def test_csv_delimiters_are_only_comma_semicolon_or_tab():
    # one column whose cells hold one space each: not a space-separated file
    sheet = read_sheet(b"nama dinas\nDinas Kesehatan\nDinas Sosial\n", "opd.csv")
    assert sheet.header == ["nama dinas"]
    assert sheet.rows == [(2, {"nama dinas": "Dinas Kesehatan"}),
                          (3, {"nama dinas": "Dinas Sosial"})]


def test_a_line_break_inside_a_quoted_csv_cell_is_kept_as_written():
    sheet = read_sheet(b'name,note\r\nDinkes,"baris satu\r\nbaris dua"\r\n', "opd.csv")
    assert sheet.rows == [(2, {"name": "Dinkes", "note": "baris satu\r\nbaris dua"})]


def test_csv_that_is_not_utf8_or_not_text():
    assert refused("Nama\nDinas Pekerjaan Umum – Bina Marga\n".encode("cp1252"),
                   "opd.csv") == "The CSV file is not UTF-8 text."
    assert refused(b"name\nA\x00B\n", "opd.csv") == "The CSV file is not text."


def test_a_csv_cell_over_the_field_limit_names_its_row():
    limit = csv.field_size_limit()
    message = refused(b"name\nshort\n" + b"x" * (limit + 1) + b"\n", "opd.csv")
    assert message == ("Row 3 of the CSV file cannot be read: a cell is too long or its quotes "
                       "do not match.")
    assert refused(b"x" * (limit + 1) + b"\n", "opd.csv").startswith(
        "Row 1 of the CSV file cannot be read")


# --- which files, how large --------------------------------------------------------------------

def test_file_kinds_and_the_size_limit(monkeypatch):
    assert refused(b"name\n", "opd.xls") == "Only .xlsx and .csv files can be imported."
    assert read_sheet(xlsx(["name"], ["a"]), "OPD.XLSX").rows == [(2, {"name": "a"})]
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 9)
    assert read_sheet(b"name\na\nb\n", "opd.csv").rows == [(2, {"name": "a"}), (3, {"name": "b"})]
    assert refused(b"name\na\nbc\n", "opd.csv") == "The file is larger than 20 MB."
    assert refused(b"name\na\nbc\n", "opd.xlsx", read_workbook) == "The file is larger than 20 MB."
    data = xlsx(["name"], ["Dinkes"])
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", len(data))
    assert read_workbook(data, "opd.xlsx")["Sheet1"].rows == [(2, {"name": "Dinkes"})]


def test_read_workbook_reads_every_sheet_of_an_xlsx_only():
    data = xlsx(["name"], ["Dinkes"], more_sheets={"Indikator": [["code", "weight"], ["1.1", 2]]})
    assert read_workbook(data, "instrumen.XLSX") == {
        "Sheet1": Sheet(header=["name"], rows=[(2, {"name": "Dinkes"})]),
        "Indikator": Sheet(header=["code", "weight"], rows=[(2, {"code": "1.1", "weight": "2"})])}
    assert refused(b"name\n", "instrumen.csv",
                   read_workbook) == "Only .xlsx files can be imported here."
    assert refused(with_sheet_data('<row r="1"><c r="A1"><f>1+1</f></c></row>'), "i.xlsx",
                   read_workbook).startswith("Sheet Sheet1, row 1, column A holds a formula.")


def test_each_kind_of_damage_gets_the_same_message(monkeypatch):
    data = xlsx(["name"], ["Dinkes"])
    assert refused(b"name\nDinkes\n", "opd.xlsx") == NOT_VALID  # not a zip at all
    stored = rezipped(data, add={"xl/media/a.bin": b"ABCDEFGHIJKLMNOP"}, stored=True)
    assert refused(stored.replace(b"ABCDEFGHIJKLMNOP", b"ABCDEFGHIJKLMNOQ")) == NOT_VALID  # CRC
    assert refused(rezipped(data, replace={"xl/workbook.xml": "<workbook"})) == NOT_VALID
    unknown_string = with_sheet_data('<row r="1"><c r="A1" t="s"><v>7</v></c></row>')
    assert refused(unknown_string) == NOT_VALID
    monkeypatch.setattr("openpyxl.xml.DEFUSEDXML", False)
    assert refused(data) == ("The server cannot read .xlsx files safely at the moment; save the "
                             "sheet as .csv and import that.")


def test_a_workbook_without_sheets_is_not_valid():
    data = rezipped(xlsx(["name"]), replace={
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}"><sheets/></workbook>'})
    assert refused(data) == NOT_VALID


# --- the package: parts, unpacked size, cells ----------------------------------------------------

def test_the_part_and_size_limits_at_the_limit_and_one_past(monkeypatch):
    data = xlsx(["name"], ["Dinkes"])
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    monkeypatch.setattr(reading, "MAX_ZIP_MEMBERS", len(members))
    monkeypatch.setattr(reading, "MAX_UNCOMPRESSED_BYTES", sum(m.file_size for m in members))
    assert read_sheet(data, "opd.xlsx").rows == [(2, {"name": "Dinkes"})]
    assert refused(rezipped(data, add={"xl/media/": b""})) == (
        "The workbook has too many parts to be a normal spreadsheet.")
    monkeypatch.setattr(reading, "MAX_ZIP_MEMBERS", len(members) + 1)
    assert refused(rezipped(data, add={"docProps/custom.xml": b"<x/>"})) == (
        "The workbook expands to more than 200 MB; it is refused.")


def test_a_package_without_content_types_is_not_a_workbook():
    assert refused(rezipped(xlsx(["name"]), drop={"[Content_Types].xml"})) == NOT_VALID


def test_a_folder_entry_is_skipped_and_the_parts_after_it_are_still_scanned():
    data = xlsx(["name"], ["Dinkes"])
    assert read_sheet(rezipped(data, add={"xl/media/": b""}), "opd.xlsx").rows == [
        (2, {"name": "Dinkes"})]
    bad = rezipped(data, add={"xl/media/": b"", "xl/media/note.bin": b"<!DOCTYPE x>"})
    assert refused(bad) == DTD_REFUSED


def test_a_nul_byte_is_refused_in_an_xml_part_only():
    data = xlsx(["name"], ["Dinkes"])
    assert read_sheet(rezipped(data, add={"xl/media/image1.png": b"\x89PNG\x00\x00"}),
                      "opd.xlsx").rows == [(2, {"name": "Dinkes"})]
    assert refused(rezipped(data, add={"xl/custom.xml": b"<a>\x00</a>"})) == NOT_VALID
    assert refused(rezipped(data, add={"xl/_rels/x.rels": b"<a>\x00</a>"})) == NOT_VALID


def test_cells_and_shared_strings_are_counted_exactly(monkeypatch):
    # ten cells in every spelling a writer uses; <col>, <cols> and </c> are not cells
    cells = ('<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c/><c>'
             '</c><c\t/><c\n/><c\r/></row><cols><col min="1"/></cols>'
             '<x:c r="B1"/><x:c\tr="C1"/><x:c/><x:c>')
    monkeypatch.setattr(reading, "MAX_CELLS", 10)
    assert reading._count_tags(cells.encode(), b"c") == 10
    strings = b'<sst><si><t>a</t></si><si/><x:si>b</x:si><sig/></sst>'
    assert reading._count_tags(strings, b"si") == 4  # "</x:si>" counts too: never fewer
    data = with_sheet_data('<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
                           + '<row r="2">' + "<c/>" * 9 + "</row>")
    assert read_sheet(data, "opd.xlsx").header == ["name"]
    more = rezipped(data, replace={SHEET: zipfile.ZipFile(io.BytesIO(data)).read(SHEET).replace(
        b"<c/>", b"<c/><c/>", 1)})
    assert refused(more) == "The workbook has more than 10 cells; split it into smaller files."


def test_cells_are_counted_over_all_parts_together(monkeypatch):
    # six cells in the first sheet and six in the second: each part is under 10, the workbook
    # is not
    data = xlsx(["a", "b", "c"], ["1", "2", "3"], more_sheets={"Two": [["a", "b", "c"],
                                                                        ["1", "2", "3"]]})
    monkeypatch.setattr(reading, "MAX_CELLS", 12)
    assert read_sheet(data, "opd.xlsx").header == ["a", "b", "c"]
    strings = "<sst>" + "<si><t>s</t></si>" * 6 + "</sst>"
    shared = rezipped(xlsx(["a"]), add={"xl/sharedStrings.xml": strings,
                                        "xl/extra/sharedStrings2.xml": strings})
    assert read_sheet(shared, "opd.xlsx").header == ["a"]  # twelve strings
    monkeypatch.setattr(reading, "MAX_CELLS", 11)
    assert refused(data) == "The workbook has more than 11 cells; split it into smaller files."
    assert refused(shared) == "The workbook has more than 11 cells; split it into smaller files."
    monkeypatch.setattr(reading, "MAX_CELLS", 5)  # now one part alone is over
    one_part = rezipped(xlsx(["a"]), add={"xl/sharedStrings.xml": strings})
    assert refused(one_part) == "The workbook has more than 5 cells; split it into smaller files."
    monkeypatch.setattr(reading, "MAX_CELLS", 6)
    assert read_sheet(one_part, "opd.xlsx").header == ["a"]


def test_the_scan_finds_every_marker_and_cell_across_chunk_borders(monkeypatch):
    monkeypatch.setattr(reading, "SCAN_CHUNK", 16)
    monkeypatch.setattr(reading, "MAX_CELLS", 40)
    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row><row r="2">'
    data = with_sheet_data(body + "<c/>" * 39 + "</row>")
    assert read_sheet(data, "opd.xlsx").header == ["name"]  # 40 cells: none counted twice
    assert refused(with_sheet_data(body + "<c/>" * 40 + "</row>")) == (
        "The workbook has more than 40 cells; split it into smaller files.")
    # the marker starts at every offset of a chunk; in UTF-16 it is longer than a chunk
    for marker in (b"<!ENTITY x>", "<!DOCTYPE x>".encode("utf-16-le")):
        for filler in range(16):
            bad = rezipped(xlsx(["name"]), add={"xl/media/a.bin": b"x" * filler + marker})
            assert refused(bad) == DTD_REFUSED, (marker, filler)


def test_a_part_that_runs_on_without_a_tag_end_is_refused(monkeypatch):
    monkeypatch.setattr(reading, "SCAN_CHUNK", 16)
    monkeypatch.setattr(reading, "MAX_TAG_GAP", 300)  # openpyxl's longest tag is 241 bytes
    text = '<row r="1"><c r="A1" t="inlineStr"><is><t>{}</t></is></c></row>'
    assert read_sheet(with_sheet_data(text.format("n" * 280)), "opd.xlsx").header == ["n" * 280]
    assert refused(with_sheet_data(text.format("n" * 320))) == NOT_VALID
    # a part that is not XML may run on: it is cut anywhere, keeping 32 bytes
    assert read_sheet(rezipped(xlsx(["name"]), add={"xl/media/a.bin": b"x" * 500}),
                      "opd.xlsx").header == ["name"]


def test_the_tag_gap_limit_at_the_limit_and_past_it(monkeypatch):
    # read 100 bytes at a time, a part may run 300 bytes without a ">", not 400
    monkeypatch.setattr(reading, "SCAN_CHUNK", 100)
    monkeypatch.setattr(reading, "MAX_TAG_GAP", 300)
    data = xlsx(["name"])
    assert read_sheet(rezipped(data, add={"xl/custom.xml": b"y" * 300 + b">"}),
                      "opd.xlsx").header == ["name"]
    assert refused(rezipped(data, add={"xl/custom.xml": b"y" * 400 + b">"})) == NOT_VALID


def test_the_scan_stops_at_the_first_chunk_over_the_cell_limit(monkeypatch):
    """It never reads the rest of the part: here the rest is damaged (a wrong CRC, which
    zipfile only notices at the part's end), and the answer is still the cell count."""
    monkeypatch.setattr(reading, "SCAN_CHUNK", 16)
    monkeypatch.setattr(reading, "MAX_CELLS", 5)
    # zipfile reads 4096 bytes at a time: the damage sits past the first read
    part = b"<c/>" * 20 + b"<end>" + b"x" * 5000 + b"ABCDEFGHIJKLMNOP</end>"
    data = rezipped(xlsx(["a"]), add={"xl/custom.xml": part}, stored=True)
    damaged = data.replace(b"ABCDEFGHIJKLMNOP", b"ABCDEFGHIJKLMNOQ")
    assert refused(damaged) == "The workbook has more than 5 cells; split it into smaller files."
    monkeypatch.setattr(reading, "MAX_CELLS", 20)  # under the limit, the damage is found
    assert refused(damaged) == NOT_VALID
