"""A deterministic synthetic nation for performance work (``manage.py generate_national``).

38 provinces shaped like Indonesia's (416 kabupaten, 98 kota and the 38 provincial governments
at scale 1), about 35 agencies per government, each with two service products, one current
round on the assessing body's 2022–2024 instrument (``ombudsman-2022-assessment``: per-unit
indicators once, per-product ones for each of the unit's two sampled products) with every
answer given, and three earlier rounds of official results. Government zones follow the 2022
national result (46 % green, 43 % yellow, 11 % red): each government is given a zone by quota
and its units' answers are drawn until the mean of its sampled units lands in it.

Why this shape: the benchmarks must see national row counts and a realistic spread of scores
(sorting, bands and heat-maps depend on it) without a single real figure being invented for a
real place, so every name says "Sintetis". The same seed gives the same nation, value for value.
Identity follows the official list's rules: every province and government has a code in the
Ministry's pattern with an "S" in front ("S07", "S07.03" for a kabupaten, "S07.71" for a kota,
never a real code), names whose keys (agencies.identity) are unique in their province, and the
time zone of the real province whose shape it copies.

Writes go around the services on purpose (bulk inserts, COPY on PostgreSQL): a million rows
through ``answer_save`` would take hours. The stored scores are computed with the app's own
``compute_unit``, so the nation is consistent with what ``recompute_scores`` would produce.
"""
from __future__ import annotations

import io
import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from agencies.identity import name_key
from agencies.models import Agency, AgencyKind, Government, Level, Province
from agencies.regions import official_provinces
from compliance.models import Instrument, Methodology
from compliance.scoring import government_score, round2
from compliance.specs import instrument_spec, methodology_spec

from .models import (Answer, Assessment, ComponentScore, GovernmentResult, ProductSample, Round,
                     RoundGovernment, ServiceProduct)
from .services.products import default_products
from .services.rounds import default_sample
from .services.scores import checklist_indicators, compute_unit

# (kabupaten, kota) per province: the shape of Indonesia's 38 provinces (DKI Jakarta's
# administrative regency and cities included, as in the national counts): 416 and 98.
SHAPES = [
    (18, 5), (25, 8), (12, 7), (10, 2), (9, 2), (13, 4), (9, 1), (13, 2), (6, 1), (5, 2),
    (1, 5), (18, 9), (29, 6), (4, 1), (29, 9), (4, 4), (8, 1), (8, 2), (21, 1), (12, 2),
    (13, 1), (11, 2), (7, 3), (4, 1), (11, 4), (12, 1), (21, 3), (15, 2), (5, 1), (6, 0),
    (9, 2), (8, 2), (8, 1), (7, 0), (4, 0), (8, 0), (8, 0), (5, 1),
]
ZONE_SHARES = (("green", 0.46), ("yellow", 0.43), ("red", 0.11))  # the 2022 national result
# Where a government's target score is drawn, by zone (2022 bands: red < 54 <= yellow < 78).
CURRENT_TARGETS = {"green": (81.0, 94.0), "yellow": (58.0, 74.0), "red": (36.0, 50.0)}
OFFICIAL_RANGES = {"green": (78.5, 97.0), "yellow": (54.5, 77.5), "red": (25.0, 53.5)}
OFFICIAL_YEARS = (2022, 2023, 2024)
CURRENT_YEAR = 2026
METHODOLOGY = "ombudsman-2022"
# The current round's instrument: the assessing body's 2022–2024 one, whose Process indicators
# are answered per sampled service product (the app checklist, "app-checklist-ombudsman-2022",
# has none; ``--instrument`` builds a nation on it). The set-based recompute scores both.
DEFAULT_INSTRUMENT = "ombudsman-2022-assessment"
PRODUCTS = 2  # service products per agency, all sampled in the current round (INSTRUMENTS.md §1)
MARKER = "data sintetis"
DEFAULT_SEED = 2022
DEFAULT_AGENCIES = 35
NOT_APPLICABLE_SHARE = 0.01
MAX_REDRAWS = 40

