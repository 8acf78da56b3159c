"""Every export opened in a real client: LibreOffice Calc converts the workbooks to PDF as a
clerk prints them, and reads them back as it would open them.

On paper: page 1 carries the title and every column header of the first table, each printed
page carries its sheet's header row and "page X of Y", no number prints as ###, and the page
count is what a reader expects (the 18-row province ranking of 2021 on one page; before
issue 17 it took four and cut "Peringkat" to "Peringka"). On screen: LibreOffice reads back
every number as a number, no text cell holds a figure, and no zone is told by colour alone.

Needs Debian's ``libreoffice-calc-nogui`` and ``poppler-utils`` (``make test`` and ``.ci/run``
install them). One soffice run converts every file (its start-up costs seconds), with its own
profile directory so that parallel runs do not collide.
"""
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from agencies.models import Province
from assessments.models import Answer, Assessment
from assessments.services.rounds import round_transition
from tests.workbooks import header_row

from .assessments.helpers import finalise_everything

pytestmark = pytest.mark.libreoffice

INSTALL = ("apt-get install -y --no-install-recommends libreoffice-calc-nogui poppler-utils")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NUMBER_TEXT = re.compile(r"^\s*[+-]?\d+(?:[.,]\d+)?\s*$")

# Pages per sheet a reader expects, told apart by the page header that names the sheet. A short
# table prints on one page. A long one on no more pages than a page of at least 20 rows needs,
# and no fewer than pages of 45 single-line rows would (fewer means rows went missing or print
# too small to read).
EXPECTED = {
    # Sulawesi Tenggara's 18 governments in 2021: one page (four before issue 17).
    "ranking-province-2021": {"Peringkat": 1},
    # The regencies of 2022's public record (Sulawesi Tenggara's): one page.
    "ranking-national-2022": {"Peringkat": 1},
    # Muna Barat's published round; its 9 units x 48 indicators are 432 answers.
    "round-government": {"Ringkasan": 1, "Peringkat": 1, "Unit layanan x komponen": 1,
                         "Temuan dan rencana aksi": 1, "Jawaban": (10, 21)},
    # The province: Muna Barat's 9 units and Kendari's 2, 528 answers.
    "round-province": {"Ringkasan": 1, "Peringkat": 1, "Unit layanan x komponen": 1,
                       "Temuan dan rencana aksi": 1, "Jawaban": (12, 26)},
    # One unit: its summary, 14 components, and 48 indicators (texts wrap on two lines).
    "rapor": {"Ringkasan": 1, "Komponen": 1, "Temuan": (2, 3)},
    # The round's 2 governments and 11 units.
    "national": {"Pemerintah daerah": 1, "Unit layanan": 1},
    "agency-import-template": {"OPD": 1, "Jenis": 1, "Pemerintah daerah": 1},
}


def require_tools():
    missing = [name for name in ("soffice", "pdftotext", "pdfinfo")
               if not (SOFFICE if name == "soffice" else shutil.which(name))]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: install them with `{INSTALL}` (as root), "
                    "or deselect this test with -m 'not libreoffice'.", pytrace=False)


def convert(files, target: Path, fmt: str, profile: Path):
    target.mkdir()
    result = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(target), *map(str, files)],
        capture_output=True, text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stderr


