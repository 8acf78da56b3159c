"""Shared fixtures: the standard's reference data, Sulawesi Tenggara's published results,
named personas (operator, operator of another agency, coordinator, assessor, leader,
outsider, administrator), and the rounds several test folders build on (``sultra_units``,
``verifying``, ``verified_round``, ``field_round``, the fuzz tests' ``fuzz_world``).

Test modules never import from one another (tests/test_layering.py checks it): a fixture two
modules share lives here, a plain helper in a helper module (tests/assessments/helpers.py,
tests/browser/helpers.py, …). Each fixture body calls a plain ``build_…`` function, so that a
module can also build the same rows once for all its tests (``build_world_once`` below)."""
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Government, Membership, Role
from compliance.models import Methodology
from compliance.specs import clear_cache
from compliance.standard import load_standard

DATA = Path(__file__).resolve().parent.parent / "assessments" / "data"


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """make test's ``--dist load``: one test at a time (tests/xdist_helpers.py)."""
    if config.getvalue("dist") == "load":
        from tests.xdist_helpers import one_by_one_scheduling

        return one_by_one_scheduling(config, log)
    return None


def _transactional(item):
    """pytest-django's test for its second group (live server, transactional_db)."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    return ("transactional_db" in fixtures or "live_server" in fixtures
            or bool(marker and (marker.kwargs.get("transaction")
                                or marker.kwargs.get("reset_sequences"))))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """After pytest-django's order (database tests, transactional tests, the rest):

    * the modules that run in one process and mostly wait on programs of their own (the
      cluster's mix, ~1.5 minutes, on PostgreSQL) go first, so that the other processes work
      meanwhile; they touch no test database, so they may come before its tests;
    * the longest single tests (LONGEST_FIRST) open the transactional group, so that no process
      starts one of them while the other is finishing the last quick tests (the 2022 walk,
      ~55 s, started last in one measured run and ended it 17.6 s after the other process)."""
    from tests.xdist_helpers import LONGEST_FIRST, ONE_PROCESS_MODULES, module_of

    first = [item for item in items if module_of(item.nodeid) in ONE_PROCESS_MODULES]
    rest = [item for item in items if module_of(item.nodeid) not in ONE_PROCESS_MODULES]
    longest = sorted((item for item in rest if module_of(item.nodeid) in LONGEST_FIRST
                      and _transactional(item)),
                     key=lambda item: LONGEST_FIRST.index(module_of(item.nodeid)))
    if longest:
        rest = [item for item in rest if item not in longest]
        start = next((index for index, item in enumerate(rest) if _transactional(item)),
                     len(rest))
        rest[start:start] = longest
    items[:] = first + rest


@pytest.fixture(autouse=True)
def _fresh_methodology_cache():
    from django.utils import translation

    clear_cache()
    yield
    clear_cache()
    translation.activate("id")  # the default language, whatever a test switched to


_STANDARD_COUNTS = []  # the row counts of a complete standard, taken after the first load


def _standard_counts():
    from compliance.models import Band, Component, Dimension, Indicator, Instrument

    return [model.objects.count()
            for model in (Component, Methodology, Band, Instrument, Dimension, Indicator)]


def ensure_standard():
    """The components, methodologies and instruments as the data migration wrote them: loaded
    again only where a transactional test's flush removed them. ``load_standard`` upserts
    every row (~0.4 s of CPU, and most tests start from the standard); six counts tell whether
    it is there. A test's own changes to the standard are rolled back before the next test,
    so the rows are either the migration's or gone."""
    if _STANDARD_COUNTS and _standard_counts() == _STANDARD_COUNTS:
        return
    load_standard()
    if not _STANDARD_COUNTS:
        _STANDARD_COUNTS.extend(_standard_counts())


@pytest.fixture
def standard(db):
    """The components, checklist and methodologies (reloaded when transactional tests have
    flushed the rows the data migration wrote)."""
    ensure_standard()
    clear_cache()


def import_file(filename, year):
    from assessments.services.results import results_import
    from compliance.spreadsheets.reading import read_sheet

    path = DATA / filename
    return results_import(sheet=read_sheet(path.read_bytes(), path.name), year=year)


@pytest.fixture
def regions_sultra(db):
    """Sulawesi Tenggara's province and 18 governments from the official list (codes 74…):
    imports match governments, they do not create them."""
    from agencies.regions import regions_load

    regions_load(provinces={"74"})


def build_sultra():
    """Sulawesi Tenggara's published 2021 table and the 2022 rows that could be found, onto the
    standard and the province's governments already loaded; returns Muna Barat."""
    import_file("sultra_2021.csv", 2021)
    import_file("sultra_2022_partial.csv", 2022)
    return Government.objects.get(name="Kabupaten Muna Barat")


def build_sultra_from_scratch():
    """What the fixtures ``standard``, ``regions_sultra`` and ``sultra`` do, in one call (for
    worlds built once per module); returns Muna Barat."""
    from agencies.regions import regions_load

    ensure_standard()
    clear_cache()
    regions_load(provinces={"74"})
    return build_sultra()


@pytest.fixture
def sultra(standard, regions_sultra):
    """Sulawesi Tenggara's published 2021 table and the 2022 rows that could be found."""
    return build_sultra()


# Muna Barat's offices beyond DPMPTSP and Disdukcapil: the rest of the seven kinds a round
# samples, a third Puskesmas and an office that is never sampled by default.
MUBAR_OFFICES = [("Dinas Pendidikan", AgencyKind.PENDIDIKAN),
                 ("Dinas Kesehatan", AgencyKind.KESEHATAN),
                 ("Dinas Sosial", AgencyKind.SOSIAL),
                 ("Puskesmas Wuna", AgencyKind.PUSKESMAS),
                 ("Puskesmas Guali", AgencyKind.PUSKESMAS),
                 ("Puskesmas Tiworo", AgencyKind.PUSKESMAS),
                 ("Dinas Perhubungan", AgencyKind.OTHER)]


def make_user(username, role=None, government=None, agency=None):
    user = get_user_model().objects.create_user(username=username, password="x-Secret-2026!")
    if role:
        Membership.objects.create(user=user, role=role, government=government, agency=agency)
    return user


def build_live_round(sultra):
    """Muna Barat's current round with two sampled units, and Kendari's unit."""
    from assessments.models import Assessment, Round

    round_ = Round.objects.create(
        year=2026, name="Penilaian 2026", state=Round.State.SELF_ASSESSMENT,
        methodology=Methodology.objects.get(code="ombudsman-2022"),
        self_deadline=timezone.localdate() + timedelta(days=30))
    kendari = Government.objects.get(name="Kota Kendari")
    units = {
        "a": Agency.objects.create(government=sultra, name="DPMPTSP Muna Barat",
                                   short_name="DPMPTSP", kind=AgencyKind.DPMPTSP),
        "b": Agency.objects.create(government=sultra, name="Disdukcapil Muna Barat",
                                   short_name="Disdukcapil", kind=AgencyKind.DISDUKCAPIL),
        "k": Agency.objects.create(government=kendari, name="DPMPTSP Kendari",
                                   kind=AgencyKind.DPMPTSP),
    }
    assessments = {key: Assessment.objects.create(round=round_, agency=agency,
                                                  sampled=key != "k")
                   for key, agency in units.items()}
    return {"round": round_, "government": sultra, "kendari": kendari, "agencies": units,
            "assessments": assessments}


@pytest.fixture
def live_round(sultra):
    """Muna Barat's current round with two sampled units, and Kendari's unit."""
    return build_live_round(sultra)


def build_personas(live_round):
    government, agencies = live_round["government"], live_round["agencies"]
    admin = make_user("admin", Role.ADMINISTRATOR)
    return {
        "operator": make_user("operator", Role.OPERATOR, agency=agencies["a"]),
        "operator_b": make_user("operator_b", Role.OPERATOR, agency=agencies["b"]),
        "coordinator": make_user("coordinator", Role.COORDINATOR, government=government),
        "assessor": make_user("assessor", Role.ASSESSOR, government=government),
        "leader": make_user("leader", Role.LEADER, government=government),
        "outsider": make_user("outsider", Role.LEADER, government=live_round["kendari"]),
        "admin": admin,
        "anonymous": None,
    }


@pytest.fixture
def personas(live_round):
    return build_personas(live_round)


class Sessions:
    """One logged-in session per user, made once (``force_login``) and then handed to the test
    client by its cookie: switching users costs a cookie instead of a logout and a login (about
    ten queries, the signals' writes included). ``use`` leaves the client as
    ``Client.logout()`` and ``force_login`` would: no cookie but the user's session. The
    sessions must be made where the requests that use them cannot roll them back (outside the
    savepoint of each request)."""

    def __init__(self):
        self.keys = {}

    def use(self, client, user):
        from http.cookies import SimpleCookie

        from django.conf import settings

        client.cookies = SimpleCookie()
        if user is None:
            return
        if user.pk not in self.keys:
            client.force_login(user)
            self.keys[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
        else:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.keys[user.pk]


def build_world_once(django_db_blocker, build):
    """For a module-scoped fixture: ``build()`` runs once inside a transaction that is rolled
    back when the module is done; each test then runs in a savepoint of it (pytest-django's
    own, so the test needs ``db`` or ``django_db`` as usual) and starts from the same rows.
    Only for tests that leave nothing outside the database that a later test could see."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield build()
            transaction.set_rollback(True)


@pytest.fixture(scope="module")
def shared_live_round(django_db_setup, django_db_blocker):
    """``live_round`` and ``personas`` built once for a module whose tests only read them (and
    whose writes the savepoints roll back): such a module takes the two fixtures that hand
    these out from tests/shared_round.py."""
    def build():
        live_round = build_live_round(build_sultra_from_scratch())
        return {"live_round": live_round, "personas": build_personas(live_round)}

    yield from build_world_once(django_db_blocker, build)


@pytest.fixture(scope="module")
def shared_verified_round(django_db_setup, django_db_blocker):
    """``verified_round`` and its ``personas`` built once for a module whose tests only read
    them (their writes roll back with the savepoint): such a module takes the fixtures that
    hand these out from tests/shared_round.py."""
    def build():
        live_round = build_live_round(build_sultra_from_scratch())
        personas = build_personas(live_round)
        return {"verified_round": build_verified_round(live_round, personas),
                "personas": personas}

    yield from build_world_once(django_db_blocker, build)


def fresh_round(world):
    """The module's shared round with its rows read again: a test may have moved the round on
    (published it, say) and its rollback took that back in the database only."""
    world["round"].refresh_from_db()
    for assessment in world["assessments"].values():
        assessment.refresh_from_db()
    return world


def fresh_personas(personas):
    """The module's shared personas with their cached scopes dropped (``scope_of`` caches on
    the user object, and a test may have granted a role that its rollback took back)."""
    from agencies.access import forget_scope

    forget_scope(*[user for user in personas.values() if user is not None])
    return personas


# --- rounds built by the services: round_create, verification, finalising ---------------------

@pytest.fixture
def admin(db):
    return make_user("admin", Role.ADMINISTRATOR)


@pytest.fixture
def sultra_units(sultra):
    """Every Sultra government gets DPMPTSP and Disdukcapil; Muna Barat the full seven plus
    one office that is never sampled."""
    kinds = [("DPMPTSP", AgencyKind.DPMPTSP), ("Disdukcapil", AgencyKind.DISDUKCAPIL)]
    for government in Government.objects.all():
        for short, kind in kinds:
            Agency.objects.create(government=government, name=f"{short} {government.name}",
                                  short_name=short, kind=kind)
    for name, kind in MUBAR_OFFICES:
        Agency.objects.create(government=sultra, name=name, kind=kind)
    return sultra


@pytest.fixture
def verifying(admin, sultra_units):
    """A round in verification with Muna Barat (7 sampled) and Kota Kendari (2 sampled);
    the other governments are marked not assessed."""
    from assessments.models import Assessment
    from assessments.services.answers import answer_save
    from assessments.services.rounds import round_transition
    from tests.assessments.helpers import new_round
    from tests.checklists import checklist

    kendari = Government.objects.get(name="Kota Kendari")
    round_ = new_round(admin, [sultra_units, kendari])
    round_transition(round_=round_, to_state="self_assessment", by=admin)
    operator = make_user("op", Role.OPERATOR,
                         agency=Agency.objects.get(government=sultra_units, short_name="DPMPTSP"))
    dpmptsp = Assessment.objects.get(round=round_, agency__government=sultra_units,
                                     agency__short_name="DPMPTSP")
    for indicator in checklist().all():
        answer_save(assessment_id=dpmptsp.id, indicator=indicator, user=operator, value=3,
                    not_applicable=False, note="", expected_version=0)
    round_transition(round_=round_, to_state="verification", by=admin)
    assessor = make_user("assessor", Role.ASSESSOR, government=sultra_units)
    return {"round": round_, "mubar": sultra_units, "kendari": kendari, "admin": admin,
            "assessor": assessor, "operator": operator, "dpmptsp": dpmptsp}


@pytest.fixture
def verified_round(live_round, personas):
    """Muna Barat's round in verification, both sampled units verified and finalised (the
    values: tests/assessments/helpers.py; publish it with ``helpers.publish``)."""
    return build_verified_round(live_round, personas)


def build_verified_round(live_round, personas):
    """What ``verified_round`` does, on the given live round and personas."""
    from assessments.services.answers import answer_save
    from assessments.services.rounds import round_transition
    from assessments.services.verification import answer_verify, assessment_finalise
    from tests.assessments.fieldwork_fixtures import record_no_survey
    from tests.assessments.helpers import FINDINGS, NOTE, self_values, verified_values
    from tests.checklists import checklist

    round_ = live_round["round"]
    units = live_round["assessments"]
    operators = {"a": personas["operator"], "b": personas["operator_b"]}
    indicators = list(checklist().filter(active=True).select_related("component"))
    for key in ("a", "b"):
        for indicator in indicators:
            note = NOTE if (key, indicator.component.code, indicator.order) == (
                "a", "pengaduan", 1) else ""
            answer_save(assessment_id=units[key].id, indicator=indicator, user=operators[key],
                        value=self_values(key, indicator), not_applicable=False, note=note,
                        expected_version=0)
    round_transition(round_=round_, to_state="verification", by=personas["admin"])
    for key in ("a", "b"):
        for indicator in indicators:
            answer_verify(assessment_id=units[key].id, indicator=indicator,
                          user=personas["assessor"],
                          verified_value=verified_values(key, indicator),
                          verified_not_applicable=False,
                          finding=FINDINGS.get((key, indicator.component.code, indicator.order),
                                               ""),
                          expected_version=0)
        record_no_survey(units[key], personas["assessor"])
        assessment_finalise(assessment_id=units[key].id, user=personas["assessor"])
    for assessment in units.values():
        assessment.refresh_from_db()
    round_.refresh_from_db()
    return live_round


@pytest.fixture
def field_round(live_round, personas):
    """The live round of the conftest moved onto the small 2022-style test instrument
    (tests/assessments/fieldwork_fixtures.py), with two products per Muna Barat unit listed
    (none sampled yet) and a second assessor for Kendari."""
    from datetime import date

    from assessments.models import Round, ServiceProduct
    from tests.assessments.fieldwork_fixtures import build_instrument

    instrument, indicators = build_instrument()
    round_ = live_round["round"]
    Round.objects.filter(pk=round_.pk).update(
        instrument=instrument, verification_deadline=timezone.localdate() + timedelta(days=60))
    round_.refresh_from_db()
    products = {}
    for key in ("a", "b", "k"):
        agency = live_round["agencies"][key]
        products[key] = [
            ServiceProduct.objects.create(agency=agency, name="Izin usaha", kind="administrative",
                                          legal_basis="Perbup 12/2023"),
            ServiceProduct.objects.create(agency=agency, name="Konsultasi", kind="services"),
        ]
    Round.objects.filter(pk=round_.pk).update(state=Round.State.SELF_ASSESSMENT)
    live_round["kendari_assessor"] = make_user("assessor_k", Role.ASSESSOR,
                                               government=live_round["kendari"])
    live_round["assessments"]["k"].sampled = True
    live_round["assessments"]["k"].save()
    return {**live_round, "instrument": instrument, "indicators": indicators,
            "products": products, "personas": personas, "today": date(2026, 6, 15)}


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """The world of the fuzz and mass-assignment tests (tests/fuzz_world.py), built once per
    module: per test it would cost more than all their requests."""
    from tests.fuzz_world import build_world

    yield from build_world_once(django_db_blocker, build_world)
