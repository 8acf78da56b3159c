"""Settings for the test suite: the project settings plus what makes a test run fast and isolated.

The environment defaults are set before the import because compliance.settings reads them at
import time: DEBUG on (no SECRET_KEY needed, no Secure cookies over the live server's plain
http), and plain StaticFilesStorage so `{% static %}` works without a collectstatic manifest.
An existing environment wins (CI passes DATABASE_URL; a developer may pass anything else).
"""
import atexit
import os
import shutil
import tempfile

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("STATIC_MANIFEST", "false")

from compliance.settings import *  # noqa: E402,F401,F403
from pathlib import Path  # noqa: E402

# One PBKDF2 check costs ~0.2 s here; tests create and log in many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Uploaded evidence goes to a throwaway directory, never into the working tree.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="kepatuhan-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

# The test runner forces DEBUG off, and WhiteNoise would then only look in STATIC_ROOT (which
# does not exist before collectstatic) and warn about it. Serve straight from the finders, as in
# development. (The live server does not even reach WhiteNoise for /static/: pytest-django wraps
# it in staticfiles' StaticFilesHandler, which answers those paths itself.)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True


# The browser tests' live server shares SQLite's one in-memory connection between its threads:
# serve one request at a time there (tests/serial_requests.py).
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    MIDDLEWARE = ["tests.serial_requests.SerialRequests", *MIDDLEWARE]  # noqa: F405
