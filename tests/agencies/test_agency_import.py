"""Importing a government's agencies from .csv or .xlsx: all or nothing, row-numbered errors,
re-importing changes nothing; the upload page, the template workbook and the command.

Messages are read in English (the language cookie, translation.override) so that the
assertions do not depend on the state of the Indonesian catalogue."""
import csv
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from agencies.imports import COLUMNS, agencies_import
from agencies.models import Agency, AgencyKind, Government, Level, Province
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import read_sheet
from audit.models import AuditEntry
from tests.workbooks import table

HEADER = ["province", "government", "name", "short_name", "kind"]
SULTRA = "Sulawesi Tenggara"
MUBAR = "Kabupaten Muna Barat"
GOOD = [
    [SULTRA, MUBAR, "Dinas Kesehatan", "Dinkes", "kesehatan"],
    [SULTRA, MUBAR, "Puskesmas Tiworo Kepulauan", "", "Puskesmas"],
    [SULTRA, "Kota Kendari", "Badan Pendapatan Daerah", "Bapenda", ""],
]


def csv_bytes(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(rows, header=HEADER, filename="opd.csv", by=None):
    data = (xlsx_bytes if filename.endswith(".xlsx") else csv_bytes)(rows, header)
    with translation.override("en"):
        return agencies_import(sheet=read_sheet(data, filename), by=by)


def rejected(rows, header=HEADER, filename="opd.csv"):
    with pytest.raises(ImportRejected) as caught:
        run_import(rows, header, filename)
    return caught.value.errors


def snapshot():
    return sorted(Agency.objects.values_list("government__name", "name", "short_name", "kind"))


def last_entry():
    return AuditEntry.objects.order_by("id").values_list("id", flat=True).last() or 0


def agency_trail(after):
    """The audit trail's entries for agencies since entry ``after``: (actor, action, row)."""
    return [(e.actor, e.action, e.row_id) for e in AuditEntry.objects.filter(
        table_name="agencies_agency", id__gt=after).order_by("id")]


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def sulsel(db):
    """A second province, for a government named in the wrong one."""
    province = Province.objects.create(name="Sulawesi Selatan")
    return Government.objects.create(province=province, level=Level.KOTA, name="Kota Makassar")


# --- the service ------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["opd.csv", "opd.xlsx"])
def test_happy_path_creates_every_agency(sultra, filename):
    assert run_import(GOOD, filename=filename) == {"created": 3, "updated": 0, "unchanged": 0}
    dinkes = Agency.objects.get(government=sultra, name="Dinas Kesehatan")
    assert (dinkes.short_name, dinkes.kind) == ("Dinkes", AgencyKind.KESEHATAN)
    puskesmas = Agency.objects.get(name="Puskesmas Tiworo Kepulauan")
    assert (puskesmas.government, puskesmas.kind) == (sultra, AgencyKind.PUSKESMAS)
    bapenda = Agency.objects.get(name="Badan Pendapatan Daerah")
    assert (bapenda.government.name, bapenda.kind) == ("Kota Kendari", AgencyKind.OTHER)


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(sultra):
    run_import(GOOD)
    before = snapshot()
    assert run_import(GOOD, filename="opd.xlsx") == {"created": 0, "updated": 0, "unchanged": 3}
    assert snapshot() == before


@pytest.mark.django_db
def test_existing_agency_is_updated_not_duplicated(live_round):
    existing = live_round["agencies"]["a"]  # "DPMPTSP Muna Barat", short name "DPMPTSP"
    rows = [[SULTRA.upper(), MUBAR.lower(), "dpmptsp muna barat", "PTSP Mubar", "dpmptsp"],
            [SULTRA, MUBAR, "Disdukcapil Muna Barat", "", ""]]
    assert run_import(rows) == {"created": 0, "updated": 1, "unchanged": 1}
    existing.refresh_from_db()
    assert (existing.name, existing.short_name) == ("DPMPTSP Muna Barat", "PTSP Mubar")
    assert Agency.objects.filter(government=live_round["government"]).count() == 2
    # Empty optional cells keep what is recorded (never erase).
    disdukcapil = live_round["agencies"]["b"]
    disdukcapil.refresh_from_db()
    assert (disdukcapil.short_name, disdukcapil.kind) == ("Disdukcapil", AgencyKind.DISDUKCAPIL)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Dinas Kesehatan", "HEALTH OFFICE", "kesehatan", " Kesehatan "])
def test_kind_accepts_values_and_labels_in_both_languages(sultra, text):
    run_import([[SULTRA, MUBAR, "Dinkes Mubar", "", text]])
    assert Agency.objects.get(name="Dinkes Mubar").kind == AgencyKind.KESEHATAN


@pytest.mark.django_db
def test_line_breaks_and_spaces_in_a_cell_become_one_space(sultra):
    run_import([[SULTRA, MUBAR, "Dinas\nPendidikan  dan\tKebudayaan", "", "pendidikan"]],
               filename="opd.xlsx")
    assert Agency.objects.filter(name="Dinas Pendidikan dan Kebudayaan").exists()


BAD_ROWS = {
    "unknown province": ([SULTRA + " Raya", MUBAR, "Dinas Sosial", "", ""], "province",
                         "unknown province"),
    "unknown government": ([SULTRA, "Kabupaten Muna Timur", "Dinas Sosial", "", ""],
                           "government", "no government “Kabupaten Muna Timur” in Sulawesi "
                           "Tenggara; closest: Kabupaten Muna, Kabupaten Kolaka Timur, "
                           "Kabupaten Muna Barat"),
    "misspelt government": ([SULTRA, "Kabupaten Muna Barrat", "Dinas Sosial", "", ""],
                            "government", "closest: Kabupaten Muna Barat, "),
    "government with the wrong level": ([SULTRA, "Kota Muna Barat", "Dinas Sosial", "", ""],
                                        "government", "closest: Kabupaten Muna Barat"),
    "government by short name": ([SULTRA, "Mubar", "Dinas Sosial", "", ""], "government",
                                 "closest: Kabupaten Muna Barat"),
    "unknown government code": ([SULTRA, MUBAR, "Dinas Sosial", "", "", "74.99"],
                                "government_code", "unknown code “74.99”"),
    "code of another government": ([SULTRA, MUBAR, "Dinas Sosial", "", "", "74.03"],
                                   "government_code", "code 74.03 is Kabupaten Muna, but"),
    "government in another province": (["Sulawesi Selatan", "Kota Kendari", "Dinas Sosial", "",
                                        ""], "government", "is in Sulawesi Tenggara"),
    "unknown kind": ([SULTRA, MUBAR, "Dinas Sosial", "", "dinas"], "kind", "unknown kind"),
    "empty name": ([SULTRA, MUBAR, "", "Dinsos", "sosial"], "name", "is empty"),
    "empty government": ([SULTRA, "", "Dinas Sosial", "", ""], "government", "is empty"),
    "duplicate row": ([SULTRA, MUBAR.upper(), "dinas kesehatan", "", ""], "name",
                      "duplicate of row 2"),
    "too-long name": ([SULTRA, MUBAR, "D" * 201, "", ""], "name", "at most 200"),
    "too-long short name": ([SULTRA, MUBAR, "Dinas Sosial", "S" * 61, ""], "short_name",
                            "at most 60"),
    "control character": ([SULTRA, MUBAR, "Dinas\x07Sosial", "", ""], "name", "U+0007"),
    "zero-width space": ([SULTRA, MUBAR, "Dinas\u200bSosial", "", ""], "name", "U+200B"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("filename", ["opd.csv", "opd.xlsx"])
@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_one_bad_row_rejects_the_whole_file(sultra, sulsel, case, filename):
    if case == "control character" and filename.endswith(".xlsx"):
        pytest.skip("openpyxl cannot write a control character into a cell")
    bad, column, fragment = BAD_ROWS[case]
    before = snapshot()
    if len(bad) > len(HEADER):  # a case with the optional government_code column
        header = HEADER + ["government_code"]
        errors = rejected([GOOD[0] + [""], bad, GOOD[2] + [""]], header, filename=filename)
    else:
        errors = rejected([GOOD[0], bad, GOOD[2]], filename=filename)
    assert [(error.row, error.column) for error in errors] == [(3, column)]
    assert fragment in errors[0].message
    assert snapshot() == before  # the good rows around it were not imported either


@pytest.mark.django_db
def test_every_problem_is_listed_with_row_and_column(sultra):
    rows = [GOOD[0], [SULTRA, "Kabupaten Atlantis", "", "", "bogus"], GOOD[0]]
    errors = rejected(rows)
    assert [(e.row, e.column) for e in errors] == [  # in file order
        (3, "government"), (3, "name"), (3, "kind"), (4, "name")]
    with translation.override("en"):
        assert str(errors[-1]) == "row 4, column name: duplicate of row 2 (same government " \
                                  "and name)"
    assert not Agency.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("header", "expected"), [
    (["province", "name", "kind"], [(1, "government", "required column is missing")]),
    (HEADER + ["shortname"], [(1, "shortname", "unknown column")]),
    (HEADER + ["name"], [(1, "name", "more than once")]),
])
def test_bad_header_rejects_the_file(sultra, header, expected):
    errors = rejected([GOOD[0][:len(header)]], header=header)
    assert [(e.row, e.column) for e in errors] == [(row, column) for row, column, _ in expected]
    assert all(fragment in error.message for error, (*_, fragment) in zip(errors, expected))


@pytest.mark.django_db
def test_a_file_without_data_rows_is_rejected(sultra):
    assert [(e.row, e.column) for e in rejected([])] == [(2, "name")]


@pytest.mark.django_db
def test_audit_trail_records_each_created_and_changed_agency_with_its_user(sultra, personas):
    admin, start = personas["admin"], last_entry()
    run_import(GOOD[:1], by=admin)
    agency = Agency.objects.get(name="Dinas Kesehatan")
    run_import([[SULTRA, MUBAR, "Dinas Kesehatan", "Dinkes Mubar", ""]], by=admin)
    run_import([[SULTRA, MUBAR, "Dinas Kesehatan", "Dinkes Mubar", ""]], by=admin)  # unchanged
    actor = f"user:{admin.pk}:admin (system)"  # a service called outside a request
    assert agency_trail(start) == [(actor, "insert", str(agency.pk)),
                                   (actor, "update", str(agency.pk))]
    changed = AuditEntry.objects.filter(table_name="agencies_agency").order_by("id").last()
    assert [change for change in changed.changes()] == [("short_name", "Dinkes", "Dinkes Mubar")]
    assert changed.actor_id == admin.pk


@pytest.mark.django_db
def test_import_costs_the_same_queries_for_few_and_many_rows(sultra, personas):
    def queries(names):
        rows = [[SULTRA, MUBAR, name, "", "other"] for name in names]
        data = csv_bytes(rows)
        with CaptureQueriesContext(connection) as captured:
            agencies_import(sheet=read_sheet(data, "opd.csv"), by=personas["admin"])
        return len(captured)

    assert queries(["A"]) == queries([f"Unit {n}" for n in range(60)])


# --- the pages --------------------------------------------------------------------------------

def upload(client, data, filename):
    return client.post(reverse("agency-import"), {"file": SimpleUploadedFile(filename, data)})


@pytest.mark.django_db
def test_page_imports_and_shows_counts(english, personas):
    english.force_login(personas["admin"])
    start = last_entry()
    page = english.get(reverse("agency-import"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="file"' in html and 'accept=".xlsx,.csv"' in html
    assert re.search(r'<label[^>]*for="id_file"', html)
    response = upload(english, xlsx_bytes(GOOD), "opd.xlsx")
    assert response.status_code == 302 and response["Location"] == reverse("agency-import")
    admin = personas["admin"]
    assert sorted(agency_trail(start)) == sorted(
        (f"user:{admin.pk}:admin", "insert", str(pk)) for pk in Agency.objects.filter(
            name__in=[row[2] for row in GOOD]).values_list("pk", flat=True))
    assert len(agency_trail(start)) == 3
    shown = text_of(english.get(response["Location"]))
    assert "3 created, 0 updated, 0 unchanged" in shown
    response = upload(english, csv_bytes(GOOD), "opd.csv")
    assert "0 created, 0 updated, 3 unchanged" in text_of(english.get(response["Location"]))
    assert len(agency_trail(start)) == 3  # nothing changed, nothing recorded


@pytest.mark.django_db
def test_page_lists_row_errors_and_keeps_nothing(english, personas, sulsel):
    english.force_login(personas["admin"])
    before = snapshot()
    bad = [GOOD[0], ["Sulawesi Selatan", "Kota Kendari", "Dinas Sosial", "", "dinas"]]
    response = upload(english, csv_bytes(bad), "opd.csv")
    assert response.status_code == 400
    shown = text_of(response)
    assert "Nothing was imported: the file has 2 problem(s)." in shown
    assert "3 government “Kota Kendari” is in Sulawesi Tenggara, not in Sulawesi Selatan" in shown
    assert "3 kind unknown kind “dinas”" in shown
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"%PDF-1.4 not a spreadsheet", "opd.pdf", "Only .xlsx and .csv files can be imported."),
    (b"province,government,name\n", "opd.xlsx", "The file is not a valid .xlsx workbook."),
    (b"PK\x03\x04 a zip header and nothing else", "opd.xlsx",
     "The file is not a valid .xlsx workbook."),
    (b"\xff\xfe\x00p\x00r\x00o", "opd.csv", "The CSV file is not UTF-8 text."),
])
def test_page_refuses_what_is_not_a_spreadsheet(english, personas, data, filename, message):
    english.force_login(personas["admin"])
    before = snapshot()
    response = upload(english, data, filename)
    assert response.status_code == 400
    assert message in text_of(response)
    assert snapshot() == before


@pytest.mark.django_db
def test_page_without_a_file_says_so(english, personas):
    english.force_login(personas["admin"])
    response = english.post(reverse("agency-import"), {})
    assert response.status_code == 400
    assert "This field is required." in text_of(response)


@pytest.mark.django_db
def test_page_refuses_an_upload_over_the_limit(english, personas, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    english.force_login(personas["admin"])
    response = upload(english, csv_bytes(GOOD * 40), "opd.csv")
    assert response.status_code == 400
    assert "The file is larger than 1.0 KB." in text_of(response)
    assert "This field is required." not in text_of(response)


@pytest.mark.django_db
def test_template_downloads_reads_back_and_imports_after_filling(english, personas):
    english.force_login(personas["admin"])
    response = english.get(reverse("agency-import-template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    first, kinds, governments = workbook.worksheets
    rows = [list(row) for row in first.iter_rows(values_only=True)]
    assert rows[0] == list(COLUMNS)
    assert rows[1] == [SULTRA, MUBAR, "Dinas Kesehatan", "Dinkes", "kesehatan", "74.13"]
    assert len(rows) == 3
    assert [row[0] for row in table(kinds)[1:]] == [choice.value for choice in AgencyKind]
    assert (SULTRA, "Kota Kendari") in {row[:2] for row in governments.iter_rows(values_only=True)}
    # Filled in: one more row, then imported as it is.
    first.append([SULTRA, "Kota Kendari", "Dinas Sosial Kota Kendari", "Dinsos", "sosial"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(english, buffer.getvalue(), "agency-import-template.xlsx")
    assert response.status_code == 302, text_of(response)
    assert "3 created" in text_of(english.get(response["Location"]))
    assert Agency.objects.get(name="Dinas Sosial Kota Kendari").kind == AgencyKind.SOSIAL


PERSONAS = ["operator", "operator_b", "coordinator", "assessor", "leader", "outsider", "admin",
            "anonymous"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "name"), [("get", "agency-import"),
                                              ("post", "agency-import"),
                                              ("get", "agency-import-template")])
def test_only_administrators_may_import(client, personas, persona, method, name):
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    before = snapshot()
    data = {"file": SimpleUploadedFile("opd.csv", csv_bytes(GOOD))} if method == "post" else {}
    response = getattr(client, method)(reverse(name), data)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona == "admin":
        assert response.status_code == (302 if method == "post" else 200)
    else:
        assert response.status_code == 403
    if persona != "admin":
        assert snapshot() == before


# --- the command ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_command_imports_and_prints_counts(sultra, tmp_path, capsys):
    path = tmp_path / "opd.xlsx"
    path.write_bytes(xlsx_bytes(GOOD))
    with translation.override("en"):
        call_command("import_agencies", str(path))
        call_command("import_agencies", str(path))
    out = capsys.readouterr().out
    assert "opd.xlsx: 3 created, 0 updated, 0 unchanged." in out
    assert "opd.xlsx: 0 created, 0 updated, 3 unchanged." in out


@pytest.mark.django_db
def test_command_lists_errors_and_imports_nothing(sultra, tmp_path):
    path = tmp_path / "opd.csv"
    path.write_bytes(csv_bytes([GOOD[0], [SULTRA, MUBAR, "", "", "bogus"]]))
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_agencies", str(path))
    message = str(caught.value)
    assert "Nothing imported; 2 problem(s)" in message
    assert "row 3, column name: is empty" in message
    assert "row 3, column kind: unknown kind" in message
    assert not Agency.objects.exists()


@pytest.mark.django_db
def test_command_refuses_a_missing_file_a_fake_workbook_and_an_unknown_user(sultra, tmp_path):
    fake = tmp_path / "opd.xlsx"
    fake.write_bytes(b"province,government,name\n")
    good = tmp_path / "opd.csv"
    good.write_bytes(csv_bytes(GOOD))
    with translation.override("en"):
        with pytest.raises(CommandError, match="no such file"):
            call_command("import_agencies", str(tmp_path / "missing.csv"))
        with pytest.raises(CommandError, match="not a valid .xlsx"):
            call_command("import_agencies", str(fake))
        with pytest.raises(CommandError, match="unknown user"):
            call_command("import_agencies", str(good), user="nobody")
    assert not Agency.objects.exists()


@pytest.mark.django_db
def test_command_signs_the_audit_records_with_user(sultra, personas, tmp_path):
    path = tmp_path / "opd.csv"
    path.write_bytes(csv_bytes(GOOD))
    start = last_entry()
    call_command("import_agencies", str(path), user="admin")
    admin = personas["admin"]
    assert [(actor, action) for actor, action, _row in agency_trail(start)] == [
        (f"user:{admin.pk}:admin (system)", "insert")] * 3
    assert set(AuditEntry.objects.filter(table_name="agencies_agency", id__gt=start)
               .values_list("actor_id", flat=True)) == {admin.pk}
