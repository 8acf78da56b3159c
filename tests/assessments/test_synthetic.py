"""The synthetic nation of ``generate_national`` at a tiny scale: same seed, same nation; zones
in the 2022 national proportions; stored scores equal to what ``recompute_scores`` computes;
refused on real data; reused when it is already there; and the national export over it."""
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from openpyxl import load_workbook

from agencies.models import Agency, Government, Province
from assessments.management.commands.recompute_scores import recompute_scores
from assessments.models import Answer, Assessment, ComponentScore, GovernmentResult, Round
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
            "indicator__code", "value", "not_applicable")),
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
    assert Answer.objects.count() == second["answers"] == second["agencies"] * 48
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

    # The stored scores are exactly what recompute_scores computes from the answers.
    totals = recompute_scores(current.id)
    assert totals == {"assessments": second["agencies"], "changed": 0,
                      "component_scores_written": 0}
    assert ComponentScore.objects.count() == second["agencies"] * 14


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
    assert (damaged.self_score, damaged.answered_count) == (expected, 48)

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
