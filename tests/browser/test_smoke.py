"""Proves the browser-test plumbing: Chromium starts, the live server answers, static files load."""
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect


def test_admin_login_page_renders_with_its_stylesheet(live_server, page):
    static_responses = []
    page.on(
        "response",
        lambda response: static_responses.append(response)
        if "/static/" in response.url else None,
    )

    page.goto(live_server.url + "/admin/login/")

    expect(page.locator("input[type=password]")).to_be_visible()
    # The admin's own CSS comes through the live server's static handler (no collectstatic).
    assert static_responses, "the login page loaded no static files"
    assert all(r.status == 200 for r in static_responses), [
        (r.url, r.status) for r in static_responses
    ]


def test_live_server_serves_project_static_files(live_server, page):
    # Files under static/ (STATICFILES_DIRS) come straight from the finders, no collectstatic.
    static_dir = Path(settings.BASE_DIR) / "static"
    css = next(static_dir.rglob("*.css"), None)
    if css is None:
        pytest.skip("no stylesheet under static/ yet")

    url = f"{live_server.url}/static/{css.relative_to(static_dir).as_posix()}"

    response = page.request.get(url)

    assert response.status == 200
    assert response.headers["content-type"].startswith("text/css")