SAMPLED_OFFICES = [
    ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "DPMPTSP", AgencyKind.DPMPTSP),
    ("Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil", AgencyKind.DISDUKCAPIL),
    ("Dinas Pendidikan", "Disdik", AgencyKind.PENDIDIKAN),
    ("Dinas Kesehatan", "Dinkes", AgencyKind.KESEHATAN),
    ("Dinas Sosial", "Dinsos", AgencyKind.SOSIAL),
]
OTHER_OFFICES = [
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "PUPR"), ("Dinas Perhubungan", "Dishub"),
    ("Dinas Lingkungan Hidup", "DLH"), ("Dinas Pertanian", "Distan"),
    ("Dinas Perikanan", "Diskan"), ("Dinas Pariwisata", "Dispar"),
    ("Dinas Koperasi dan Usaha Mikro", "Diskop"), ("Dinas Perdagangan", "Disdag"),
    ("Dinas Tenaga Kerja", "Disnaker"), ("Dinas Perumahan dan Kawasan Permukiman", "Perkim"),
    ("Dinas Pemberdayaan Masyarakat dan Desa", "DPMD"),
    ("Dinas Pemberdayaan Perempuan dan Perlindungan Anak", "DP3A"),
    ("Dinas Pengendalian Penduduk dan Keluarga Berencana", "DPPKB"),
    ("Dinas Komunikasi dan Informatika", "Diskominfo"),
    ("Dinas Perpustakaan dan Kearsipan", "Dispusip"), ("Dinas Kepemudaan dan Olahraga", "Dispora"),
    ("Dinas Ketahanan Pangan", "DKP"), ("Dinas Kebudayaan", "Disbud"),
    ("Dinas Pemadam Kebakaran", "Damkar"), ("Satuan Polisi Pamong Praja", "Satpol PP"),
    ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "BKPSDM"),
    ("Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    ("Badan Pendapatan Daerah", "Bapenda"), ("Badan Penanggulangan Bencana Daerah", "BPBD"),
    ("Badan Kesatuan Bangsa dan Politik", "Kesbangpol"), ("Inspektorat Daerah", "Inspektorat"),
    ("Rumah Sakit Umum Daerah", "RSUD"), ("Sekretariat Daerah", "Setda"),
    ("Sekretariat DPRD", "Setwan"), ("Dinas Perindustrian", "Disperin"),
    ("Dinas Peternakan", "Disnak"), ("Dinas Penanaman Modal Daerah Bidang Promosi", "Promosi"),
]
# Where the synthetic governments are weak: what Muna Barat's leaders named (the worked example
# of the demo data).
WEAK_COMPONENTS = ("sarana", "kompetensi", "jumlah_pelaksana")
# Each agency's two service products by its kind: an administrative product and a service
# ("jasa") one, the typical sample of INSTRUMENTS.md §1. Names say "Sintetis" like the rest.
PRODUCT_NAMES = {
    AgencyKind.DPMPTSP: ("Izin Usaha Sintetis", "Konsultasi Perizinan Sintetis"),
    AgencyKind.DISDUKCAPIL: ("Akta Kelahiran Sintetis", "Perekaman KTP-el Sintetis"),
    AgencyKind.PENDIDIKAN: ("Legalisasi Ijazah Sintetis", "Layanan Informasi Sekolah Sintetis"),
    AgencyKind.KESEHATAN: ("Izin Praktik Tenaga Kesehatan Sintetis",
                           "Layanan Kesehatan Rujukan Sintetis"),
    AgencyKind.SOSIAL: ("Surat Keterangan Tidak Mampu Sintetis",
                        "Layanan Rehabilitasi Sosial Sintetis"),
    AgencyKind.PUSKESMAS: ("Surat Keterangan Sehat Sintetis",
                           "Pemeriksaan Kesehatan Umum Sintetis"),
    AgencyKind.OTHER: ("Surat Rekomendasi Sintetis", "Layanan Informasi Publik Sintetis"),
}
PRODUCT_KINDS = (ServiceProduct.Kind.ADMINISTRATIVE, ServiceProduct.Kind.SERVICES)


class NonSyntheticData(Exception):
    """The database holds real data: the generator never mixes synthetic rows into it."""


class OtherNation(Exception):
    """A synthetic nation with other parameters is already there."""


