"""The official provinces and governments, and loading them into the database.

The list is the Ministry of Home Affairs' (vendored from the npm package idn-area-data, see
data/idn-area-data/README.md): 38 provinces and 514 kabupaten/kota with their codes; each
province also has its provincial government (code = the province's code). Two small tables of
our own sit beside it: display_names.csv (where the usual published spelling differs from the
list's) and aliases.csv (old names and abbreviations), plus time_zones.csv.

``regions_load`` is idempotent and never duplicates what is there: a province or government
without a code is matched by the same rules as an import (agencies.identity) and given its
code and official name, so that results imported before the list was loaded keep their
government. Where two existing rows match one official entry, nothing is guessed: the one
spelled officially gets the code and the report names the other, to be merged.
"""
import csv
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import transaction

from .identity import name_key, readings
from .models import Alias, Government, Level, Province, TimeZone

DATA = Path(__file__).resolve().parent / "data"
SOURCE = DATA / "idn-area-data"
SOURCE_VERSION = "4.0.1"


@dataclass(frozen=True)
class OfficialProvince:
    code: str
    name: str  # the usual display name
    listed_name: str  # as the Ministry list writes it
    time_zone: str


@dataclass(frozen=True)
class OfficialGovernment:
    code: str
    province_code: str
    level: str
    name: str
    listed_name: str


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def _display_names() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _rows(DATA / "display_names.csv")}


@cache
def official_provinces() -> tuple[OfficialProvince, ...]:
    zones = {row["code"]: row["iana"] for row in _rows(DATA / "time_zones.csv")}
    provinces = []
    for row in _rows(SOURCE / "provinces.csv"):
        zone = zones[row["code"]]  # a province without a zone is a data error: fail loudly
        provinces.append(OfficialProvince(
            code=row["code"], name=_display_names().get(row["code"], row["name"]),
            listed_name=row["name"], time_zone=TimeZone(zone).value))
    return tuple(provinces)


@cache
def official_governments() -> tuple[OfficialGovernment, ...]:
    """The provincial governments and the kabupaten/kota, in code order. The level comes from
    the code (kota are numbered from 71) and must agree with the name's first word."""
    governments = [OfficialGovernment(code=p.code, province_code=p.code, level=Level.PROVINSI,
                                      name=f"Provinsi {p.name}",
                                      listed_name=f"Provinsi {p.listed_name}")
                   for p in official_provinces()]
    for row in _rows(SOURCE / "regencies.csv"):
        level = Level.KOTA if int(row["code"].split(".")[1]) >= 71 else Level.KABUPATEN
        spelled = readings(row["name"])[0].level
        if spelled != level:
            raise ValueError(f"{row['code']} {row['name']}: the code says {level}")
        governments.append(OfficialGovernment(
            code=row["code"], province_code=row["province_code"], level=level,
            name=_display_names().get(row["code"], row["name"]), listed_name=row["name"]))
    return tuple(sorted(governments, key=lambda g: g.code))


@cache
def official_aliases() -> tuple[tuple[str, str], ...]:
    """(code, spelling) pairs from aliases.csv."""
    return tuple((row["code"], row["alias"]) for row in _rows(DATA / "aliases.csv"))


@dataclass
class LoadReport:
    provinces: Counter = field(default_factory=Counter)
    governments: Counter = field(default_factory=Counter)
    aliases: int = 0
    warnings: list = field(default_factory=list)


def _keys(official, aliases) -> set[str]:
    spellings = [official.name, official.listed_name]
    spellings += [spelling for code, spelling in aliases if code == official.code]
    return {name_key(spelling) for spelling in spellings} - {""}


def _pick(candidates, official, report, kind):
    """The one existing row that is ``official``; with several, only one spelled exactly as
    the official name, else none (and a warning)."""
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    exact = [row for row in candidates if row.name == official.name]
    names = ", ".join(f"“{row.name}” (#{row.id})" for row in candidates)
    if len(exact) == 1:
        report.warnings.append(
            f"{official.code} {official.name}: several {kind} match ({names}); the code went "
            f"to #{exact[0].id}; merge the others into it")
        return exact[0]
    report.warnings.append(f"{official.code} {official.name}: several {kind} match ({names}); "
                           f"nothing changed; merge them first")
    return False


