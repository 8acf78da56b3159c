"""Shared fixtures: the standard's reference data, Sulawesi Tenggara's published results and
named personas (operator, operator of another agency, coordinator, assessor, leader,
outsider, administrator)."""
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Government, Membership, Role
from compliance.models import Methodology
from compliance.specs import clear_cache
from compliance.standard import load_standard

DATA = Path(__file__).resolve().parent.parent / "assessments" / "data"


@pytest.fixture(autouse=True)
def _fresh_methodology_cache():
    from django.utils import translation

    clear_cache()
    yield
    clear_cache()
    translation.activate("id")  # the default language, whatever a test switched to


@pytest.fixture
def standard(db):
    """The components, checklist and methodologies (reloaded: transactional tests flush the
    rows the data migration wrote)."""
    load_standard()
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


@pytest.fixture
def sultra(standard, regions_sultra):
    """Sulawesi Tenggara's published 2021 table and the 2022 rows that could be found."""
    import_file("sultra_2021.csv", 2021)
    import_file("sultra_2022_partial.csv", 2022)
    return Government.objects.get(name="Kabupaten Muna Barat")


def make_user(username, role=None, government=None, agency=None):
    user = get_user_model().objects.create_user(username=username, password="x-Secret-2026!")
    if role:
        Membership.objects.create(user=user, role=role, government=government, agency=agency)
    return user


@pytest.fixture
def live_round(sultra):
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
def personas(live_round):
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
