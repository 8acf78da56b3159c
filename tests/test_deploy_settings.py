"""Production settings pass Django's deployment checklist with warnings treated as errors."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "kepatuhan.example.go.id",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "DJANGO_SETTINGS_MODULE": "compliance.settings",
}


def run_manage(*args, **extra_env):
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process; a server never has it.
    env = {key: value for key, value in os.environ.items()
           if key not in PRODUCTION and key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PRODUCTION, **extra_env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", SECRET_KEY="")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr



def clean_environment(**variables):
    """Only what the operating system needs to run Python, plus ``variables``: nothing from the
    developer's or CI's environment (DEBUG, DATABASE_URL, ...)."""
    keep = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return {**keep, "DJANGO_SETTINGS_MODULE": "compliance.settings", **variables}


MINIMAL = {
    "SECRET_KEY": "a-long-random-production-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "kepatuhan.example.go.id",
    "DATABASE_URL": "postgres://kepatuhan@db.example.go.id:5432/kepatuhan",
}
# manage.py as a server runs it: the working tree's .env (DEBUG=true, written by `make run` and
# `make test`; git ignores it, a server has none) is not read.
WITHOUT_DOTENV = ("import runpy, sys, environ; environ.Env.read_env = lambda *a, **k: None; "
                  "sys.argv = ['manage.py', *sys.argv[1:]]; "
                  "runpy.run_path('manage.py', run_name='__main__')")
SHOW = ("from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)")


def run_clean(*args, env):
    return subprocess.run([sys.executable, "-c", WITHOUT_DOTENV, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_only_the_three_required_variables():
    """HTTPS redirect and a year of HSTS need no switch: a server whose operator set only what
    is required is still safe."""
    env = clean_environment(**MINIMAL)
    result = run_clean("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    shown = run_clean("shell", "-v", "0", "-c", SHOW, env=env)
    assert shown.stdout.split() == ["False", "True", "31536000", "True", "True", "True",
                                    "True", "None"], shown.stderr


def test_a_plain_http_intranet_turns_them_off_explicitly():
    env = clean_environment(**MINIMAL, SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0",
                            SESSION_COOKIE_SECURE="false", CSRF_COOKIE_SECURE="false")
    shown = run_clean("shell", "-v", "0", "-c", SHOW, env=env)
    assert shown.stdout.split() == ["False", "False", "0", "False", "False", "False", "False",
                                    "None"], shown.stderr
    result = run_clean("check", "--deploy", env=env)
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout, warning  # the choice stays visible


def test_behind_a_tls_proxy_the_forwarded_scheme_is_believed():
    shown = run_clean("shell", "-v", "0", "-c", SHOW, env=clean_environment(
        **MINIMAL, TRUSTED_PROXIES="127.0.0.1"))
    assert shown.stdout.split()[-2:] == ["('HTTP_X_FORWARDED_PROTO',", "'https')"], shown.stderr


def test_the_dotenv_guard_is_what_keeps_debug_off():
    """Control: through plain manage.py the working tree's .env would turn DEBUG on (when it
    exists), which is why the tests above run without it."""
    if not (ROOT / ".env").exists() or "DEBUG=true" not in (ROOT / ".env").read_text():
        pytest.skip("no .env with DEBUG=true in this working tree")
    shown = subprocess.run([sys.executable, "manage.py", "shell", "-v", "0", "-c", SHOW], cwd=ROOT,
                           env=clean_environment(**MINIMAL), capture_output=True, text=True,
                           timeout=120)
    assert shown.stdout.split()[:3] == ["True", "False", "0"], shown.stderr
