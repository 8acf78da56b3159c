"""Refusals leave a trace: one WARNING line on ``kepatuhan.security`` per 403, per 404 of a
logged-in user, per CSRF failure and per locked-out login, naming user, address, method and path
(the log format adds the request id); and failed logins stay on record after a later success."""
import io
import logging

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from agencies.models import Role
from audit.logging import RequestIdFilter

from .conftest import make_user

PASSWORD = "x-Secret-2026!"
LOGGER = "kepatuhan.security"


@pytest.fixture
def refusals(caplog):
    caplog.set_level(logging.WARNING, logger=LOGGER)

    def lines():
        return [record.getMessage() for record in caplog.records if record.name == LOGGER]
    return lines


@pytest.fixture
def budi(db):
    return make_user("budi")  # logged in, but no role anywhere


@pytest.fixture
def admin(db):
    return make_user("admin", Role.ADMINISTRATOR)


def login(client, password, address="203.0.113.9"):
    return client.post(reverse("login"), {"username": "budi", "password": password},
                       REMOTE_ADDR=address)


def test_a_forbidden_page_is_one_line_with_who_where_and_what(client, budi, refusals):
    client.force_login(budi)
    response = client.get("/rounds/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403
    assert refusals() == [
        f"refused status=403 reason=forbidden user={budi.pk}:budi ip=10.1.2.3 method=GET "
        "path=/rounds/"]


def test_a_logged_in_users_404_is_logged_an_anonymous_one_is_not(client, admin, refusals):
    assert client.get("/rounds/987654/", REMOTE_ADDR="10.1.2.3").status_code == 302  # to login
    assert client.get("/no-such-page/", REMOTE_ADDR="10.1.2.3").status_code == 404
    assert refusals() == []
    client.force_login(admin)
    assert client.post("/rounds/987654/transition/", REMOTE_ADDR="10.1.2.4").status_code == 404
    assert refusals() == [
        f"refused status=404 reason=not_found user={admin.pk}:admin ip=10.1.2.4 method=POST "
        "path=/rounds/987654/transition/"]


def test_a_csrf_failure_is_logged_as_such(budi, refusals):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "budi", "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 403
    assert refusals() == [
        "refused status=403 reason=csrf user=- ip=198.51.100.20 method=POST "
        "path=/accounts/login/"]


def test_a_locked_out_login_is_logged_once_with_the_account_guessed_at(client, budi, refusals):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "wrong").status_code == 200
    assert refusals() == []  # a wrong password is not yet a refusal of the request
    assert login(client, "wrong").status_code == 429
    assert refusals() == [
        "refused status=429 reason=locked_out user=- ip=203.0.113.9 method=POST "
        "path=/accounts/login/ login=budi"]


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_the_address_is_the_one_the_login_throttle_believes(client, budi, refusals):
    client.force_login(budi)
    client.get("/rounds/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    client.get("/rounds/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert [line.split(" ip=")[1].split()[0] for line in refusals()] == [
        "1.2.3.4", "198.51.100.7"]


def test_a_hostile_path_stays_on_one_line(client, budi, refusals):
    client.force_login(budi)
    client.get("/rounds/%0Afake%20refused%20status=200/", REMOTE_ADDR="10.1.2.3")
    assert refusals() == [
        f"refused status=404 reason=not_found user={budi.pk}:budi ip=10.1.2.3 method=GET "
        'path="/rounds/\\nfake refused status=200/"']


def test_the_line_carries_the_request_id_the_user_sees(client, budi):
    """Formatted as the project's console handler formats it (compliance.settings LOGGING)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    try:
        client.force_login(budi)
        response = client.get("/rounds/", REMOTE_ADDR="10.1.2.3")
    finally:
        logger.removeHandler(handler)
    request_id = response["X-Request-ID"]
    assert len(request_id) == 16
    assert stream.getvalue().count("\n") == 1
    assert f" WARNING [{request_id}] kepatuhan.security: refused status=403 " in stream.getvalue()


def test_failed_logins_stay_on_record_after_a_success(client, budi):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    assert login(client, "wrong").status_code == 200
    assert login(client, "also wrong").status_code == 200
    assert login(client, PASSWORD).status_code == 302
    assert AccessAttempt.objects.count() == 0  # the throttle's counter is reset by the success
    failures = AccessFailureLog.objects.order_by("attempt_time")
    assert [(f.username, f.ip_address, f.locked_out) for f in failures] == [
        ("budi", "203.0.113.9", False), ("budi", "203.0.113.9", False)]
    assert all(f.attempt_time is not None for f in failures)
    assert [(a.username, a.ip_address) for a in AccessLog.objects.all()] == [
        ("budi", "203.0.113.9")]
