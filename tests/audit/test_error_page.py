"""A failure shows a generic page with a reference, never a stack trace; the log has the same
reference, so a user's report can be matched to the traceback."""
import logging

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.urls_failing")]


def test_server_error_page_has_a_reference_and_no_stack_trace():
    from audit.logging import RequestIdFilter

    class Collect(logging.Handler):
        records = []

        def emit(self, record):
            self.records.append(record)

    handler = Collect()
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    client = Client(raise_request_exception=False)
    try:
        response = client.get("/failing/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    body = response.content.decode()
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 16 and request_id in body
    assert "Traceback" not in body and "secret detail" not in body
    assert "RuntimeError" not in body
    assert "Terjadi kesalahan" in body  # Indonesian by default
    record = handler.records[-1]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert record.request_id == request_id  # the log line names the page's reference


def test_server_error_page_in_english(settings):
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/failing/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_not_found_and_forbidden_pages_are_translated(client, personas):
    response = client.get("/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()
    client.force_login(personas["operator"])
    response = client.get("/rounds/")
    assert response.status_code == 403
    assert "Tidak diizinkan" in response.content.decode()


def test_every_response_carries_a_request_id(client):
    first = client.get("/accounts/login/").headers["X-Request-ID"]
    second = client.get("/accounts/login/").headers["X-Request-ID"]
    assert first != second