@dataclass(frozen=True)
class Params:
    scale: float = 1.0
    seed: int = DEFAULT_SEED
    agencies: int = DEFAULT_AGENCIES
    instrument: str = DEFAULT_INSTRUMENT  # the code of the current round's instrument

    def current_round_name(self, instrument: Instrument) -> str:
        """The mark of the nation's parameters: a nation is reused only under the same name
        (the instrument's version and the products per unit are part of it, so the nation of
        an earlier generator, without products, is refused instead of reused)."""
        return (f"Penilaian nasional {CURRENT_YEAR} ({MARKER}; skala {self.scale:g}, "
                f"benih {self.seed}, {self.agencies} unit, {instrument.code} "
                f"{instrument.version}, {PRODUCTS} produk)")


def current_instrument(params: Params) -> Instrument:
    """The instrument the current round uses: the methodology's instrument of that code (its
    default version when several exist, else the newest)."""
    found = (Instrument.objects.filter(methodology__code=METHODOLOGY, code=params.instrument)
             .order_by("-is_default", "-created_at", "-id").first())
    if found is None:
        raise ValueError(f"no instrument {params.instrument!r} of {METHODOLOGY}")
    return found


def official_round_name(year: int) -> str:
    return f"Hasil resmi {year} ({MARKER})"


# --- the plan: names, shapes and qualities, drawn before anything is written ------------------

@dataclass
class PlannedProduct:
    name: str
    kind: str
    id: int | None = None


@dataclass
class PlannedAgency:
    name: str
    short_name: str
    kind: str
    id: int | None = None
    products: list = field(default_factory=list)

    def __post_init__(self):
        if not self.products:
            self.products = [PlannedProduct(name, kind) for name, kind in
                             zip(PRODUCT_NAMES[self.kind], PRODUCT_KINDS)][:PRODUCTS]


@dataclass
class PlannedGovernment:
    province: int  # index into the plan's provinces
    level: str
    name: str
    short_name: str
    quality: float
    code: str = ""
    agencies: list = field(default_factory=list)
    id: int | None = None
    zone: str = ""


@dataclass
class Plan:
    params: Params
    provinces: list  # names
    governments: list  # PlannedGovernment
    province_codes: list = field(default_factory=list)
    time_zones: list = field(default_factory=list)

    @property
    def agency_count(self) -> int:
        return sum(len(g.agencies) for g in self.governments)