def _load_provinces(wanted, aliases, report) -> dict[str, Province]:
    existing = list(Province.objects.all())
    by_code = {p.code: p for p in existing if p.code}
    uncoded = [p for p in existing if not p.code]
    names = {p.name: p for p in existing}
    created, updated, loaded = [], [], {}
    for official in wanted:
        province = by_code.get(official.code)
        if province is None:
            keys = _keys(official, aliases)
            province = _pick([p for p in uncoded if name_key(p.name) in keys], official, report,
                             "provinces")
            if province is False:
                continue
        if province is None:
            province = Province(code=official.code, name=official.name,
                                time_zone=official.time_zone)
            created.append(province)
        else:
            before = (province.code, province.name, province.time_zone)
            province.code, province.time_zone = official.code, official.time_zone
            holder = names.get(official.name)
            if holder is None or holder.id == province.id:
                province.name = official.name
            else:
                report.warnings.append(f"{official.code}: “{province.name}” keeps its name: "
                                       f"“{official.name}” is #{holder.id}")
            if (province.code, province.name, province.time_zone) != before:
                updated.append(province)
                report.provinces["updated"] += 1
            else:
                report.provinces["unchanged"] += 1
        loaded[official.code] = province
    Province.objects.bulk_update(updated, ["code", "name", "time_zone"])
    Province.objects.bulk_create(created)
    report.provinces["created"] += len(created)
    return loaded


def _load_governments(provinces, aliases, report) -> dict[str, Government]:
    wanted = [g for g in official_governments() if g.province_code in provinces]
    existing = list(Government.objects.filter(
        province__in=[p.id for p in provinces.values()]))
    by_code = {g.code: g for g in Government.objects.exclude(code="")}
    uncoded: dict[int, list[Government]] = {}
    names: dict[tuple[int, str], Government] = {}
    for government in existing:
        names[(government.province_id, government.name)] = government
        if not government.code:
            uncoded.setdefault(government.province_id, []).append(government)
    created, updated, loaded = [], [], {}
    for official in wanted:
        province = provinces[official.province_code]
        government = by_code.get(official.code)
        if government is not None and government.province_id != province.id:
            report.warnings.append(f"{official.code} {official.name}: the code is on "
                                   f"#{government.id} in another province; nothing changed")
            continue
        if government is None:
            keys = _keys(official, aliases)
            candidates = [g for g in uncoded.get(province.id, []) if g.level == official.level
                          and (official.level == Level.PROVINSI
                               or readings(g.name)[0].key in keys)]
            government = _pick(candidates, official, report, "governments")
            if government is False:
                continue
        if government is None:
            holder = names.get((province.id, official.name))
            if holder is not None:
                report.warnings.append(f"{official.code} {official.name}: the name is "
                                       f"#{holder.id}, a {holder.level}; nothing changed; "
                                       f"correct or merge it")
                continue
            government = Government(province=province, level=official.level, code=official.code,
                                    name=official.name)
            created.append(government)
        else:
            before = (government.code, government.name, government.level)
            government.code, government.level = official.code, official.level
            holder = names.get((province.id, official.name))
            if holder is None or holder.id == government.id:
                government.name = official.name
            else:
                report.warnings.append(f"{official.code}: “{government.name}” (#{government.id}) "
                                       f"keeps its name: “{official.name}” is #{holder.id}; "
                                       f"merge them")
            if (government.code, government.name, government.level) != before:
                updated.append(government)
                report.governments["updated"] += 1
            else:
                report.governments["unchanged"] += 1
        loaded[official.code] = government
    matched = {government.id for government in loaded.values()}
    for government in existing:
        if not government.code and government.id not in matched:
            report.warnings.append(f"“{government.name}” (#{government.id}) is not in the "
                                   f"official list; merge it into its official government")
    Government.objects.bulk_update(updated, ["code", "name", "level"], batch_size=500)
    Government.objects.bulk_create(created, batch_size=500)
    report.governments["created"] += len(created)
    return loaded


def _load_aliases(provinces, governments, aliases, report) -> None:
    existing = set(Alias.objects.values_list("province_id", "government_id", "key"))
    province_keys = {key for _p, government, key in existing if government is None}
    government_keys = {(province, key) for province, government, key in existing
                       if government is not None}
    created = []
    for code, spelling in aliases:
        key = name_key(spelling)
        if code in provinces:
            province = provinces[code]
            if key in province_keys or key == name_key(province.name):
                continue
            province_keys.add(key)
            created.append(Alias(province=province, name=spelling, key=key))
        elif code in governments:
            government = governments[code]
            if (government.province_id, key) in government_keys or \
                    key == name_key(government.name):
                continue
            government_keys.add((government.province_id, key))
            created.append(Alias(province_id=government.province_id, government=government,
                                 name=spelling, key=key))
    Alias.objects.bulk_create(created)
    report.aliases += len(created)


def regions_load(*, provinces: set[str] | None = None) -> LoadReport:
    """Create or update the official provinces (all, or those whose codes are given), their
    provincial governments, kabupaten and kota, and the aliases of aliases.csv."""
    report = LoadReport()
    wanted = [p for p in official_provinces() if provinces is None or p.code in provinces]
    aliases = official_aliases()
    with transaction.atomic():
        loaded = _load_provinces(wanted, aliases, report)
        governments = _load_governments(loaded, aliases, report)
        _load_aliases(loaded, governments, aliases, report)
    return report
