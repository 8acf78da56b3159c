"""The ``live_round`` and ``personas`` of a module whose tests only read them, built once for
the module (``shared_live_round`` in tests/conftest.py); every test runs in a savepoint of it.
A module takes them by importing ``shared_module_live_round`` and
``shared_module_personas`` (fixtures named ``live_round`` and ``personas``); likewise the
``verified_round`` (``shared_verified_round``) through ``shared_module_verified_round`` and
``shared_verified_personas``."""
import pytest

from .conftest import fresh_personas, fresh_round


@pytest.fixture(name="live_round")
def shared_module_live_round(shared_live_round, db):
    return shared_live_round["live_round"]


@pytest.fixture(name="personas")
def shared_module_personas(shared_live_round, db):
    return fresh_personas(shared_live_round["personas"])


@pytest.fixture(name="verified_round")
def shared_module_verified_round(shared_verified_round, db):
    return fresh_round(shared_verified_round["verified_round"])


@pytest.fixture(name="personas")
def shared_verified_personas(shared_verified_round, db):
    return fresh_personas(shared_verified_round["personas"])
