import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from agencies.models import Agency, Government, Membership
from assessments.models import Answer, Assessment, GovernmentResult, OmbudsmanProduct, Round
from assessments.selectors.ombudsman_products import follow_up
from assessments.selectors.governments import government_history, live_rounds


def counts():
    return {model.__name__: model.objects.count() for model in (
        Government, Agency, Round, Assessment, Answer, GovernmentResult, Membership,
        OmbudsmanProduct, get_user_model())}


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Round.objects.exists()


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_tells_the_muna_barat_story(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "leader" in out.getvalue() and "operator" in out.getvalue()
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
    assert first["Government"] == 552 and first["Round"] == 3  # the official list
    assert not Government.objects.filter(code="").exists()
    mubar = Government.objects.get(name="Kabupaten Muna Barat")
    history = government_history(mubar)
    assert [(row.round.year, str(row.score), row.zone, row.peer_rank, row.peer_count)
            for row in history] == [(2021, "34.19", "red", 13, 15), (2022, "69.27", "yellow", 1, 2)]
    assert history[1].category == "C" and history[1].label == "Kualitas Sedang"
    (live,) = live_rounds(mubar)
    assert live.round.state == "self_assessment" and live.sampled_count == 7
    assert live.score is not None
    assert {unit.agency.short_name for unit in live.units if unit.sampled} == {
        "DPMPTSP", "Disdukcapil", "Dinas Pendidikan", "Dinas Kesehatan", "Dinas Sosial",
        "Puskesmas Guali", "Puskesmas Wuna"}
    dpmptsp = next(unit for unit in live.units if unit.agency.short_name == "DPMPTSP")
    # The current round runs on the 2025 Opini instrument (eight indicators); the imported
    # rounds keep the methodologies of their years.
    assert (live.round.methodology.code, live.round.instrument.code) == (
        "ombudsman-2025", "ombudsman-2025-opini")
    assert [row.round.methodology.code for row in history] == ["ombudsman-2016",
                                                               "ombudsman-2022"]
    assert dpmptsp.answered_count == 5  # 65 % of the eight indicators, rounded
    # Four Ombudsman products: two followed up on time, one overdue, one not yet due.
    assert first["OmbudsmanProduct"] == 4
    result = follow_up(government_id=mubar.id, round_id=live.round.id)
    assert (result.due, result.on_time, result.value) == (3, 2, 2)