def apportion(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder apportionment of ``total`` over ``weights`` (ties to the first)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    quotas = [total * w / weight_sum for w in weights]
    counts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def zone_quota(count: int) -> list[str]:
    """Zones for ``count`` governments ordered best first, in the 2022 national proportions."""
    sizes = apportion(count, [share for _zone, share in ZONE_SHARES])
    return [zone for (zone, _share), size in zip(ZONE_SHARES, sizes) for _ in range(size)]


def _agencies_for(rng: random.Random, level: str, mean: int, gov_number: str) -> list:
    count = max(7, round(mean * (1 + rng.uniform(-0.15, 0.15))))
    agencies = [PlannedAgency(name, short, kind) for name, short, kind in SAMPLED_OFFICES]
    if level != Level.PROVINSI:
        for number in range(1, 3 + rng.randint(0, 6)):
            agencies.append(PlannedAgency(f"Puskesmas Sintetis {gov_number}-{number:02d}",
                                          f"Puskesmas {number:02d}", AgencyKind.PUSKESMAS))
    others = list(OTHER_OFFICES)
    rng.shuffle(others)
    district = 0
    while len(agencies) < count:
        if others:
            name, short = others.pop()
        else:
            district += 1
            name, short = f"Kecamatan Sintetis {gov_number}-{district:02d}", f"Kec. {district:02d}"
        agencies.append(PlannedAgency(name, short, AgencyKind.OTHER))
    return agencies[:max(count, 5)]


def build_plan(params: Params) -> Plan:
    """Provinces, governments and agencies with their names and latent quality (no values)."""
    if params.scale <= 0:
        raise ValueError("scale must be positive")
    rng = random.Random(f"plan:{params.seed}")
    n_provinces = max(1, round(len(SHAPES) * params.scale))
    shape_index = [(i * len(SHAPES)) // n_provinces % len(SHAPES) for i in range(n_provinces)]
    shapes = [SHAPES[i] for i in shape_index]
    real = official_provinces()  # SHAPES follows the official order of provinces
    time_zones = [real[i].time_zone for i in shape_index]
    kabupaten = apportion(max(1, round(416 * params.scale)), [s[0] + 0.01 for s in shapes])
    kota = apportion(max(1, round(98 * params.scale)), [s[1] + 0.01 for s in shapes])
    if max(kabupaten) > 69 or max(kota) > 29:
        raise ValueError("scale too large for the code pattern (at most 69 kabupaten and 29 "
                         "kota in a province)")
    provinces = [f"Provinsi Sintetis {i + 1:02d}" for i in range(n_provinces)]
    province_codes = [f"S{i + 1:02d}" for i in range(n_provinces)]
    governments = []
    for index, name in enumerate(provinces):
        number, code = f"{index + 1:02d}", province_codes[index]
        entries = [(Level.PROVINSI, f"Pemerintah Provinsi Sintetis {number}",
                    f"Prov. {number}", f"{number}-00", code)]
        entries += [(Level.KABUPATEN, f"Kabupaten Sintetis {number}-{k + 1:02d}",
                     f"Kab. {number}-{k + 1:02d}", f"{number}-K{k + 1:02d}",
                     f"{code}.{k + 1:02d}") for k in range(kabupaten[index])]
        entries += [(Level.KOTA, f"Kota Sintetis {number}-{k + 1:02d}",
                     f"Kota {number}-{k + 1:02d}", f"{number}-T{k + 1:02d}",
                     f"{code}.{71 + k:02d}") for k in range(kota[index])]
        for level, gov_name, short, gov_number, gov_code in entries:
            government = PlannedGovernment(province=index, level=level, name=gov_name,
                                           short_name=short, quality=rng.random(), code=gov_code)
            government.agencies = _agencies_for(rng, level, params.agencies, gov_number)
            governments.append(government)
    order = sorted(range(len(governments)), key=lambda i: (-governments[i].quality, i))
    for position, zone in zip(order, zone_quota(len(governments))):
        governments[position].zone = zone
    plan = Plan(params=params, provinces=provinces, governments=governments,
                province_codes=province_codes, time_zones=time_zones)
    check_identity(plan)
    return plan


def check_identity(plan: Plan) -> None:
    """The rules an import relies on: one code per government, and no two governments of a
    province (or two provinces) whose names read the same."""
    columns = ([g.code for g in plan.governments], plan.province_codes,
               [(g.province, g.level, name_key(g.name)) for g in plan.governments],
               [name_key(name) for name in plan.provinces])
    if any(len(set(values)) != len(values) for values in columns):
        raise ValueError("the synthetic nation breaks the identity rules")


# --- the database: refuse, reuse, or build ------------------------------------------------------

def answer_slots(indicators) -> list:
    """The answers one unit holds, in checklist order: (indicator, None) for a per-unit
    indicator, and (indicator, 1 … PRODUCTS) for a per-product one (the sampled products in
    their order)."""
    return [(indicator, product) for indicator in indicators
            for product in ((None,) if not indicator.per_product
                            else range(1, PRODUCTS + 1))]


def check_database(params: Params) -> str:
    """"empty", "reuse" (this very nation is complete), or an exception explaining the refusal."""
    if Province.objects.filter(synthetic=False).exists() or \
            Round.objects.exclude(name__contains=MARKER).exists():
        raise NonSyntheticData(
            "This database holds non-synthetic data (provinces or rounds that the generator "
            "did not write); generate_national only runs on an empty or synthetic database.")
    if not Province.objects.exists() and not Round.objects.exists():
        return "empty"
    instrument = current_instrument(params)
    current = Round.objects.filter(name=params.current_round_name(instrument)).first()
    if current is None:
        existing = Round.objects.filter(is_official=False).values_list("name", flat=True).first()
        raise OtherNation(
            f"A different synthetic nation is here ({existing or 'incomplete'}); drop the "
            "database (or flush it) to build another one.")
    plan = build_plan(params)
    slots = len(answer_slots(checklist_indicators(instrument.id)))
    agencies = plan.agency_count
    expected = (len(plan.provinces), agencies, agencies * PRODUCTS, agencies * PRODUCTS,
                agencies * slots)
    found = (Province.objects.count(), Agency.objects.count(), ServiceProduct.objects.count(),
             ProductSample.objects.filter(assessment__round=current).count(),
             Answer.objects.filter(assessment__round=current).count())
    if found[:4] != expected[:4] or found[4] < expected[4]:
        raise OtherNation(f"The synthetic nation here is incomplete or altered (provinces, "
                          f"agencies, products, samples, answers {found}; expected {expected}).")
    return "reuse"


def _copy_or_bulk(model, rows: list[dict], now: datetime, batch_size: int = 5000):
    """Insert plain rows: COPY on PostgreSQL (psycopg2), bulk_create elsewhere."""
    if not rows:
        return
    raw = getattr(connection.cursor().cursor, "copy_expert", None) \
        if connection.vendor == "postgresql" else None
    if raw is None:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=batch_size)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    given = set(rows[0])
    constants = {}
    for f in fields:
        if f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constants[f.attname] = now
        else:
            constants[f.attname] = f.get_default()
    columns = [f.attname for f in fields]

    def text(value):
        if value is None:
            return r"\N"
        if value is True:
            return "t"
        if value is False:
            return "f"
        if isinstance(value, datetime):
            return value.isoformat()
        return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(text(row[c] if c in row else constants[c]) for c in columns))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f'COPY {model._meta.db_table} ({", ".join(columns)}) FROM STDIN', buffer)


