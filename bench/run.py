"""``make bench``: build (or reuse) the synthetic nation and measure the pages, the writes, the
national export, the recomputation, the national workbook asked for in the browser (a background
job through a real worker), the leaders' periodic reports and a load run against gunicorn, with
the targets of issues 6 and 15. ``--only step,step`` runs some of them.

Usage: .venv/bin/python bench/run.py [--scale 1.0] [--seed N] [--repeat 30] [--users 200]
       [--duration 60] [--workers 4] [--skip-load]

It runs on its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
kepatuhan_bench), created if missing. Pages are timed in-process through Django's test client
(the full middleware and template stack, no network), each case with warm-up runs, then
``--repeat`` measured runs; the query count comes from one extra run, and the peak memory of the
Python heap (tracemalloc) from another, so neither disturbs the timings. The national export and
the load run are separate processes (peak RSS from wait4; gunicorn bound to 127.0.0.1 only).
The table is printed and written as JSON under bench/results/.
"""
import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"  # the JSON reports (git-ignored, but latest.json)
WORK = Path(tempfile.gettempdir()) / "kepatuhan-bench"  # logs, the load config, the export
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kepatuhan_bench"
BENCH_PASSWORD = "bench-Sintetis-2026"  # synthetic database only
PORT = int(os.environ.get("BENCH_PORT", "8765"))

ENV = {
    "DJANGO_SETTINGS_MODULE": "compliance.settings",
    "DEBUG": "false",
    "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY",
                                 "bench-only-key-4f1d9c2e7a8b6053e1f2a9d4c7b8e6f0a1b2c3d4e5f6"),
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "STATIC_MANIFEST": "false",
    "SESSION_COOKIE_SECURE": "false",  # plain http on 127.0.0.1; TLS ends at the proxy in prod
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_SSL_REDIRECT": "false",  # and no HTTPS redirect or HSTS on that plain http
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "ERROR",
    # the application servers' shared cache (sessions, the checklist's rendered rows)
    "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/6"),
}

TARGETS = {
    "page_median_ms": 150, "page_p95_ms": 300, "save_median_ms": 30, "export_s": 30,
    "export_rss_mb": 300, "recompute_ratio": 2, "load_rps": 150, "load_p95_ms": 300,
    "load_cpu_ms": 8,
    "job_request_ms": 200, "leader_reports_s": 60, "leader_reports_mb": 300,
}
STEPS = ("pages", "workbooks", "export", "recompute", "browser-export", "leader-reports",
         "load")
BENCH_BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/12")


STARTED = time.perf_counter()
LOAD_AT_START = os.getloadavg()


def log(text):
    print(f"[bench {time.perf_counter() - STARTED:6.0f} s] {text}", flush=True)


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return None
    index = (len(ordered) - 1) * q
    low = int(index)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def summary_ms(seconds):
    return {"median_ms": round(statistics.median(seconds) * 1000, 1),
            "p95_ms": round(percentile(seconds, 0.95) * 1000, 1), "runs": len(seconds)}


def manage(*args, env, check=True, capture=False):
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=check,
                          text=True, capture_output=capture)


