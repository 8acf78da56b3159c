"""Which governments a user is shown (``agencies.access.visible_governments``), directly and on
the home page that lists them.

Sulawesi Tenggara's 18 governments are loaded (sultra_2021.csv); the personas' scopes are
Kabupaten Muna Barat, except the outsider's (Kota Kendari) and the administrator's (all).
"""
import re

import pytest
from django.urls import reverse

from agencies.access import visible_governments
from agencies.models import Government


MUBAR = "Kabupaten Muna Barat"
KENDARI = "Kota Kendari"


# Built once for the module (tests/shared_round.py): every test runs in a savepoint of it.
from tests.shared_round import (  # noqa: E402,F401 (the fixtures live_round and personas)
    shared_module_live_round, shared_module_personas)


def names(user):
    return sorted(visible_governments(user).values_list("name", flat=True))


def listed_on_home(client, user):
    """The government links on the home page, by name, in page order."""
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    ids = [int(found) for found in re.findall(r'href="/governments/(\d+)/"', html)]
    by_id = dict(Government.objects.filter(id__in=ids).values_list("id", "name"))
    return [by_id[found] for found in ids]


@pytest.mark.django_db
def test_a_leader_of_muna_barat_sees_exactly_muna_barat(client, personas):
    assert Government.objects.count() == 18
    leader = personas["leader"]
    assert names(leader) == [MUBAR]
    assert listed_on_home(client, leader) == [MUBAR]
    assert KENDARI not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["operator", "operator_b", "coordinator", "assessor"])
def test_every_role_in_muna_barat_sees_only_muna_barat(client, personas, persona):
    assert names(personas[persona]) == [MUBAR]
    assert listed_on_home(client, personas[persona]) == [MUBAR]


@pytest.mark.django_db
def test_the_leader_of_kendari_sees_kendari_and_not_muna_barat(client, personas):
    assert names(personas["outsider"]) == [KENDARI]
    assert listed_on_home(client, personas["outsider"]) == [KENDARI]


@pytest.mark.django_db
def test_a_user_without_a_membership_sees_none(client, personas):
    from tests.conftest import make_user

    newcomer = make_user("newcomer")
    assert names(newcomer) == []
    assert listed_on_home(client, newcomer) == []


@pytest.mark.django_db
def test_the_administrator_sees_all_eighteen(client, personas):
    assert len(names(personas["admin"])) == 18
    listed = listed_on_home(client, personas["admin"])
    assert len(listed) == 18 and listed == sorted(listed)
