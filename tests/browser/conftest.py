"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live_server.

Playwright cannot download its own browser here, so we launch the system package
(`apt-get install chromium`, see .ci/run). Every test in this folder is marked `browser`
(`pytest -m "not browser"` skips them) and should use `live_server`, which gives the test
`transactional_db` semantics: the server thread sees committed rows only, so data the test
creates must be committed, and the tables are flushed after each test.
"""
import os
from pathlib import Path

import django.test.testcases
import pytest

# Playwright's sync API keeps an asyncio event loop running in the main thread for the whole
# session, so Django's async-safety guard would refuse every ORM call a test (or a later
# non-browser test) makes once the `playwright` fixture has started. The app itself is sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

HERE = Path(__file__).parent


class _NoMediaFilesHandler:
    """Stands in for Django's live-server media handler: passes every request to the app."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        return self.application(environ, start_response)


@pytest.fixture(scope="session")
def _live_server_without_media_handler():
    """Let the live server start although MEDIA_URL is None.

    Django's LiveServerThread wraps the app in a handler that publishes MEDIA_ROOT under
    MEDIA_URL; with MEDIA_URL = None (evidence is only served through scoped views) that handler
    crashes on every request (urlparse(None) gives bytes). Production publishes no media URL
    either, so the live server does without the handler. The thread builds its handler before
    live_server returns, so the patch is only needed while it starts.
    """
    from django.conf import settings

    with pytest.MonkeyPatch.context() as patch:
        if settings.MEDIA_URL is None:
            patch.setattr(django.test.testcases, "_MediaFilesHandler", _NoMediaFilesHandler)
        yield


@pytest.fixture(scope="session")
def live_server(_live_server_without_media_handler, live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig):
    """Launch the system Chromium; `--headed` (with a display) still works for debugging."""
    args = list(CHROMIUM_ARGS)
    if pytestconfig.getoption("--headed"):
        args.remove("--headless")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, not only this folder's: filter by path.
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