@dataclass
class UnitDraw:
    values: list  # per answer slot (``answer_slots``): int, or None for N/A
    result: object  # compute_unit's UnitResult


SAMPLE_KEYS = list(range(1, PRODUCTS + 1))  # the samples' places while their ids are unknown


def _draw_unit(rng, slots, indicators, instrument, target, offsets) -> UnitDraw:
    """Draw a value for every answer slot and score the unit with the app's ``compute_unit``.
    The products are keyed by their place in the sample (1, 2) until the samples are written;
    ``compute_unit`` only matches answers to products by key, so the figures are the ones it
    gives for the real sample ids (the bench and the tests check it on every unit)."""
    values, answers = [], {}
    for indicator, product in slots:
        key = indicator.id if product is None else (indicator.id, product)
        scale = indicator.scale_max
        if rng.random() < NOT_APPLICABLE_SHARE:
            values.append(None)
            answers[key] = (None, True)
            continue
        p = min(0.99, max(0.02, (target + offsets[_offset_key(indicator)]) / 100))
        value = sum(1 for _ in range(scale) if rng.random() < p)
        values.append(value)
        answers[key] = (value, False)
    products = SAMPLE_KEYS if instrument.has_per_product else []
    return UnitDraw(values=values,
                    result=compute_unit(indicators, answers, instrument, products=products))


def _offset_key(indicator) -> str:
    """Where an indicator's strength is drawn: its component, or (for the 2022 instrument's
    indicators that concern none) its dimension."""
    return indicator.component_code or indicator.dimension


def _component_offsets(rng, codes) -> dict:
    raw = {code: rng.gauss(0, 9) - (6 if code in WEAK_COMPONENTS else 0) for code in codes}
    mean = sum(raw.values()) / len(raw)
    return {code: value - mean for code, value in raw.items()}


def _draw_government(rng, government, sampled_ids, indicators, spec, instrument):
    """Draw every unit's answers; redraw the sampled units until their mean (the government's
    mock score) falls in the zone the plan gave the government."""
    low, high = CURRENT_TARGETS[government.zone]
    target = rng.uniform(low, high)
    codes = sorted({_offset_key(i) for i in indicators})
    offsets = _component_offsets(rng, codes)
    slots = answer_slots(indicators)
    draws = {}
    for agency in government.agencies:
        if agency.id not in sampled_ids:
            unit_target = target + rng.gauss(0, 10)
            draws[agency.id] = _draw_unit(rng, slots, indicators, instrument, unit_target,
                                          offsets)
    sampled = [a for a in government.agencies if a.id in sampled_ids]
    for _attempt in range(MAX_REDRAWS):
        for agency in sampled:
            draws[agency.id] = _draw_unit(rng, slots, indicators, instrument,
                                          target + rng.gauss(0, 6), offsets)
        score = government_score(draws[a.id].result.score for a in sampled)
        band = spec.band(score)
        if band is not None and band.zone == government.zone:
            break
    return draws, score


