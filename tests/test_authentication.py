"""Authentication: throttling that cannot lock a real user out for good, safe redirects,
session rotation, deactivation and password changes taking effect at once."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from compliance.client_ip import client_ip

PASSWORD = "x-Secret-2026!"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("sekda", password=PASSWORD)


def login(client, username="sekda", password=PASSWORD, address="10.0.0.1", **extra):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address, **extra)


@pytest.mark.django_db
def test_guessing_is_stopped_but_the_real_user_elsewhere_still_gets_in(client, user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, password="wrong", address="203.0.113.9").status_code == 200
    assert login(client, password="wrong", address="203.0.113.9").status_code == 429
    locked = login(client, address="203.0.113.9")  # even the right password is refused now
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    real = login(client, address="10.0.0.1")  # the real user, from the office
    assert real.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_lock_lifts_after_the_cool_off(client, user, settings):
    from axes.models import AccessAttempt

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, password="wrong")
    assert login(client).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME
                                 - timedelta(minutes=1))
    assert login(client).status_code == 302


@override_settings(TRUSTED_PROXIES=["10.9.9.9"])
def test_forwarded_address_is_believed_only_from_a_trusted_proxy():
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(spoofed) == "198.51.100.7"
    proxied = factory.get("/", REMOTE_ADDR="10.9.9.9",
                          HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert client_ip(proxied) == "203.0.113.5"


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_next_cannot_leave_the_site(client, user, target):
    response = client.post(reverse("login") + f"?next={target}",
                           {"username": "sekda", "password": PASSWORD, "next": target},
                           REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 302 and response["Location"] == reverse("home")


@pytest.mark.django_db
def test_session_rotates_on_login_and_ends_on_logout(client, user):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    login(client)
    after = client.session.session_key
    assert after and after != before
    assert client.get(reverse("logout")).status_code == 405  # no state change on GET
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session
    from django.contrib.sessions.models import Session
    assert not Session.objects.filter(session_key=after).exists()


@pytest.mark.django_db
def test_deactivated_user_loses_the_session_at_once(client, user):
    login(client)
    assert client.get(reverse("home")).context["user"].is_authenticated
    user.is_active = False
    user.save()
    assert not client.get(reverse("home")).context["user"].is_authenticated


@pytest.mark.django_db
def test_password_change_ends_other_sessions(client, user):
    from django.test import Client

    other = Client()
    login(other, address="10.0.0.3")
    login(client, address="10.0.0.4")
    user.set_password("another-Secret-2027")
    user.save()
    assert not other.get(reverse("home")).context["user"].is_authenticated


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["12345678901", "password123", "qwertyuiop", "short"])
def test_weak_passwords_are_refused(user, password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.django_db
def test_csrf_is_enforced_on_login(user):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "sekda", "password": PASSWORD})
    assert response.status_code == 403
