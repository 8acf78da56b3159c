"""The official list: load_regions on an empty database, again (nothing changes), over data
imported before it (codes attached, nothing duplicated), and the provinces' time zones."""
import io
from datetime import datetime, timezone as dt_timezone

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import translation

from agencies.models import Government, Level, Province, TimeZone
from agencies.regions import official_governments, official_provinces, regions_load
from audit.models import AuditEntry


def snapshot():
    return (list(Province.objects.order_by("id").values()),
            list(Government.objects.order_by("id").values()))


@pytest.mark.django_db
def test_load_regions_on_an_empty_database_then_again_changes_nothing():
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_regions", stdout=out)
    assert out.getvalue() == ("Provinces: 38 created, 0 updated, 0 unchanged. Governments: 552 "
                              "created, 0 updated, 0 unchanged. Aliases: 30 created.\n")
    assert Province.objects.count() == 38
    levels = dict(Government.objects.values_list("level").annotate(n=Count("id")))
    assert levels == {"provinsi": 38, "kabupaten": 416, "kota": 98}
    assert not Government.objects.filter(code="").exists()
    mubar = Government.objects.get(code="74.13")
    assert (mubar.name, mubar.level, mubar.province.name) == (
        "Kabupaten Muna Barat", "kabupaten", "Sulawesi Tenggara")
    assert Government.objects.get(code="74").name == "Provinsi Sulawesi Tenggara"
    assert Government.objects.get(code="74.72").name == "Kota Baubau"  # the published spelling
    assert Government.objects.get(code="31.71").name == "Kota Administrasi Jakarta Pusat"
    assert Province.objects.get(code="31").name == "DKI Jakarta"
    before, entries = snapshot(), AuditEntry.objects.count()
    report = regions_load()
    assert (report.provinces["unchanged"], report.governments["unchanged"]) == (38, 552)
    assert (report.provinces["created"] + report.provinces["updated"]
            + report.governments["created"] + report.governments["updated"] + report.aliases) == 0
    assert snapshot() == before and AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_existing_governments_get_their_codes_and_no_duplicate():
    """Data imported before the list existed: matched by the import's rules, renamed to the
    official spelling, given codes; their results stay where they are."""
    province = Province.objects.create(name="SULAWESI TENGGARA")
    rows = [("kabupaten", "Kabupaten Muna Barat"), ("kabupaten", "KABUPATEN KONAWE"),
            ("kota", "Kota Bau-Bau"), ("provinsi", "Pemerintah Provinsi Sultra")]
    existing = {name: Government.objects.create(province=province, level=level, name=name)
                for level, name in rows}
    report = regions_load(provinces={"74"})
    assert report.warnings == []
    assert (report.provinces["updated"], report.governments["updated"],
            report.governments["created"]) == (1, 4, 14)
    assert Province.objects.count() == 1 and Government.objects.count() == 18
    province.refresh_from_db()
    assert (province.code, province.name, province.time_zone) == (
        "74", "Sulawesi Tenggara", "Asia/Makassar")
    found = {name: Government.objects.get(id=g.id) for name, g in existing.items()}
    assert [(g.code, g.name) for g in found.values()] == [
        ("74.13", "Kabupaten Muna Barat"), ("74.02", "Kabupaten Konawe"),
        ("74.72", "Kota Baubau"), ("74", "Provinsi Sulawesi Tenggara")]


@pytest.mark.django_db
def test_a_split_is_reported_not_guessed():
    province = Province.objects.create(name="Sulawesi Tenggara")
    official = Government.objects.create(province=province, level=Level.KABUPATEN,
                                         name="Kabupaten Muna Barat")
    split = Government.objects.create(province=province, level=Level.KABUPATEN,
                                      name="Kab. Muna Barat")
    report = regions_load(provinces={"74"})
    assert Government.objects.get(id=official.id).code == "74.13"
    assert Government.objects.get(id=split.id).code == ""
    assert any(f"#{split.id}" in warning and "merge" in warning for warning in report.warnings)
    assert Government.objects.count() == 19


ZONES = {  # the brief's table: code -> zone
    "74": "WITA", "51": "WITA", "61": "WIB", "62": "WIB", "63": "WITA", "64": "WITA",
    "65": "WITA", "52": "WITA", "53": "WITA", "71": "WITA", "72": "WITA", "73": "WITA",
    "75": "WITA", "76": "WITA", "81": "WIT", "82": "WIT", "91": "WIT", "92": "WIT", "93": "WIT",
    "94": "WIT", "95": "WIT", "96": "WIT", "11": "WIB", "31": "WIB", "34": "WIB", "36": "WIB",
}


def test_every_province_has_its_time_zone():
    zones = {p.code: TimeZone(p.time_zone).name for p in official_provinces()}
    assert len(zones) == 38
    assert {code: zones[code] for code in ZONES} == ZONES
    assert sorted(zones.values()).count("WIB") == 18
    assert sorted(zones.values()).count("WITA") == 12
    assert sorted(zones.values()).count("WIT") == 8


def test_the_vendored_list_holds_416_kabupaten_and_98_kota():
    levels = [g.level for g in official_governments()]
    assert (levels.count("provinsi"), levels.count("kabupaten"), levels.count("kota")) == (
        38, 416, 98)
    assert len({g.code for g in official_governments()}) == 552


@pytest.mark.django_db
def test_a_province_tells_its_local_time(regions_sultra):
    sultra = Province.objects.get(code="74")
    noon_utc = datetime(2026, 3, 1, 4, 0, tzinfo=dt_timezone.utc)
    assert sultra.zone_abbreviation == "WITA"
    assert sultra.localtime(noon_utc).hour == 12
    assert Province(name="Unknown").zone_abbreviation == ""