def ensure_database(url):
    import psycopg2
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    connection = psycopg2.connect(host=parsed.hostname, port=parsed.port or 5432,
                                  user=parsed.username or "postgres",
                                  password=parsed.password, dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            log(f"creating database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


# --- fixtures inside the nation ----------------------------------------------------------------

def bench_fixtures(operators: int):
    """Pick the cases (largest province, biggest government, ...) and make the bench users
    (synthetic usernames; one operator per agency, on distinct checklists)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db.models import Count

    from agencies.models import Government, Level, Membership, Province, Role
    from assessments.models import Answer, Assessment, Round

    current = Round.objects.filter(is_official=False).order_by("-year", "-id").first()
    latest_official = Round.objects.filter(is_official=True).order_by("-year").first()
    provinces = list(Province.objects.annotate(n=Count("governments")).order_by("-n", "name"))
    largest, smallest = provinces[0], provinces[-1]
    governments = list(Government.objects.annotate(n=Count("agencies"))
                       .order_by("-n", "name"))
    biggest = next(g for g in governments if g.level != Level.PROVINSI)
    smallest_gov = governments[-1]
    provincial = Government.objects.get(province=largest, level=Level.PROVINSI)
    assessments = list(Assessment.objects.filter(round=current, status="in_progress")
                       .order_by("id").values_list("id", "agency_id"))
    step = max(1, len(assessments) // (operators + 1))
    picked = assessments[::step][:operators + 1]
    User = get_user_model()
    password = make_password(BENCH_PASSWORD)  # one PBKDF2 hash, shared by the bench users

    def user(username, **extra):
        found, created = User.objects.get_or_create(username=username,
                                                    defaults={"password": password, **extra})
        return found

    leader = user("syn-leader")
    admin = user("syn-admin", is_superuser=True)  # the province workbook: administrators
    for government in (provincial, biggest, smallest_gov):
        Membership.objects.get_or_create(user=leader, role=Role.LEADER, government=government)
    ops = []
    for index, (assessment_id, agency_id) in enumerate(picked):
        operator = user(f"syn-op-{index:04d}")
        Membership.objects.filter(user=operator).exclude(agency_id=agency_id).delete()
        Membership.objects.get_or_create(user=operator, role=Role.OPERATOR, agency_id=agency_id)
        ops.append((operator, assessment_id))
    versions = {}
    # The load run saves per-unit answers (the checklist page's); per-product ones are on the
    # sampled products' pages.
    for assessment_id, indicator_id, version in Answer.objects.filter(
            assessment_id__in=[a for _u, a in ops], product_sample__isnull=True).values_list(
            "assessment_id", "indicator_id", "version"):
        versions.setdefault(assessment_id, {})[str(indicator_id)] = version
    return {
        "current": current, "official": latest_official, "largest": largest,
        "smallest": smallest, "provincial": provincial, "biggest": biggest,
        "smallest_gov": smallest_gov, "leader": leader, "admin": admin,
        "solo": ops[0], "operators": ops[1:], "versions": versions,
    }


# --- in-process cases --------------------------------------------------------------------------

def measure(name, func, repeat, warmup=3, memory=False):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        func()
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        func()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    with CaptureQueriesContext(connection) as queries:
        func()
    count = len(queries.captured_queries)
    reset_queries()
    result = {"case": name, **summary_ms(times), "queries": count,
              "app_cpu_median_ms": round(statistics.median(cpu) * 1000, 1)}
    if memory:
        tracemalloc.start()
        func()
        result["peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    log(f"{name}: median {result['median_ms']} ms, p95 {result['p95_ms']} ms, "
        f"{result['queries']} queries")
    return result


def queries_of(func):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries.captured_queries)


def page_cases(fx, repeat):
    from django.test import Client

    from assessments.models import Answer
    from assessments.selectors.rankings import ranking
    from assessments.spreadsheets.ranking_export import ranking_workbook

    leader = Client()
    leader.force_login(fx["leader"])
    official = fx["official"].id

    def get(client, url, marker=None):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if marker is not None:
                assert marker in response.content, url
            return response
        return run

    cases = []
    national = f"/rankings/{official}/national/?group=kabupaten"
    largest = f"/rankings/{official}/{fx['largest'].id}/?group=all"
    smallest = f"/rankings/{official}/{fx['smallest'].id}/?group=all"
    rows_national = len(ranking(round_=fx["official"], province=None, group="kabupaten").rows)
    rows_largest = len(ranking(round_=fx["official"], province=fx["largest"], group="all").rows)
    rows_smallest = len(ranking(round_=fx["official"], province=fx["smallest"],
                                group="all").rows)

    def xlsx_builder(group):
        def run():
            return ranking_workbook(ranking(round_=fx["official"], province=None, group=group))
        return run

    provinsi = f"/rankings/{official}/national/?group=provinsi"
    rows_provinsi = len(ranking(round_=fx["official"], province=None, group="provinsi").rows)
    spec = [
        (f"national kabupaten ranking, HTML ({rows_national} rows; small: provinsi "
         f"{rows_provinsi})", get(leader, national), get(leader, provinsi), True, False),
        (f"national kabupaten ranking, xlsx builder ({rows_national} rows)",
         xlsx_builder("kabupaten"), xlsx_builder("provinsi"), True, True),
        (f"largest province ranking, all governments ({rows_largest} rows; small "
         f"{rows_smallest})", get(leader, largest), get(leader, smallest), True, False),
        (f"largest province ranking, xlsx download ({rows_largest} rows)",
         get(leader, largest.replace("/?", "/xlsx/?")),
         get(leader, smallest.replace("/?", "/xlsx/?")), True, True),
    ]
    provincial, biggest, small = fx["provincial"], fx["biggest"], fx["smallest_gov"]
    agencies = {g.id: g.agencies.count() for g in (provincial, biggest, small)}
    spec += [
        (f"largest province: provincial government dashboard ({agencies[provincial.id]} units)",
         get(leader, f"/governments/{provincial.id}/dashboard/"),
         get(leader, f"/governments/{small.id}/dashboard/"), True, True),
        (f"government dashboard with heat-map ({agencies[biggest.id]} units x 14; smallest "
         f"{agencies[small.id]})", get(leader, f"/governments/{biggest.id}/dashboard/"),
         get(leader, f"/governments/{small.id}/dashboard/"), True, True),
    ]
    operator, assessment_id = fx["solo"]
    op_client = Client()
    op_client.force_login(operator)
    counts = checklist_counts(fx["current"], assessment_id)
    spec.append((f"checklist page ({counts['per_unit']} per-unit indicators; "
                 f"{counts['instrument']})",
                 get(op_client, f"/checklists/{assessment_id}/", b"answer-"), None, True, False))
    if counts["samples"] and counts["per_product"]:
        first_sample = counts["samples"][0]
        spec.append((f"sampled product page ({counts['per_product']} per-product indicators, "
                     f"product 1 of {len(counts['samples'])})",
                     get(op_client, f"/checklists/{assessment_id}/products/{first_sample}/",
                         b"indicator-"), None, True, False))
    for name, func, small_func, is_page, memory in spec:
        result = measure(name, func, repeat, memory=memory)
        result["kind"] = "page"
        if small_func is not None:
            result["queries_small"] = queries_of(small_func)
        cases.append(result)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def saves(name, slots, url, headers, accepted):
        """Time saving one answer after another (value and note change each time); the
        query count excludes the one query that reads the current version."""
        counter = {"n": 0}

        def save():
            counter["n"] += 1
            indicator, sample = slots[counter["n"] % len(slots)]
            version = Answer.objects.filter(
                assessment_id=assessment_id, indicator_id=indicator,
                product_sample_id=sample).values_list("version", flat=True).first()
            started = time.perf_counter()
            response = op_client.post(
                url(indicator, sample),
                {"value": str(counter["n"] % (counts["scale_max"] + 1)),
                 "note": f"bench save {counter['n']}", "version": str(version)}, **headers)
            elapsed = time.perf_counter() - started
            assert accepted(response), (response.status_code, response.content[:500])
            return elapsed

        for _ in range(3):
            save()
        times = [save() for _ in range(repeat)]
        with CaptureQueriesContext(connection) as captured:
            save()
        result = {"case": name, "kind": "save", **summary_ms(times),
                  "queries": len(captured.captured_queries) - 1}
        log(f"{result['case']}: median {result['median_ms']} ms, {result['queries']} queries")
        return result

    unit_slots = list(Answer.objects.filter(assessment_id=assessment_id,
                                            product_sample__isnull=True)
                      .order_by("indicator_id").values_list("indicator_id", "product_sample_id"))
    cases.append(saves(
        "save one answer (htmx POST, incl. score update)", unit_slots,
        lambda indicator, _sample: f"/checklists/{assessment_id}/answers/{indicator}/",
        {"HTTP_HX_REQUEST": "true"},
        lambda response: response.status_code == 200 and b"text-success" in response.content))
    product_slots = list(Answer.objects.filter(assessment_id=assessment_id,
                                               product_sample__isnull=False)
                         .order_by("product_sample_id", "indicator_id")
                         .values_list("indicator_id", "product_sample_id"))
    if product_slots:
        # The product page posts without htmx and is redirected back to it (not followed).
        cases.append(saves(
            "save one per-product answer (POST and redirect, incl. score update)",
            product_slots,
            lambda indicator, sample: (f"/checklists/{assessment_id}/products/{sample}/"
                                       f"answers/{indicator}/"), {},
            lambda response: response.status_code == 302 and "/products/" in response["Location"]))
    return cases


def checklist_counts(round_, assessment_id) -> dict:
    """What the checklist pages of the round hold, for the case labels: the instrument, its
    per-unit and per-product indicators, the assessment's sampled products."""
    from assessments.models import ProductSample
    from compliance.models import Indicator
    from compliance.specs import instrument_spec

    active = Indicator.objects.filter(instrument_id=round_.instrument_id, active=True)
    spec = instrument_spec(round_.instrument_id)
    return {"instrument": f"{spec.code} {spec.version}",
            "per_unit": active.filter(per_product=False).count(),
            "per_product": active.filter(per_product=True).count(),
            "scale_max": spec.scale_max,
            "samples": list(ProductSample.objects.filter(assessment_id=assessment_id)
                            .order_by("order", "id").values_list("id", flat=True))}


def workbook_cases(fx, repeat):
    """The round workbooks of the current round: a whole province (every government's units,
    answers and published history) and one government, each with a small case of the same
    workbook, whose query count must be the same."""
    from django.test import Client

    admin, leader = Client(), Client()
    admin.force_login(fx["admin"])
    leader.force_login(fx["leader"])
    current = fx["current"].id

    def get(client, url):
        def run():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response
        return run

    spec = [
        (f"largest province workbook, live round ({fx['largest'].governments.count()} "
         f"governments; small {fx['smallest'].governments.count()})",
         get(admin, f"/reports/{current}/provinces/{fx['largest'].id}.xlsx"),
         get(admin, f"/reports/{current}/provinces/{fx['smallest'].id}.xlsx")),
        (f"government workbook, live round ({fx['biggest'].agencies.count()} units; small "
         f"{fx['smallest_gov'].agencies.count()})",
         get(leader, f"/reports/{current}/governments/{fx['biggest'].id}.xlsx"),
         get(leader, f"/reports/{current}/governments/{fx['smallest_gov'].id}.xlsx")),
    ]
    cases = []
    for name, func, small_func in spec:
        result = measure(name, func, repeat, warmup=1)
        result["kind"] = "workbook"
        result["queries_small"] = queries_of(small_func)
        cases.append(result)
    return cases


# --- separate processes ------------------------------------------------------------------------

def run_measured(command, env):
    """Run a command; return (seconds, peak RSS in MB, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output.strip()


def export_case(env, round_id, repeat):
    path = WORK / "national.xlsx"
    runs = []
    for _ in range(repeat):
        runs.append(run_measured([PYTHON, "manage.py", "export_national", "--round",
                                  str(round_id), "-o", str(path)], env))
    seconds = [r[0] for r in runs]
    result = {"case": "national Excel export (all governments, units x components)",
              "kind": "export", "median_s": round(statistics.median(seconds), 2),
              "max_s": round(max(seconds), 2), "runs": len(runs),
              "peak_rss_mb": round(max(r[1] for r in runs), 1),
              "size_mb": round(path.stat().st_size / 2**20, 1), "output": runs[-1][2]}
    path.unlink(missing_ok=True)
    log(f"export: median {result['median_s']} s, peak RSS {result['peak_rss_mb']} MB")
    return result


def recompute_case(round_id, repeat):
    from django.db import connection

    from assessments.management.commands.recompute_scores import recompute_scores
    from assessments.models import Round
    from compliance.specs import instrument_spec

    times, first_totals = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        totals = recompute_scores(round_id)
        times.append(time.perf_counter() - started)
        first_totals = first_totals or totals
    # The floor: one plain aggregation of the round's answers into one figure per assessment.
    sql = """
        SELECT a.assessment_id, SUM(a.value), COUNT(*)
        FROM assessments_answer a JOIN assessments_assessment s ON s.id = a.assessment_id
        WHERE s.round_id = %s
        GROUP BY a.assessment_id"""
    floor = []
    with connection.cursor() as cursor:
        for _ in range(max(5, repeat * 3)):
            started = time.perf_counter()
            cursor.execute(sql, [round_id])
            rows = cursor.fetchall()
            floor.append(time.perf_counter() - started)
    median, floor_median = statistics.median(times), statistics.median(floor)
    # The reference: compute_unit on every unit of the round, against what the SQL statement
    # computes; where the round's instrument takes the portable path (not ``sql_ready``),
    # recompute_scores is compute_unit itself, so the reference is compared with the stored
    # figures instead (what the generator wrote and the first run found nothing to change in).
    instrument = instrument_spec(Round.objects.get(id=round_id).instrument_id)
    sql_path = connection.vendor == "postgresql" and instrument.sql_ready
    if sql_path:
        from assessments.services.recompute_sql import round_differences
        differences = round_differences(round_id)
    else:
        differences = stored_differences(round_id)
    result = {"case": f"recompute_scores --round (whole round, "
                      f"{'SQL' if sql_path else 'Python: instrument the SQL statement does not cover'})",
              "kind": "recompute",
              "median_s": round(median, 2), "runs": len(times),
              "sql_floor_ms": round(floor_median * 1000, 1), "sql_rows": len(rows),
              "ratio": round(median / floor_median, 1), "totals": totals,
              "first_run": first_totals,
              "method": "sql" if sql_path else "python",
              "compared": ("SQL statement vs compute_unit" if sql_path
                           else "stored figures vs compute_unit"),
              "differences_from_compute_unit": len(differences),
              "difference_samples": [str(d) for d in differences[:10]]}
    log(f"recompute: {result['median_s']} s vs plain GROUP BY {result['sql_floor_ms']} ms "
        f"= {result['ratio']}x; {len(differences)} differences from compute_unit")
    return result


def stored_differences(round_id) -> list:
    """Every stored figure of the round (unit score and answered count, component scores) that
    differs from what ``compute_unit`` computes from the answers: (what, key, stored, computed)."""
    from assessments.models import Assessment, ComponentScore
    from assessments.services.scores import round_scores_python

    units, components = round_scores_python(round_id)
    stored_units = {a: (score, answered) for a, score, answered in Assessment.objects.filter(
        round_id=round_id).values_list("id", "self_score", "answered_count")}
    stored_components = {(a, c): score for a, c, score in ComponentScore.objects.filter(
        assessment__round_id=round_id).values_list("assessment_id", "component_id",
                                                   "self_score")}
    differences = []
    for what, stored, computed in (("unit", stored_units, units),
                                   ("component", stored_components, components)):
        for key in sorted(set(stored) | set(computed)):
            if stored.get(key, "missing") != computed.get(key, "missing"):
                differences.append((what, key, stored.get(key, "missing"),
                                    computed.get(key, "missing")))
    return differences


def _forget_broker_connections(app):
    """Connection and producer pools are made for the broker configured at first use: drop
    them when the broker changes."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


def browser_export_case(env, fx, repeat):
    """The national workbook asked for in the browser (issue 15): the POST that makes the job
    and queues it on the broker (Redis) is timed in-process through the test client; then a
    real worker (a separate ``celery worker`` process) builds the file, and the job's time and
    the worker's peak RSS are recorded, with the progress the job page showed meanwhile.

    While the requests are timed no worker runs (nothing else competes for the 2 cores), and
    each timed job is deleted before the next request (otherwise the second click would find
    the first job waiting, by design); the worker skips the tasks whose row is gone."""
    import redis
    from django.test import Client

    from compliance.celery import app
    from exports.models import ExportJob

    admin = Client()
    admin.force_login(fx["admin"])
    url = f"/exports/request/rounds/{fx['current'].id}/national/"
    redis.Redis.from_url(BENCH_BROKER).flushdb()
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=BENCH_BROKER, task_always_eager=False)
    _forget_broker_connections(app)
    ExportJob.objects.filter(user=fx["admin"]).delete()

    def request():
        started = time.perf_counter()
        response = admin.post(url)
        elapsed = time.perf_counter() - started
        assert response.status_code == 302 and "/exports/" in response["Location"], response
        return elapsed, int(response["Location"].rstrip("/").rsplit("/", 1)[-1])

    times = []
    try:
        for number in range(3 + repeat):
            elapsed, job_id = request()
            if number >= 3:  # warm-up first
                times.append(elapsed)
            ExportJob.objects.filter(id=job_id).delete()
        _elapsed, job_id = request()  # the one the worker builds
        worker_env = {**env, "CELERY_BROKER_URL": BENCH_BROKER}
        worker = subprocess.Popen(
            [str(Path(PYTHON).parent / "celery"), "-A", "compliance", "worker", "--pool",
             "solo", "--concurrency", "1", "--loglevel", "WARNING", "--without-heartbeat",
             "--without-mingle", "--without-gossip"], cwd=ROOT, env=worker_env,
            stdout=open(WORK / "worker.log", "w"), stderr=subprocess.STDOUT,
            start_new_session=True)
        progress, deadline = [], time.time() + 600
        status = client_status = hwm_kb = None
        try:
            while time.time() < deadline:
                job = ExportJob.objects.get(id=job_id)
                if not progress or progress[-1] != job.progress:
                    progress.append(job.progress)
                if job.finished:
                    break
                time.sleep(0.25)
            # the fragment the page polls, as its user sees it
            client_status = admin.get(f"/exports/{job_id}/status/").status_code
            status = job.status
            # The worker's own high-water mark while it still runs (wait4's figure below also
            # covers its shutdown).
            hwm_kb = _vm_hwm_kb(worker.pid)
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            _pid, _status, usage = os.wait4(worker.pid, 0)
    finally:
        app.conf.update(previous)
        _forget_broker_connections(app)
    job = ExportJob.objects.get(id=job_id)
    result = {"case": "national workbook asked for in the browser: request answer (job queued)",
              "kind": "job_request", **summary_ms(times),
              "job_status": status, "status_fragment": client_status,
              "job_s": round((job.finished_at - job.created_at).total_seconds(), 1)
              if job.finished_at else None,
              "job_build_s": round((job.finished_at - job.started_at).total_seconds(), 1)
              if job.finished_at and job.started_at else None,
              "job_size_mb": round(job.size / 2**20, 1),
              "worker_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
              "worker_hwm_before_stop_mb": round(hwm_kb / 1024, 1) if hwm_kb else None,
              "progress_seen": progress}
    log(f"browser export: request median {result['median_ms']} ms, p95 {result['p95_ms']} ms; "
        f"job {status} in {result['job_s']} s (build {result['job_build_s']} s), worker peak "
        f"RSS {result['worker_peak_rss_mb']} MB ({result['worker_hwm_before_stop_mb']} MB "
        f"before it was stopped), progress seen {progress}")
    return result


def _vm_hwm_kb(pid):
    """A running process's peak resident memory (Linux /proc), in kB; None elsewhere."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def leader_reports_case(env, processes):
    """The leaders' periodic reports of every government (bench/leader_reports.py, a process
    of its own): total time and peak memory per process."""
    import re

    command = [PYTHON, "bench/leader_reports.py", "--processes", str(processes)]
    elapsed, rss, output = run_measured(command, {**env, "DEBUG": "false"})
    made = re.search(r"reports made: (\d+)\s+mails: (\d+)", output)
    total = re.search(r"total: ([\d.]+) s\s+per report: (\d+) ms\s+peak memory per "
                      r"process: (\d+) MB \(sum (\d+) MB\)", output)
    cpu = re.search(r"cpu: ([\d.]+) s", output)
    result = {"case": f"leaders' periodic reports, every government ({processes} process"
                      f"{'es' if processes > 1 else ''})", "kind": "leader_reports",
              "processes": processes, "reports": int(made.group(1)),
              "mails": int(made.group(2)), "total_s": float(total.group(1)),
              "per_report_ms": int(total.group(2)), "peak_mb_per_process": int(total.group(3)),
              "peak_mb_sum": int(total.group(4)), "process_s": round(elapsed, 1),
              "cpu_s": float(cpu.group(1)), "load_average_after": os.getloadavg()[0],
              "output": output.splitlines()[-3:]}
    log(f"leader reports ({processes} processes): {result['reports']} in {result['total_s']} s, "
        f"peak {result['peak_mb_per_process']} MB per process ({result['peak_mb_sum']} MB "
        f"together), {result['cpu_s']} s of CPU; load average {result['load_average_after']:.1f}")
    return result


def wait_for(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


class CpuSampler:
    """The CPU seconds (user + system) of a process and its children, read once a second
    with a timestamp, so that the load window's share can be taken afterwards."""

    def __init__(self, pid):
        import threading

        self.pid, self.samples, self.stop = pid, [], threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _read(self):
        import psutil

        total = 0.0
        try:
            root = psutil.Process(self.pid)
            for process in [root, *root.children(recursive=True)]:
                try:
                    times = process.cpu_times()
                    total += times.user + times.system
                except psutil.Error:
                    pass
        except psutil.Error:
            return None
        return total

    def _run(self):
        while not self.stop.is_set():
            value = self._read()
            if value is not None:
                self.samples.append((time.time(), value))
            self.stop.wait(1.0)

    def finish(self):
        self.stop.set()
        self.thread.join(timeout=5)

    def between(self, start, end):
        """(CPU seconds, first, last): the CPU spent between the first and the last sample
        taken from ``start`` to ``end``; (None, None, None) with fewer than two."""
        inside = [(at, value) for at, value in self.samples if start <= at <= end]
        if len(inside) < 2:
            return None, None, None
        return inside[-1][1] - inside[0][1], inside[0][0], inside[-1][0]


