"""The synthetic nation of ``generate_national`` at a tiny scale: same seed, same nation; zones
in the 2022 national proportions; two service products per unit, both sampled, and the current
round on the 2022–2024 assessment instrument with its per-product indicators answered per
sampled product; stored scores equal to what ``recompute_scores`` computes; refused on real
data and on a nation of the earlier generator; reused when it is already there; and the
national export over it.

Counted by hand from compliance/data/instruments/ombudsman-2022-assessment.json: Input 14
indicators and Pengaduan 6, per unit (20); Proses 11, per product; Output is the survey (no
indicators). So a unit with two sampled products holds 20 + 2 × 11 = 42 answers."""
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from openpyxl import load_workbook

from agencies.models import Agency, Government, Province
from assessments.management.commands.recompute_scores import recompute_scores
from assessments.models import (Answer, Assessment, ComponentScore, GovernmentResult,
                                ProductSample, Round, ServiceProduct)
from assessments.spreadsheets.national_export import national_workbook
from assessments.synthetic import (NonSyntheticData, OtherNation, Params, generate,
                                   government_zones, zone_quota)
from tests.workbooks import table

TINY = Params(scale=0.04, seed=7, agencies=8)


class Rollback(Exception):
    pass


def snapshot():
    """The nation by natural keys (ids and timestamps differ between builds)."""
    return {
        "governments": sorted(Government.objects.values_list("province__name", "level", "name")),
        "agencies": sorted(Agency.objects.values_list("government__name", "name", "kind")),
        "answers": sorted(Answer.objects.values_list(
            "assessment__agency__government__name", "assessment__agency__name",
            "indicator__code", "product_sample__product__name", "value", "not_applicable"),
            key=repr),
        "products": sorted(ProductSample.objects.values_list(
            "assessment__agency__government__name", "assessment__agency__name", "order",
            "product__name", "product__kind")),
        "scores": sorted(Assessment.objects.values_list(
            "agency__government__name", "agency__name", "sampled", "self_score")),
        "official": sorted(GovernmentResult.objects.values_list(
            "round__year", "government__name", "score", "zone")),
    }


@pytest.mark.django_db(transaction=False)
def test_same_seed_same_nation_and_zones_like_2022(standard):
    with pytest.raises(Rollback), transaction.atomic():
        first = generate(TINY, log=lambda text: None)
        before = snapshot()
        raise Rollback
    assert not Province.objects.exists()
    second = generate(TINY, log=lambda text: None)
    assert snapshot() == before
    assert second["zones"] == first["zones"]

    governments = second["governments"]
    assert second["levels"]["provinsi"] == second["provinces"] == 2
    assert Agency.objects.count() == second["agencies"]
    assert Answer.objects.count() == second["answers"] == second["agencies"] * 42
    assert not Answer.objects.filter(value__isnull=True, not_applicable=False).exists()
    assert all(Province.objects.values_list("synthetic", flat=True))

    current = Round.objects.get(is_official=False)
    zones = government_zones(current)
    expected = zone_quota(governments)
    assert zones == {zone: expected.count(zone) for zone in ("green", "yellow", "red")}
    assert abs(zones["green"] / governments - 0.46) < 0.1
    assert abs(zones["yellow"] / governments - 0.43) < 0.1
    assert abs(zones["red"] / governments - 0.11) < 0.1
    assert Round.objects.filter(is_official=True, state=Round.State.PUBLISHED).count() == 3
    assert GovernmentResult.objects.count() == 3 * governments

    # The stored scores are exactly what recompute_scores computes from the answers (with
    # compute_unit: the SQL statement does not cover per-product instruments).
    assert current.instrument.code == "ombudsman-2022-assessment"
    totals = recompute_scores(current.id)
    assert totals == {"assessments": second["agencies"], "changed": 0,
                      "component_scores_written": 0}
    assert ComponentScore.objects.count() == second["agencies"] * 14


@pytest.mark.django_db
def test_two_products_per_unit_sampled_and_answered_per_product(standard):
    summary = generate(TINY, log=lambda text: None)
    agencies = summary["agencies"]
    assert (summary["products"], summary["product_samples"]) == (agencies * 2, agencies * 2)
    assert summary["answers_per_unit"] == 42
    assert summary["instrument"] == "ombudsman-2022-assessment 2023"

    # Every agency: two products, an administrative and a service one, named "Sintetis".
    kinds = {}
    for agency_id, name, kind in ServiceProduct.objects.values_list("agency_id", "name", "kind"):
        assert "Sintetis" in name
        kinds.setdefault(agency_id, []).append(kind)
    assert len(kinds) == Agency.objects.count() == agencies
    assert {tuple(sorted(found)) for found in kinds.values()} == {("administrative", "services")}
    assert ServiceProduct.objects.filter(
        agency__kind="disdukcapil", name="Akta Kelahiran Sintetis",
        kind="administrative").count() == Agency.objects.filter(kind="disdukcapil").count()

    # Every assessment of the current round: both of its own agency's products sampled,
    # administrative first (the order the sampling page proposes).
    current = Round.objects.get(is_official=False)
    samples = list(ProductSample.objects.filter(assessment__round=current).values_list(
        "assessment_id", "order", "product__kind", "product__agency_id",
        "assessment__agency_id"))
    per_assessment = Counter(row[0] for row in samples)
    assert len(per_assessment) == agencies and set(per_assessment.values()) == {2}
    assert all(product_agency == agency for *_rest, product_agency, agency in samples)
    assert {(order, kind) for _a, order, kind, *_rest in samples} == {
        (1, "administrative"), (2, "services")}

    # 20 answers per unit without a product, 11 per sampled product, each indicator of the
    # right kind: 42 rows per assessment.
    rows = Counter(Answer.objects.filter(assessment__round=current).values_list(
        "assessment_id", "product_sample_id", "indicator__per_product"))
    per_unit = {key: n for key, n in rows.items() if key[1] is None}
    per_product = {key: n for key, n in rows.items() if key[1] is not None}
    assert set(per_unit.values()) == {20} and len(per_unit) == agencies
    assert all(not key[2] for key in per_unit)
    assert set(per_product.values()) == {11} and len(per_product) == agencies * 2
    assert all(key[2] for key in per_product)
    assert set(Counter(Answer.objects.filter(assessment__round=current).values_list(
        "assessment_id", flat=True)).values()) == {42}
    assert set(Assessment.objects.filter(round=current).values_list(
        "answered_count", flat=True)) == {42}


