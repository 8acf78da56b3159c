"""Self-score against verified score (per indicator, component, unit and government), the
unit's rapor as a page and as a workbook, and who may read them before and after publication
(in self-assessment, and the query counts: tests/assessments/test_reports_live.py).

The round is built with the services: Muna Barat's two sampled units answer everything, the
assessor verifies everything with a few findings, both units are finalised; the tests that
need it then publish the round. It is built once for the module (``shared_verified_round``,
tests/conftest.py; ~2.4 s of CPU per test before) and each test runs in a savepoint of it, so
a publication or a changed survey score is rolled back before the next test.
"""
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Assessment, GovernmentResult
from assessments.selectors.comparison import government_comparison, rapor
from assessments.services.rounds import round_transition
from tests.checklists import checklist

from tests.shared_round import (  # noqa: F401 (the fixtures verified_round and personas)
    shared_module_verified_round, shared_verified_personas)

from .helpers import (BEFORE_PUBLICATION, INJECTION, NOTE, RAMP, check_report_access,
                      comparison_url, figures, publish)

CENT = Decimal("0.01")


def q(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# --- the round ---------------------------------------------------------------------------------


def expected_unit_scores():
    """The stored verified scores worked out by hand from the 2022 methodology: Input 21.85
    (g, h, k), Process 32.37 (a–f, i, l–n), complaints 21.54 (j); no survey score yet, so the
    unit is the weighted mean of those three dimensions."""
    weights = Decimal("21.85") + Decimal("32.37") + Decimal("21.54")
    two_thirds, one_third = Decimal(200) / 3, Decimal(100) / 3
    a_input = (Decimal(100) + two_thirds + two_thirds) / 3
    a = (a_input * Decimal("21.85") + two_thirds * Decimal("32.37")) / weights
    b = (one_third * (Decimal("21.85") + Decimal("32.37")) + 100 * Decimal("21.54")) / weights
    return q(a), q(b)


# --- figures -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_gap_is_verified_minus_self_at_every_level(verified_round):
    a, b = verified_round["assessments"]["a"], verified_round["assessments"]["b"]
    verified_a, verified_b = expected_unit_scores()
    assert (a.self_score, b.self_score) == (Decimal("100.00"), Decimal("33.33"))
    assert (a.verified_score, b.verified_score) == (verified_a, verified_b)

    result = government_comparison(government=verified_round["government"],
                                   round_=verified_round["round"])
    units = {unit.assessment.id: unit for unit in result.units}
    assert [unit.assessment.sampled for unit in result.units] == [True, True]
    assert units[a.id].scores.gap == q(verified_a - Decimal("100.00"))
    assert units[b.id].scores.gap == q(verified_b - Decimal("33.33"))
    assert units[a.id].scores.over_claimed and not units[b.id].scores.over_claimed
    assert [u.assessment.id for u in result.over_claiming_units] == [a.id]
    # the bands of each side, from the methodology
    # the bands of each side, as the 2022 methodology publishes them: 100.00 is A (green);
    # 50.92 is D (32.00–53.99, red)
    assert verified_a == Decimal("50.92")
    assert (units[a.id].scores.self_band.category, units[a.id].scores.self_band.zone) == (
        "A", "green")
    assert (units[a.id].scores.verified_band.category,
            units[a.id].scores.verified_band.zone) == ("D", "red")

    # government: mean of the sampled units' rounded scores, rounded half-up, on both sides
    self_government = q((Decimal("100.00") + Decimal("33.33")) / 2)
    verified_government = q((verified_a + verified_b) / 2)
    assert self_government == Decimal("66.67")  # 66.665 rounds up
    assert result.scores.self_score == self_government
    assert result.scores.verified_score == verified_government
    assert result.scores.gap == verified_government - self_government
    assert result.sampled_count == 2

    # components: mean over the two sampled units of the stored (rounded) component scores
    components = {row.component.code: row.scores for row in result.components}
    assert len(components) == 14
    assert (components["pengaduan"].self_score, components["pengaduan"].verified_score,
            components["pengaduan"].gap) == (Decimal("66.67"), Decimal("50.00"),
                                             Decimal("-16.67"))
    assert (components["sarana"].self_score, components["sarana"].verified_score,
            components["sarana"].gap) == (Decimal("66.67"), Decimal("66.67"), Decimal("0.00"))
    assert (components["dasar_hukum"].verified_score, components["dasar_hukum"].gap) == (
        Decimal("50.00"), Decimal("-16.67"))


@pytest.mark.django_db
def test_per_indicator_values_gaps_notes_and_findings(verified_round):
    report = rapor(Assessment.objects.select_related("round", "agency__government").get(
        id=verified_round["assessments"]["a"].id))
    lines = {line.code: line for line in report.indicators}
    assert len(lines) == checklist().filter(active=True).count()
    j1, g1, a1 = lines["j1"], lines["g1"], lines["a1"]
    assert (j1.value, j1.verified_value, j1.gap, j1.note, j1.finding) == (3, 0, -3, NOTE,
                                                                          INJECTION)
    assert j1.over_claimed
    assert (g1.value, g1.verified_value, g1.gap, g1.finding) == (3, 3, 0, RAMP)
    assert (a1.value, a1.verified_value, a1.gap, a1.finding) == (3, 2, -1, "")
    assert [line.code for line in report.findings] == ["g1", "j1"]
    components = {row.component.code: row.scores for row in report.components}
    assert (components["pengaduan"].self_score, components["pengaduan"].verified_score,
            components["pengaduan"].gap) == (Decimal("100.00"), Decimal("0.00"),
                                             Decimal("-100.00"))
    assert components["sarana"].gap == Decimal("0.00")
    assert report.scores.gap == q(expected_unit_scores()[0] - 100)


# --- pages -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_comparison_page_shows_the_figures_of_the_selector(client, verified_round, personas):
    publish(verified_round, personas)
    english(client)
    client.force_login(personas["leader"])
    response = client.get(comparison_url(verified_round))
    assert response.status_code == 200
    html = response.content.decode()
    a, b = verified_round["assessments"]["a"], verified_round["assessments"]["b"]
    verified_a, verified_b = expected_unit_scores()
    assert figures(html, f"unit-{a.id}") == {"self": Decimal("100.00"), "verified": verified_a,
                                             "gap": q(verified_a - 100)}
    assert figures(html, f"unit-{b.id}") == {"self": Decimal("33.33"), "verified": verified_b,
                                             "gap": q(verified_b - Decimal("33.33"))}
    assert figures(html, "component-pengaduan") == {
        "self": Decimal("66.67"), "verified": Decimal("50.00"), "gap": Decimal("-16.67")}
    result = GovernmentResult.objects.get(round=verified_round["round"],
                                          government=verified_round["government"])
    government = re.search(r'id="government-table".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert f"{result.score:.2f}" in government  # the published score is the verified side
    assert "over-claimed" in html  # the gap is said in words, not only in colour
    assert 'href="' + reverse("rapor", args=[a.id]) + '"' in html
    assert 'media="print"' in html and "css/print.css" in html


@pytest.mark.django_db
def test_comparison_speaks_indonesian_by_default(client, verified_round, personas):
    publish(verified_round, personas)
    client.force_login(personas["coordinator"])
    html = client.get(comparison_url(verified_round)).content.decode()
    assert "33,33" in html and "66,67" in html


@pytest.mark.django_db
def test_rapor_page_shows_score_zone_components_and_findings(client, verified_round, personas):
    publish(verified_round, personas)
    english(client)
    client.force_login(personas["operator"])
    a = verified_round["assessments"]["a"]
    response = client.get(reverse("rapor", args=[a.id]))
    assert response.status_code == 200
    html = response.content.decode()
    verified_a = expected_unit_scores()[0]
    summary = re.search(r'id="rapor-summary"(.*?)</dl>', html, re.S).group(1)
    assert f"{verified_a:.2f}" in summary
    assert "D · Red" in summary  # 50.92 (2022 bands); the zone is written, not only coloured
    assert figures(html, "component-pengaduan") == {
        "self": Decimal("100.00"), "verified": Decimal("0.00"), "gap": Decimal("-100.00")}
    assert figures(html, "indicator-j1") == {"self": 3, "verified": 0, "gap": -3}
    assert RAMP in html and NOTE in html
    assert "HYPERLINK(&quot;http://example.org/x&quot;" in html  # escaped, as text
    assert 'media="print"' in html and reverse("rapor-xlsx", args=[a.id]) in html


# --- the workbook ------------------------------------------------------------------------------

def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response["Content-Disposition"].startswith('attachment; filename="rapor-2026-')
    return load_workbook(io.BytesIO(response.content))


@pytest.mark.django_db
def test_workbook_has_the_figures_of_the_page(client, verified_round, personas):
    publish(verified_round, personas)
    english(client)
    client.force_login(personas["coordinator"])
    a = verified_round["assessments"]["a"]
    html = client.get(reverse("rapor", args=[a.id])).content.decode()
    book = workbook_of(client.get(reverse("rapor-xlsx", args=[a.id])))
    assert book.sheetnames == ["Summary", "Components", "Findings"]
    for sheet in book.worksheets:  # the table below the title block, its header frozen
        assert sheet.freeze_panes == "A6"
        assert sheet.auto_filter.ref.startswith("A5:")
        assert all(cell.font.bold for cell in sheet[5])
        assert sheet["A1"].value == "Unit rapor: DPMPTSP Muna Barat, Kabupaten Muna Barat"
        assert sheet["A3"].value == "Official results: verified scores of the published round."

    summary = book["Summary"]
    header = [cell.value for cell in summary[5]]
    row = dict(zip(header, [cell for cell in summary[6]]))
    verified_a = expected_unit_scores()[0]
    assert header == ["Unit", "Government", "Verified score", "Category", "Zone", "Label",
                      "Self-score", "Gap", "Weakest components", "Survey"]
    assert row["Unit"].value == "DPMPTSP Muna Barat"
    assert row["Government"].value == "Kabupaten Muna Barat"
    assert row["Survey"].value == "without survey: Belum ada survei pengguna (data uji)"
    assert isinstance(row["Verified score"].value, float)
    assert q(row["Verified score"].value) == verified_a
    assert row["Verified score"].number_format == "0.00"
    assert q(row["Self-score"].value) == Decimal("100.00")
    assert q(row["Gap"].value) == q(verified_a - 100)
    # 50.92 under the 2022 bands: D (32.00–53.99), red, "Low quality".
    assert (row["Category"].value, row["Zone"].value, row["Label"].value) == (
        "D", "Red", "Low quality")
    assert row["Zone"].fill.fgColor.rgb.endswith("F8696B")

    components = book["Components"]
    rows = {r[0].value: r for r in components.iter_rows(min_row=6)}
    assert len(rows) == 14
    for letter, code in [("j", "pengaduan"), ("g", "sarana"), ("a", "dasar_hukum")]:
        page = figures(html, f"component-{code}")
        _letter, _name, own, verified, gap, zone, _label = rows[letter]
        assert (q(own.value), q(verified.value), q(gap.value)) == (
            page["self"], page["verified"], page["gap"])
        assert zone.value in ("Red", "Yellow", "Green")

    findings = book["Findings"]
    lines = {r[0].value: [c.value for c in r] for r in findings.iter_rows(min_row=6)}
    assert len(lines) == checklist().filter(active=True).count()
    for code in ("j1", "g1", "a1"):
        page = figures(html, f"indicator-{code}")
        _code, _text, own, verified, gap, _finding = lines[code]
        assert (own, verified, gap) == (page["self"], page["verified"], page["gap"])
    assert lines["g1"][5] == RAMP
    assert lines["g1"][1] == checklist().get(component__code="sarana", order=1).text_en


@pytest.mark.django_db
def test_a_finding_that_looks_like_a_formula_is_stored_as_text(client, verified_round,
                                                               personas):
    client.force_login(personas["assessor"])  # before publication: the assessor's own draft
    response = client.get(reverse("rapor-xlsx", args=[verified_round["assessments"]["a"].id]))
    book = workbook_of(response)
    (j1,) = [row for row in book.worksheets[2].iter_rows(min_row=6) if row[0].value == "j1"]
    assert j1[5].value == INJECTION
    assert j1[5].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and not any("<f>" in archive.read(name).decode() for name in sheets)


# --- who may read it ---------------------------------------------------------------------------

AFTER = {
    "admin": (200, 200, 200),
    "assessor": (200, 200, 200),
    "coordinator": (200, 200, 200),
    "leader": (200, 200, 200),
    "operator": (403, 200, 200),  # their own unit's rapor, not the whole government
    "operator_b": (403, 404, 404),  # another unit's rapor does not exist for them
    "outsider": (404, 404, 404),
    "anonymous": ("login", "login", "login"),
}


@pytest.mark.django_db
def test_before_publication_only_administrators_and_assessors_read_verified_figures(
        verified_round, personas):
    from django.test import Client

    assert verified_round["round"].state == "verification"
    check_report_access(Client, verified_round, personas, BEFORE_PUBLICATION)


@pytest.mark.django_db
def test_after_publication_the_government_reads_them(verified_round, personas):
    from django.test import Client

    publish(verified_round, personas)
    check_report_access(Client, verified_round, personas, AFTER)
    round_transition(round_=verified_round["round"], to_state="closed", by=personas["admin"])
    check_report_access(Client, verified_round, personas, AFTER)


@pytest.mark.django_db
def test_comparison_shows_the_dimensions_and_the_survey_that_explains_the_totals(
        client, verified_round, personas):
    """Every component of unit a reads "claimed higher", yet a high survey (Output, 24.24 %,
    measured by the assessor only) can lift the verified total: the page shows the dimension
    that explains it. Figures worked out by hand from the stored component scores."""
    from assessments.services.scores import assessment_recompute_verified

    units = verified_round["assessments"]
    for key, survey in (("a", "90.00"), ("b", "70.00")):
        Assessment.objects.filter(id=units[key].id).update(survey_score=Decimal(survey))
        units[key].refresh_from_db()
        assessment_recompute_verified(assessment=units[key])
    result = government_comparison(government=verified_round["government"],
                                   round_=verified_round["round"])
    rows = {row.code: row for row in result.dimensions}
    assert [row.code for row in result.dimensions] == ["input", "process", "output",
                                                       "complaints"]
    # Input (g, h, k): self 100 and 33.33; verified (100 + 66.67 + 66.67) / 3 and 33.33.
    assert (rows["input"].scores.self_score, rows["input"].scores.verified_score) == (
        Decimal("66.67"), Decimal("55.56"))
    # Complaints (j): self 100 and 33.33; verified 0 and 100.
    assert (rows["complaints"].scores.self_score, rows["complaints"].scores.verified_score) == (
        Decimal("66.67"), Decimal("50.00"))
    # Output: nothing claimed; the assessor's survey, mean of 90 and 70.
    assert (rows["output"].scores.self_score, rows["output"].scores.verified_score) == (
        None, Decimal("80.00"))
    assert rows["output"].is_survey and rows["output"].weight == Decimal("24.24")
    publish(verified_round, personas)
    client.force_login(personas["coordinator"])
    response = client.get(comparison_url(verified_round))
    html = response.content.decode()
    assert 'id="dimension-output"' in html and "80,00" in html
    assert "tidak dinilai mandiri" in html  # the survey's self side, in Indonesian
    assert 'id="survey-note"' in html
