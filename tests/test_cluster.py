"""Several servers, proven: ``make cluster`` (scripts/cluster.py) on free loopback ports, then
the operators' mix through nginx (scripts/cluster_mix.py): sessions, CSRF, login throttling,
evidence in the shared MEDIA_ROOT, exports, the Celery worker and the audit trail work whichever
instance answers, and no acknowledged save is lost when one instance is stopped or killed.

Needs nginx, openssl, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (.ci/run installs
and starts them). Runs in the PostgreSQL pass only (the cluster always uses PostgreSQL, so the
SQLite pass would repeat it); ``pytest -m "not cluster"`` leaves it out. About 1.5 minutes."""
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from tests.xdist_helpers import run_id

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


def _answers(host, port):
    with socket.socket() as probe:
        probe.settimeout(2)
        return probe.connect_ex((host, port)) == 0


def _missing():
    if connection.vendor != "postgresql":
        return "runs in the PostgreSQL pass (set DATABASE_URL): the cluster uses PostgreSQL"
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        return "nginx is not installed (Debian package nginx; .ci/run installs it)"
    if not shutil.which("openssl"):
        return "openssl is not installed (.ci/run installs it)"
    if not _answers("127.0.0.1", 5432):
        return "PostgreSQL does not answer on 127.0.0.1:5432"
    if not _answers("127.0.0.1", 6379):
        return "Redis does not answer on 127.0.0.1:6379 (.ci/run starts it)"
    return None


pytestmark = [pytest.mark.cluster, pytest.mark.skipif(_missing() is not None,
                                                      reason=_missing() or "")]

# Every check the mix makes, literally: a check that disappears from the mix fails here.
CHECKS = [
    "session: one login, checklist pages from both instances",
    "CSRF: a token issued by one instance is accepted by the other",
    "CSRF: a forged token is refused by both instances",
    "login throttling: failures on both instances lock the account on both",
    "login throttling: counted once, under nginx's address, not the spoofed ones",
    "evidence: uploaded through one instance, identical from both",
    "exports: the government workbook from both instances",
    "worker: the periodic report made by Celery downloads from both instances",
    "load: both instances served the mix before the stop",
    "load: a planned stop (drained through nginx, then SIGTERM) fails no request",
    "load: instance 1 serves again after its restart",
    "load: no acknowledged save lost (stop, restart, kill)",
    "audit trail: every acknowledged save has its entry (request id, operator)",
]


def free_ports(count):
    """Free ports below the kernel's ephemeral range (32768–60999 here): a port from that range
    can be taken, while an instance is restarted, as the source port of any outgoing
    connection on the machine (to PostgreSQL, Redis, the other instance)."""
    import random

    found = []
    for port in random.sample(range(20000, 32000), 400):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        found.append(port)
        if len(found) == count:
            return found
    raise RuntimeError("no free ports between 20000 and 32000")


@pytest.fixture(scope="module")
def mix_result():
    """The mix's result, made once per test run: under pytest-xdist (make test) this module's
    tests may be spread over several processes; the first to come starts the cluster and runs
    the mix (the others wait on a lock), and every process reads the same result."""
    run = run_id()
    if run is None:
        return run_mix()
    shared = Path(tempfile.gettempdir()) / f"kepatuhan-cluster-mix-{run}.json"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if shared.exists():
            return json.loads(shared.read_text())
        result = run_mix()
        shared.write_text(json.dumps(result))
        return result


def run_mix():
    """Start the cluster on free ports with a database of its own, run the mix, stop it."""
    import psycopg2

    settings = connection.settings_dict
    server = {"host": settings["HOST"] or "127.0.0.1", "port": settings["PORT"] or 5432,
              "user": settings["USER"] or "postgres", "password": settings["PASSWORD"] or None}
    if server["host"] not in ("127.0.0.1", "localhost"):
        pytest.skip("the cluster uses a loopback PostgreSQL only")
    name = f"kep_cluster_test_{os.getpid()}"
    auth = server["user"] + (f":{server['password']}" if server["password"] else "")
    # Not under pytest's own temporary directory (mode 0700): nginx drops to nobody as root.
    run_dir = Path(tempfile.mkdtemp(prefix="kepatuhan-cluster-"))
    run_dir.chmod(0o755)
    https, http, app1, app2 = free_ports(4)
    command = [sys.executable, str(SCRIPTS / "cluster.py")]
    where = ["--run-dir", str(run_dir)]
    started = subprocess.run(
        [*command, "start", *where,
         "--database-url", f"postgres://{auth}@{server['host']}:{server['port']}/{name}",
         "--broker", "redis://127.0.0.1:6379/8", "--cache", "redis://127.0.0.1:6379/7",
         "--https-port", str(https),
         "--http-port", str(http), "--app-ports", f"{app1},{app2}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        sys.path.insert(0, str(SCRIPTS))
        try:
            import cluster_mix
            return cluster_mix.Mix(run_dir).run(duration=16)
        finally:
            sys.path.remove(str(SCRIPTS))
    finally:
        subprocess.run([*command, "stop", *where], cwd=ROOT, timeout=300)
        admin = psycopg2.connect(dbname="postgres", **server)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.mark.parametrize("name", CHECKS)
def test_the_cluster_holds(mix_result, name):
    found = [check for check in mix_result["checks"] if check["check"] == name]
    assert len(found) == 1, f"the mix made no check {name!r}"
    assert found[0]["ok"], found[0]


def test_the_mix_makes_no_other_check(mix_result):
    assert [check["check"] for check in mix_result["checks"]] == CHECKS
