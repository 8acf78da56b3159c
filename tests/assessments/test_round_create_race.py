"""Two administrators create a round with the same year and name at the same moment: both pass
the form's uniqueness check, the database's unique constraint stops the second insert, and the
loser sees the form's "already exists" error next to the name (400), never a 500.

The race is staged in one connection (the other administrator's round is inserted between the
service's validation and its insert) so that it runs on SQLite and PostgreSQL alike, and once
with two real transactions on PostgreSQL."""
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from assessments.models import Assessment, Round, RoundGovernment, RoundTransition
from assessments.services.rounds import round_create
from compliance.models import Methodology

from .race_helpers import Gate

YEAR, NAME = 2027, "Penilaian 2027"
TAKEN = "A round with this year and name already exists."
TAKEN_ID = "Periode penilaian dengan tahun dan nama ini sudah ada."


@pytest.fixture
def methodology(standard):
    return Methodology.objects.get(code="ombudsman-2022")


def competitor_inserted_after_validation(monkeypatch, methodology):
    """The other administrator's round lands between ``full_clean`` and the insert."""
    original = Round.full_clean

    def full_clean(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.pk is None and not Round.objects.filter(year=YEAR, name=NAME).exists():
            Round.objects.create(year=YEAR, name=NAME, methodology=methodology)

    monkeypatch.setattr(Round, "full_clean", full_clean)


@pytest.mark.django_db
def test_the_loser_of_the_race_gets_the_form_error_not_a_500(client, personas, live_round,
                                                            methodology, monkeypatch):
    client.force_login(personas["admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    government = live_round["government"]
    competitor_inserted_after_validation(monkeypatch, methodology)
    counts = (Round.objects.count(), RoundGovernment.objects.count(),
              Assessment.objects.count(), RoundTransition.objects.count())

    response = client.post(reverse("round-create"), {
        "year": str(YEAR), "name": NAME, "methodology": str(methodology.id),
        "self_deadline": "", "verification_deadline": "", "province": "",
        "governments": [str(government.id)]})

    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert TAKEN in response.content.decode()
    # Staged in one connection, the competitor's insert shares the loser's transaction and is
    # rolled back with it: nothing of either stays.
    assert counts == (Round.objects.count(), RoundGovernment.objects.count(),
                      Assessment.objects.count(), RoundTransition.objects.count())


@pytest.mark.django_db
def test_the_service_raises_the_unique_error_not_an_integrity_error(personas, methodology,
                                                                   monkeypatch):
    competitor_inserted_after_validation(monkeypatch, methodology)
    with pytest.raises(ValidationError) as caught:
        round_create(year=YEAR, name=NAME, methodology=methodology, governments=[],
                     by=personas["admin"])
    assert [error.code for error in caught.value.error_dict["__all__"]] == ["unique_together"]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="real concurrent transactions need PostgreSQL (SQLite locks the "
                           "whole file)")
@pytest.mark.django_db(transaction=True)
def test_two_real_transactions_one_round_and_one_form_error(personas, methodology, monkeypatch):
    """The first administrator stops after validating; the second creates the round and
    commits; the first's insert then meets the unique constraint."""
    gate = Gate("first")
    gate.install(monkeypatch, Round, "save")
    admin, outcome = personas["admin"], {}

    def create(name):
        try:
            round_create(year=YEAR, name=NAME, methodology=methodology, governments=[],
                         by=admin)
            outcome[name] = "created"
        except ValidationError as exc:
            outcome[name] = [error.code for error in exc.error_dict["__all__"]]
        except Exception as exc:  # the 500 this test guards against
            outcome[name] = repr(exc)
        finally:
            connection.close()

    first = threading.Thread(target=create, args=("first",), name="first")
    first.start()
    assert gate.arrived["first"].wait(30)
    second = threading.Thread(target=create, args=("second",), name="second")
    second.start()
    second.join(30)
    gate.released["first"].set()
    first.join(30)

    assert outcome["second"] == "created"
    assert outcome["first"] == ["unique_together"]
    assert Round.objects.filter(year=YEAR, name=NAME).count() == 1


@pytest.mark.django_db
def test_a_taken_name_is_said_rightly_in_indonesian(client, personas, live_round, methodology):
    """Django's own Indonesian for a taken (year, name) says "does not exist" ("tidak ada")."""
    client.force_login(personas["admin"])
    response = client.post(reverse("round-create"), {
        "year": "2026", "name": "Penilaian 2026", "methodology": str(methodology.id),
        "province": "", "governments": [str(live_round["government"].id)]})
    assert response.status_code == 400
    assert TAKEN_ID in response.content.decode()
