"""Production settings pass Django's deployment checklist with warnings treated as errors."""
import os
import subprocess
import sys
from pathlib import Path

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