def _official_results(plan: Plan, rounds: dict, spec) -> list:
    rng = random.Random(f"official:{plan.params.seed}")
    rows = []
    for year in OFFICIAL_YEARS:
        noisy = [(g.quality + rng.gauss(0, 0.15), i) for i, g in enumerate(plan.governments)]
        order = [i for _q, i in sorted(noisy, key=lambda item: (-item[0], item[1]))]
        for position, zone in zip(order, zone_quota(len(order))):
            government = plan.governments[position]
            low, high = OFFICIAL_RANGES[zone]
            score = round2(repr(rng.uniform(low, high)))
            band = spec.band(score)
            rows.append(GovernmentResult(
                round=rounds[year], government_id=government.id, score=score,
                category=band.category, zone=band.zone,
                source=GovernmentResult.Source.IMPORTED))
    return rows


def generate(params: Params, log=print) -> dict:
    """Build the nation in one transaction and return counts (and timings in seconds)."""
    started = time.perf_counter()
    status = check_database(params)
    if status == "reuse":
        return {"status": "reused", "seconds": round(time.perf_counter() - started, 1)}
    methodology = Methodology.objects.get(code=METHODOLOGY)
    spec = methodology_spec(methodology.id)
    chosen = current_instrument(params)
    instrument = instrument_spec(chosen.id)
    indicators = checklist_indicators(chosen.id)
    slots = answer_slots(indicators)
    plan = build_plan(params)
    now = timezone.now()
    timings = {}
    with transaction.atomic():
        mark = time.perf_counter()
        provinces = Province.objects.bulk_create(
            [Province(name=name, code=code, time_zone=zone, synthetic=True)
             for name, code, zone in zip(plan.provinces, plan.province_codes, plan.time_zones)])
        governments = Government.objects.bulk_create([
            Government(province=provinces[g.province], level=g.level, name=g.name,
                       short_name=g.short_name, code=g.code) for g in plan.governments],
            batch_size=2000)
        for planned, row in zip(plan.governments, governments):
            planned.id = row.id
        planned_agencies = [a for g in plan.governments for a in g.agencies]
        agencies = Agency.objects.bulk_create([
            Agency(government_id=g.id, name=a.name, short_name=a.short_name, kind=a.kind)
            for g in plan.governments for a in g.agencies], batch_size=5000)
        for planned, row in zip(planned_agencies, agencies):
            planned.id = row.id
        planned_products = [p for a in planned_agencies for p in a.products]
        products = ServiceProduct.objects.bulk_create([
            ServiceProduct(agency_id=a.id, name=p.name, kind=p.kind)
            for a in planned_agencies for p in a.products], batch_size=5000)
        for planned, row in zip(planned_products, products):
            planned.id = row.id
        timings["structure"] = time.perf_counter() - mark

        mark = time.perf_counter()
        official = {year: Round.objects.create(
            year=year, name=official_round_name(year), methodology=methodology,
            state=Round.State.PUBLISHED, is_official=True) for year in OFFICIAL_YEARS}
        GovernmentResult.objects.bulk_create(_official_results(plan, official, spec),
                                             batch_size=5000)
        timings["official_results"] = time.perf_counter() - mark

        mark = time.perf_counter()
        current = Round.objects.create(
            year=CURRENT_YEAR, name=params.current_round_name(chosen), methodology=methodology,
            instrument=chosen, state=Round.State.SELF_ASSESSMENT)
        RoundGovernment.objects.bulk_create(
            [RoundGovernment(round=current, government_id=g.id) for g in plan.governments],
            batch_size=5000)
        rng = random.Random(f"answers:{params.seed}")
        draws, zones = {}, {"green": 0, "yellow": 0, "red": 0}
        sampled_ids = set()
        for government in plan.governments:
            sample = default_sample(government.agencies)
            sampled_ids |= sample
            government_draws, score = _draw_government(rng, government, sample, indicators, spec,
                                                       instrument)
            draws.update(government_draws)
            band = spec.band(score)
            if band is not None:
                zones[band.zone] += 1
        timings["draw_and_score"] = time.perf_counter() - mark

        mark = time.perf_counter()
        assessments = Assessment.objects.bulk_create([
            Assessment(round=current, agency_id=a.id, sampled=a.id in sampled_ids,
                       status=Assessment.Status.IN_PROGRESS,
                       self_score=_rounded(draws[a.id].result.score),
                       answered_count=draws[a.id].result.answered)
            for a in planned_agencies], batch_size=5000)
        # Every unit's products sampled in the order the sampling page proposes (one of each
        # kind, administrative first): the samples' places 1, 2 of the draws.
        samples = ProductSample.objects.bulk_create([
            ProductSample(assessment_id=assessment.id, product_id=product.id, order=order)
            for agency, assessment in zip(planned_agencies, assessments)
            for order, product in enumerate(default_products(agency.products, PRODUCTS),
                                            start=1)], batch_size=5000)
        sample_ids = {(row.assessment_id, row.order): row.id for row in samples}
        timings["assessments"] = time.perf_counter() - mark

        mark = time.perf_counter()
        answers, scores, answer_count = [], [], 0
        for agency, assessment in zip(planned_agencies, assessments):
            draw = draws.pop(agency.id)
            for (indicator, product), value in zip(slots, draw.values):
                answers.append({"assessment_id": assessment.id, "indicator_id": indicator.id,
                                "product_sample_id": None if product is None
                                else sample_ids[(assessment.id, product)],
                                "value": value, "not_applicable": value is None})
            for component_id, score in draw.result.component_scores.items():
                scores.append({"assessment_id": assessment.id, "component_id": component_id,
                               "self_score": _rounded(score)})
            if len(answers) >= 100_000:
                answer_count += len(answers)
                _copy_or_bulk(Answer, answers, now)
                _copy_or_bulk(ComponentScore, scores, now)
                answers, scores = [], []
                log(f"  {answer_count:,} answers written")
        answer_count += len(answers)
        _copy_or_bulk(Answer, answers, now)
        _copy_or_bulk(ComponentScore, scores, now)
        timings["answers"] = time.perf_counter() - mark
    if connection.vendor == "postgresql":
        mark = time.perf_counter()
        with connection.cursor() as cursor:
            for model in (Answer, ComponentScore, Assessment, Agency, GovernmentResult,
                          ServiceProduct, ProductSample):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        timings["analyze"] = time.perf_counter() - mark
    return {
        "status": "built", "provinces": len(plan.provinces),
        "governments": len(plan.governments),
        "levels": {str(level): sum(1 for g in plan.governments if g.level == level)
                   for level in (Level.PROVINSI, Level.KABUPATEN, Level.KOTA)},
        "agencies": len(planned_agencies), "products": len(products),
        "product_samples": len(samples), "answers": answer_count,
        "instrument": f"{chosen.code} {chosen.version}", "answers_per_unit": len(slots),
        "current_round": current.id, "zones": zones,
        "seconds": round(time.perf_counter() - started, 1),
        "timings": {key: round(value, 1) for key, value in timings.items()},
    }


def _rounded(value):
    return None if value is None else round2(value)


def government_zones(round_: Round) -> dict:
    """The zone count of the governments' mock scores (mean of sampled units' self-scores)."""
    spec = methodology_spec(round_.methodology_id)
    units = {}
    for government_id, score in Assessment.objects.filter(round=round_, sampled=True) \
            .values_list("agency__government_id", "self_score"):
        units.setdefault(government_id, []).append(score)
    zones = {"green": 0, "yellow": 0, "red": 0}
    for scores in units.values():
        band = spec.band(government_score(scores))
        if band is not None:
            zones[band.zone] += 1
    return zones