def load_case(env, fx, users, duration, workers, spawn_rate=5):
    from django.db.models import Q

    from assessments.models import Answer
    from compliance.specs import instrument_spec

    operators = fx["operators"][:users]
    if len(operators) < users:
        raise RuntimeError(f"only {len(operators)} operators for {users} users")
    config = {"password": BENCH_PASSWORD,
              "scale_max": instrument_spec(fx["current"].instrument_id).scale_max,
              "operators": [{"username": user.username, "assessment": aid,
                             "versions": fx["versions"][aid]} for user, aid in operators]}
    config_path, result_path = WORK / "load-config.json", WORK / "load-result.json"
    config_path.write_text(json.dumps(config))
    result_path.unlink(missing_ok=True)
    server_env = {**env, "CONN_MAX_AGE": "60"}
    gunicorn = subprocess.Popen(
        # BENCH_WSGI lets a candidate change be tried under load without touching the app.
        [str(Path(PYTHON).parent / "gunicorn"), os.environ.get("BENCH_WSGI", "compliance.wsgi"),
         "--bind", f"127.0.0.1:{PORT}",
         "--workers", str(workers), "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT, env=server_env, stdout=subprocess.DEVNULL,
        stderr=open(WORK / "gunicorn.log", "w"), start_new_session=True)
    sampler = CpuSampler(gunicorn.pid)
    try:
        wait_for(f"http://127.0.0.1:{PORT}/accounts/login/")
        log(f"load: gunicorn ({workers} workers) up; {users} operators logging in, then "
            f"{duration} s of traffic")
        locust_env = {**env, "BENCH_LOAD_CONFIG": str(config_path),
                      "BENCH_LOAD_RESULT": str(result_path), "BENCH_DURATION": str(duration)}
        subprocess.run(
            [str(Path(PYTHON).parent / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
             "--headless", "--users", str(users), "--spawn-rate", str(spawn_rate),
             "--run-time", f"{int(duration + 120 + users / spawn_rate * 2)}s", "--host", f"http://127.0.0.1:{PORT}",
             "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"],
            cwd=ROOT, env=locust_env, check=False, stdout=open(WORK / "locust.log", "w"),
            stderr=subprocess.STDOUT, timeout=duration + 300 + users / spawn_rate * 2)
    finally:
        sampler.finish()
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    data = json.loads(result_path.read_text())
    samples = data["samples"]
    window = data["end"] - data["start"]
    latencies = [s[1] for s in samples]
    errors = sum(1 for s in samples if s[2])
    by_name = {}
    for name, ms, failed, *_at in samples:
        by_name.setdefault(name, []).append(ms)
    lost = []
    acks = data["acks"]
    stored = {}
    keys = {(aid, ind) for aid, ind, *_rest in acks}
    if keys:
        condition = Q()
        for aid in {aid for aid, _ind in keys}:
            condition |= Q(assessment_id=aid)
        for aid, ind, version, value, note in Answer.objects.filter(
                condition, product_sample__isnull=True).values_list(
                "assessment_id", "indicator_id", "version", "value", "note"):
            stored[(aid, ind)] = (version, value, note)
    attempts = {(aid, ind): set(notes) for aid, ind, notes in data["attempts"]}
    superseded = 0
    for aid, ind, version, value, note in acks:
        found = stored.get((aid, ind))
        if found == (version, value, note):
            continue
        if found and found[0] > version and found[2] in attempts.get((aid, ind), ()):
            superseded += 1  # a later save of the same operator, sent but not acknowledged
            continue
        lost.append([aid, ind, version, value, note, found])
    # The application servers' own CPU per request: gunicorn's processes over the part of the
    # window the one-second samples cover, divided by the requests answered in that part.
    cpu_s, first, last = sampler.between(data["start"], data["end"])
    cpu_ms = cores = None
    if cpu_s is not None and last > first:
        covered = sum(1 for _name, _ms, _failed, at in samples if first <= at <= last)
        cpu_ms = round(cpu_s * 1000 / covered, 1) if covered else None
        cores = round(cpu_s / (last - first), 2)
    result = {
        "case": f"load: {users} operators, checklist views + answer saves, {duration:g} s",
        "server_cpu_ms_per_request": cpu_ms,
        "server_cpu_cores": cores,
        "kind": "load", "workers": workers, "requests": len(samples),
        "rps": round(len(samples) / window, 1),
        "p50_ms": round(percentile(latencies, 0.50) or 0, 1),
        "p95_ms": round(percentile(latencies, 0.95) or 0, 1),
        "p99_ms": round(percentile(latencies, 0.99) or 0, 1),
        "errors": errors + data["login_failures"], "error_samples": data["errors"][:10],
        "per_request": {name: {"count": len(v), "p50_ms": round(percentile(v, 0.5), 1),
                               "p95_ms": round(percentile(v, 0.95), 1)}
                        for name, v in by_name.items()},
        "acknowledged_saves": len(acks), "attempted_saves": data["attempted_saves"],
        "lost_saves": len(lost), "lost_samples": lost[:10],
        "acknowledged_then_superseded_by_unacknowledged": superseded,
    }
    log(f"load: gunicorn's CPU {result['server_cpu_ms_per_request']} ms per request "
        f"({result['server_cpu_cores']} cores busy)")
    log(f"load: {result['rps']} req/s, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
        f"p99 {result['p99_ms']} ms, {result['errors']} errors, {result['lost_saves']} lost "
        f"of {len(acks)} acknowledged saves")
    return result


# --- the table ---------------------------------------------------------------------------------

def verdicts(case):
    t = TARGETS
    kind = case["kind"]
    if kind == "page":
        ok = case["median_ms"] <= t["page_median_ms"] and case["p95_ms"] <= t["page_p95_ms"]
        constant = case.get("queries_small") in (None, case["queries"])
        return ok and constant, (f"<= {t['page_median_ms']} / {t['page_p95_ms']} ms, queries "
                                 "constant")
    if kind == "save":
        return case["median_ms"] <= t["save_median_ms"], f"median <= {t['save_median_ms']} ms"
    if kind == "workbook":
        return case["queries_small"] == case["queries"], "queries constant"
    if kind == "export":
        return (case["median_s"] <= t["export_s"] and case["peak_rss_mb"] <= t["export_rss_mb"],
                f"<= {t['export_s']} s, <= {t['export_rss_mb']} MB")
    if kind == "recompute":
        return (case["ratio"] <= t["recompute_ratio"]
                and case.get("differences_from_compute_unit", 0) == 0,
                f"<= {t['recompute_ratio']}x SQL, 0 differences")
    if kind == "job_request":
        return (case["median_ms"] <= t["job_request_ms"] and case["p95_ms"] <= t["job_request_ms"]
                and case["job_status"] == "done",
                f"< {t['job_request_ms']} ms, then the job completes")
    if kind == "leader_reports":
        return (case["total_s"] <= t["leader_reports_s"]
                and case["peak_mb_sum"] <= t["leader_reports_mb"]
                and case["reports"] == case["mails"] > 0,
                f"<= {t['leader_reports_s']} s, <= {t['leader_reports_mb']} MB")
    if kind == "load":
        cpu = case.get("server_cpu_ms_per_request")
        return (case["rps"] >= t["load_rps"] and case["p95_ms"] <= t["load_p95_ms"]
                and case["errors"] == 0 and case["lost_saves"] == 0
                and cpu is not None and cpu <= t["load_cpu_ms"],
                f">= {t['load_rps']} req/s, p95 <= {t['load_p95_ms']} ms, 0 errors, 0 lost, "
                f"server CPU <= {t['load_cpu_ms']} ms/request (measured {cpu})")
    return None, ""


def row_text(case):
    kind = case["kind"]
    if kind in ("page", "save", "workbook"):
        queries = str(case["queries"])
        if "queries_small" in case:
            queries += f" ({case['queries_small']} small)"
        figures = (f"{case['median_ms']:>8.1f} {case['p95_ms']:>8.1f}  {queries:<16}"
                   f"{case.get('peak_mb', ''):>8}")
    elif kind == "export":
        figures = (f"{case['median_s'] * 1000:>8.0f} {case['max_s'] * 1000:>8.0f}  "
                   f"{'-':<16}{case['peak_rss_mb']:>8} RSS")
    elif kind == "job_request":
        figures = (f"{case['median_ms']:>8.1f} {case['p95_ms']:>8.1f}  "
                   f"{'job ' + str(case['job_s']) + ' s':<16}"
                   f"{case['worker_peak_rss_mb']:>8} RSS")
    elif kind == "leader_reports":
        figures = (f"{case['total_s'] * 1000:>8.0f} {'':>8}  "
                   f"{str(case['per_report_ms']) + ' ms/report':<16}"
                   f"{case['peak_mb_sum']:>8} RSS")
    elif kind == "recompute":
        figures = (f"{case['median_s'] * 1000:>8.0f} {'':>8}  {'SQL ' + str(case['sql_floor_ms']) + ' ms':<16}"
                   f"{str(case['ratio']) + 'x':>8}")
    else:
        figures = (f"{case['p50_ms']:>8.1f} {case['p95_ms']:>8.1f}  "
                   f"{str(case['rps']) + ' req/s':<16}{'p99 ' + str(case['p99_ms']):>8} "
                   f"err {case['errors']} lost {case['lost_saves']}/{case['acknowledged_saves']}")
    ok, target = verdicts(case)
    mark = "met" if ok else "MISSED"
    return f"{case['case'][:74]:<74} {figures}  [{mark}: {target}]"


def table(cases):
    header = (f"{'case':<74} {'median':>8} {'p95':>8}  {'queries/other':<16}{'peak MB':>8}")
    lines = [header + "   (times in ms)", "-" * len(header)]
    lines += [row_text(case) for case in cases]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="1.0")
    parser.add_argument("--seed", default=None)
    parser.add_argument("--instrument", default=None,
                        help="the current round's instrument code (generate_national's default: "
                             "ombudsman-2022-assessment)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--export-runs", type=int, default=3)
    parser.add_argument("--recompute-runs", type=int, default=3)
    parser.add_argument("--workbook-runs", type=int, default=3)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--only-load", action="store_true", help="skip every case but the load")
    parser.add_argument("--only", default="",
                        help=f"comma-separated steps to run, of: {', '.join(STEPS)}")
    parser.add_argument("--leader-processes", default="1,2",
                        help="worker processes for the leaders' reports step, e.g. 1,2")
    args = parser.parse_args()
    steps = set(args.only.split(",")) if args.only else set(STEPS) - (
        {"load"} if args.skip_load else set())
    if args.only_load:
        steps = {"load"}
    unknown = steps - set(STEPS)
    if unknown:
        parser.error(f"unknown steps {sorted(unknown)}; choose from {', '.join(STEPS)}")
    began = time.perf_counter()
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DB
    env = {**os.environ, **ENV, "DATABASE_URL": url}
    os.environ.update(env)
    RESULTS.mkdir(parents=True, exist_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    ensure_database(url)
    manage("migrate", "-v0", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    log("generating (or reusing) the synthetic nation")
    generated = manage("generate_national", "--scale", args.scale,
                       *(["--seed", args.seed] if args.seed else []),
                       *(["--instrument", args.instrument] if args.instrument else []),
                       "--json", env=env,
                       capture=True)
    nation = json.loads(generated.stdout.strip().splitlines()[-1])
    log(f"nation: {nation}")

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from agencies.models import Agency, Government
    from assessments.models import Answer, ProductSample, ServiceProduct

    fx = bench_fixtures(max(args.users, 1))
    current = fx["current"]
    counts = {"governments": Government.objects.count(), "agencies": Agency.objects.count(),
              "answers": Answer.objects.filter(assessment__round=current).count(),
              "product_samples": ProductSample.objects.filter(
                  assessment__round=current).count(),
              "service_products": ServiceProduct.objects.count(),
              "instrument": f"{current.instrument.code} {current.instrument.version}"}
    log(f"counts: {counts}")
    cases = []
    if "pages" in steps:
        cases += page_cases(fx, args.repeat)
    if "workbooks" in steps:
        cases += workbook_cases(fx, args.workbook_runs)
    if "export" in steps:
        cases.append(export_case(env, current.id, args.export_runs))
    if "recompute" in steps:
        cases.append(recompute_case(current.id, args.recompute_runs))
    if "browser-export" in steps:
        cases.append(browser_export_case(env, fx, args.repeat))
    connection.close()
    if "leader-reports" in steps:
        for processes in [int(n) for n in args.leader_processes.split(",") if n]:
            cases.append(leader_reports_case(env, processes))
    if "load" in steps:
        cases.append(load_case(env, fx, args.users, args.duration, args.workers))
    text = table(cases)
    elapsed = time.perf_counter() - began
    print()
    print(text)
    print(f"\nnation {counts}; bench took {elapsed:.0f} s end to end; load average "
          f"{LOAD_AT_START[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end "
          f"({os.cpu_count()} CPUs; other processes on the machine disturb the figures)")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "at": stamp, "load_average_at_end": os.getloadavg(),
        "load_average_at_start": LOAD_AT_START, "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                 "platform": platform.platform()},
        "database": url.rsplit("@", 1)[-1], "nation": nation, "counts": counts,
        "args": vars(args), "targets": TARGETS, "cases": cases, "table": text,
        "seconds": round(elapsed, 1),
    }
    for verdict_case in cases:
        verdict_case["met"] = bool(verdicts(verdict_case)[0])
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    # A run of some steps only (--only) does not replace the full run's latest.json.
    latest = "latest.json" if steps >= set(STEPS) - {"load"} else "latest-partial.json"
    (RESULTS / latest).write_text(json.dumps(report, indent=2, default=str))
    log(f"written bench/results/bench-{stamp}.json and bench/results/{latest}")


if __name__ == "__main__":
    main()