def pages_of(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    return [" ".join(page.split()) for page in pages[:-1]]  # text ends with a form feed


@pytest.fixture
def workbooks(client, verifying, tmp_path):
    """Every export of a published round, downloaded the way its users get it."""
    round_ = verifying["round"]
    finalise_everything(verifying)
    answer = Answer.objects.filter(assessment=verifying["dpmptsp"]).first()
    Answer.objects.filter(id=answer.id).update(finding="SK belum ditandatangani")
    round_transition(round_=round_, to_state="published", by=verifying["admin"])
    mubar, sultra = verifying["mubar"], Province.objects.get(name="Sulawesi Tenggara")
    from assessments.models import Round

    files = {}

    def download(name, url, user=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        files[name] = tmp_path / f"{name}.xlsx"
        files[name].write_bytes(response.content)

    download("ranking-province-2021",
             reverse("ranking-province-xlsx", args=[Round.objects.get(year=2021).id, sultra.id])
             + "?group=all")
    download("round-government", reverse("government-report-xlsx", args=[round_.id, mubar.id]),
             verifying["admin"])
    download("round-province", reverse("province-report-xlsx", args=[round_.id, sultra.id]),
             verifying["admin"])
    unit = Assessment.objects.get(id=verifying["dpmptsp"].id)
    download("rapor", reverse("rapor-xlsx", args=[unit.id]), verifying["admin"])
    download("agency-import-template", reverse("agency-import-template"), verifying["admin"])
    files["ranking-national-2022"] = tmp_path / "ranking-national-2022.xlsx"
    call_command("export_ranking", "--year", "2022", "--group", "kabupaten", "-o",
                 str(files["ranking-national-2022"]), stdout=io.StringIO())
    files["national"] = tmp_path / "national.xlsx"
    call_command("export_national", "--round", str(round_.id), "-o", str(files["national"]),
                 stdout=io.StringIO())
    return files


def check_pages(name, pages, workbook) -> list[str]:
    problems = []
    sheets = {sheet.title: sheet for sheet in workbook.worksheets}
    first = workbook.worksheets[0]
    headers = {title: [" ".join(str(c.value).split()) for c in sheet[header_row(sheet)]
                       if c.value is not None]
               for title, sheet in sheets.items()}
    title = " ".join(str(first["A1"].value if header_row(first) > 1 else
                         workbook.properties.title).split())
    if title not in pages[0]:
        problems.append(f"{name}: the title {title!r} is not on page 1")
    counted = {}
    for number, page in enumerate(pages, start=1):
        sheet = next((t for t in sorted(sheets, key=len, reverse=True) if f"· {t}" in page),
                     None)
        if sheet is None:
            problems.append(f"{name} page {number}: no sheet name in the page header")
            continue
        counted[sheet] = counted.get(sheet, 0) + 1
        missing = [header for header in headers[sheet] if header not in page]
        if missing:
            problems.append(f"{name} page {number} ({sheet}): headers missing {missing}")
        if f"Halaman {number} dari {len(pages)}" not in page:
            problems.append(f"{name} page {number}: no 'Halaman {number} dari {len(pages)}'")
        if "###" in page:
            problems.append(f"{name} page {number}: a number too wide for its column (###)")
    for sheet, expected in EXPECTED[name].items():
        low, high = (expected, expected) if isinstance(expected, int) else expected
        if not low <= counted.get(sheet, 0) <= high:
            problems.append(f"{name}: {sheet} prints on {counted.get(sheet, 0)} pages, "
                            f"expected {expected}")
    if set(counted) != set(EXPECTED[name]):
        problems.append(f"{name}: sheets printed {sorted(counted)}")
    return problems


def is_code_column(sheet, header_row_number, column) -> bool:
    """Official region codes ("74.10") are identifiers: text, so the trailing zero stays."""
    header = sheet.cell(row=header_row_number, column=column).value
    return isinstance(header, str) and "code" in header.lower()


def check_numbers(name, ours, theirs) -> list[str]:
    """Every number we wrote is a number with the same value in LibreOffice, and no text cell
    below a table's header holds a figure."""
    problems = []
    for mine, read in zip(ours.worksheets, theirs.worksheets):
        first_data_row = header_row(mine) + 1
        for row in mine.iter_rows():
            for item in row:
                other = read[item.coordinate].value
                if isinstance(item.value, (int, float)) and not isinstance(item.value, bool):
                    if not isinstance(other, (int, float)) or abs(other - item.value) > 0.005:
                        problems.append(f"{name} {mine.title}!{item.coordinate}: "
                                        f"{item.value!r} read back as {other!r}")
                elif (item.row >= first_data_row and isinstance(other, str)
                      and NUMBER_TEXT.match(other)
                      and not is_code_column(mine, first_data_row - 1, item.column)):
                    problems.append(f"{name} {mine.title}!{item.coordinate}: a figure as "
                                    f"text {other!r}")
    return problems


ZONE_COLOURS = {"F8696B": "Merah", "FFEB84": "Kuning", "63BE7B": "Hijau"}


def check_zone_names(name, workbook) -> list[str]:
    """A cell on a zone's colour says the zone's name: as its text, or after its number in the
    number format (so that the score stays a number)."""
    problems = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for item in row:
                colour = (item.fill.fgColor.rgb or "")[-6:] if item.fill.fill_type else ""
                zone = ZONE_COLOURS.get(colour)
                if zone and zone != item.value and f'" {zone}"' not in item.number_format:
                    problems.append(f"{name} {sheet.title}!{item.coordinate}: {zone} by colour "
                                    f"alone ({item.value!r}, {item.number_format!r})")
    return problems


@pytest.mark.django_db
def test_every_export_prints_and_reads_back_in_libreoffice(workbooks, tmp_path):
    require_tools()
    profile = tmp_path / "lo-profile"
    sources = list(workbooks.values())
    convert(sources, tmp_path / "pdf", "pdf", profile)
    convert(sources, tmp_path / "xlsx", "xlsx:Calc MS Excel 2007 XML", profile)
    problems = []
    for name, path in workbooks.items():
        ours = load_workbook(path)
        pages = pages_of(tmp_path / "pdf" / f"{path.stem}.pdf")
        problems += check_pages(name, pages, ours)
        problems += check_zone_names(name, ours)
        problems += check_numbers(name, ours, load_workbook(tmp_path / "xlsx" / path.name))
    assert not problems, "\n".join(problems)

    # The header the 2021 ranking cut on paper before issue 17, and its whole first page.
    ranking = pages_of(tmp_path / "pdf" / "ranking-province-2021.pdf")
    assert len(ranking) == 1
    assert "Peringkat Pemerintah daerah Tingkat Provinsi Nilai" in ranking[0]
    assert "16 Kabupaten Muna Barat Kabupaten Sulawesi Tenggara 34.19" in ranking[0]
    assert "Peringkat kepatuhan 2021: Sulawesi Tenggara" in ranking[0]