@pytest.mark.django_db
def test_a_nation_of_the_earlier_generator_is_refused_not_reused(standard):
    """The generator before service products named its round without the instrument and the
    products: such a nation (answers on the 48-indicator checklist, no products) is another
    nation, never reused as this one."""
    generate(TINY, log=lambda text: None)
    Round.objects.filter(is_official=False).update(
        name="Penilaian nasional 2026 (data sintetis; skala 0.04, benih 7, 8 unit)")
    with pytest.raises(OtherNation, match="A different synthetic nation"):
        generate(TINY, log=lambda text: None)


@pytest.mark.django_db
def test_reused_when_present_and_refused_for_another_nation(standard):
    generate(TINY, log=lambda text: None)
    counts = (Agency.objects.count(), Answer.objects.count())
    out = io.StringIO()
    call_command("generate_national", "--scale", "0.04", "--seed", "7", "--agencies", "8",
                 stdout=out)
    assert "reused" in out.getvalue()
    assert (Agency.objects.count(), Answer.objects.count()) == counts
    with pytest.raises(OtherNation):
        generate(Params(scale=0.04, seed=8, agencies=8))
    with pytest.raises(CommandError):
        call_command("generate_national", "--scale", "0.05", stdout=io.StringIO())


@pytest.mark.django_db
def test_refuses_a_database_with_real_data(sultra):
    provinces = Province.objects.count()
    with pytest.raises(NonSyntheticData):
        generate(TINY)
    with pytest.raises(CommandError, match="non-synthetic"):
        call_command("generate_national", "--scale", "0.04", stdout=io.StringIO())
    assert Province.objects.count() == provinces
    assert not Agency.objects.exists()


@pytest.mark.django_db
def test_recompute_repairs_scores_and_the_national_export_holds_every_unit(standard):
    summary = generate(TINY, log=lambda text: None)
    current = Round.objects.get(is_official=False)
    damaged = Assessment.objects.filter(round=current).order_by("id").first()
    expected = damaged.self_score
    Assessment.objects.filter(id=damaged.id).update(self_score=0, answered_count=0)
    ComponentScore.objects.filter(assessment=damaged).update(self_score=None)
    out = io.StringIO()
    call_command("recompute_scores", "--round", str(current.id), stdout=out)
    assert "1 changed" in out.getvalue()
    damaged.refresh_from_db()
    assert (damaged.self_score, damaged.answered_count) == (expected, 42)

    buffer = io.BytesIO()
    counts = national_workbook(current, buffer)
    assert counts["units"] == summary["agencies"]
    assert counts["governments"] == summary["governments"]
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    governments, units = (table(sheet) for sheet in workbook.worksheets)
    assert len(governments) == summary["governments"] + 1
    assert len(units) == summary["agencies"] + 1
    assert len(units[0]) == 10 + 14 and units[0][10].startswith("a. ")


def test_the_nation_follows_the_identity_rules_of_the_official_list():
    """Codes in the Ministry's pattern behind an "S" (never a real code), kota from 71, names
    that read differently in each province, and the real province's time zone."""
    import re

    from assessments.synthetic import build_plan

    plan = build_plan(Params(scale=1.0))
    assert (len(plan.provinces), len(plan.governments)) == (38, 552)
    assert plan.province_codes[:2] == ["S01", "S02"] and plan.province_codes[-1] == "S38"
    codes = [g.code for g in plan.governments]
    assert len(set(codes)) == 552
    assert all(re.fullmatch(r"S\d{2}(\.\d{2})?", code) for code in codes)
    first = [(g.level, g.name, g.code) for g in plan.governments if g.province == 0]
    assert first[:2] == [("provinsi", "Pemerintah Provinsi Sintetis 01", "S01"),
                         ("kabupaten", "Kabupaten Sintetis 01-01", "S01.01")]
    assert ("kota", "Kota Sintetis 01-01", "S01.71") in first
    assert plan.time_zones[0] == "Asia/Jakarta"      # shaped like Aceh
    assert plan.time_zones[27] == "Asia/Makassar"    # like Sulawesi Tenggara
    assert plan.time_zones[37] == "Asia/Jayapura"    # like Papua Barat Daya
    assert [plan.time_zones.count(zone) for zone in (
        "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")] == [18, 12, 8]
