#!/usr/bin/env python3
"""make cluster-check (and tests/test_cluster.py): the operators' mix through nginx against a
running ``make cluster``, and what must hold whichever instance answers.

Every request goes to nginx on 127.0.0.1 (TLS checked against the cluster's certificate); the
instance that answered is read from the cluster's ``X-Kepatuhan-Upstream`` header. Checked:

- sessions: one login, then pages served by both instances in the same session;
- CSRF: a token from a page of one instance accepted by the other, a forged one refused by both;
- login throttling (django-axes): failures spread over both instances lock the account on both,
  and a client's own X-Forwarded-For does not dodge it (nginx overwrites the header);
- evidence: a file uploaded through one instance downloads, identical, from both (one MEDIA_ROOT);
- exports: the government workbook from both instances; the leaders' periodic report made by the
  Celery worker (a separate process, through Redis) downloads from both;
- the audit trail: every acknowledged save has its entry, under its request id and its user;
- a load phase: operators save and read while instance 1 is stopped (SIGTERM, gracefully), then
  started again, then instance 2 is killed (SIGKILL, in the middle of requests); afterwards every
  save that was acknowledged with a 200 is in the database (or was replaced by a later save of
  the same operator that was sent but whose answer was lost).

Uses the demo data (seed_demo): operator, operator2, leader, outsider (throttled, then reset).
Exits 1 when a check fails; the whole result is written to <run dir>/mix-result.json.
"""
import argparse
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cluster as cluster_mod  # noqa: E402
from cluster_http import Browser  # noqa: E402

PASSWORD = "demo-Kepatuhan-2026"  # the demo data's public password (assessments/demo.py)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" id="version-(\d+)" value="(\d+)"')
CHECKLIST = re.compile(r'href="/checklists/(\d+)/"')
SCALE_MAX = 3  # the 2022 methodology's 0–3 scale (the demo round)


class Mix:
    def __init__(self, run_dir: Path):
        self.cluster = cluster_mod.Cluster(run_dir)
        self.state = self.cluster.state
        if not self.state or not self.state.get("processes"):
            raise SystemExit(f"no running cluster in {run_dir} (make cluster)")
        self.instances = {f"127.0.0.1:{port}" for port in self.state["app_ports"][:2]}
        self.checks = []
        self.acks = {}  # (assessment, indicator) -> (version, value, note, request id, upstream)
        self.attempts = {}  # (assessment, indicator) -> notes sent
        self.lock = threading.Lock()
        self.acknowledged = 0  # 200-acknowledged saves (self.acks keeps the last per answer)
        self.saved = {}  # request id -> upstream, of every acknowledged save (the audit check)

    # -- plumbing --

    def browser(self):
        return Browser(self.state["url"], self.state["certificate"],
                       self.state["upstream_header"])

    def login(self, username, password=PASSWORD, browser=None):
        browser = browser or self.browser()
        page = browser.get("/accounts/login/")
        reply = browser.post("/accounts/login/", {
            "username": username, "password": password,
            "csrfmiddlewaretoken": TOKEN.search(page.text).group(1)})
        if reply.status != 302:
            raise RuntimeError(f"{username} could not log in: HTTP {reply.status}")
        return browser

    def check(self, name, ok, **detail):
        self.checks.append({"check": name, "ok": bool(ok), **detail})
        print(f"  [{'ok' if ok else 'FAILED'}] {name}: "
              + ", ".join(f"{k}={v}" for k, v in detail.items()), flush=True)

    def database(self):
        import psycopg2

        url = urlparse(self.state["database_url"])
        return psycopg2.connect(host=url.hostname, port=url.port or 5432,
                                user=url.username or "postgres", password=url.password or None,
                                dbname=url.path.lstrip("/"))

    def manage(self, *args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=cluster_mod.ROOT,
                              env=self.cluster.env(self.state), capture_output=True, text=True,
                              check=True).stdout

    def until_both(self, action, limit=12):
        """Repeat ``action`` (which returns a Reply) until both instances have answered."""
        replies = []
        for _ in range(limit):
            replies.append(action())
            if {r.upstream for r in replies} >= self.instances:
                break
        return replies

    def save(self, browser, assessment, indicator, version, token, label):
        value = random.randint(0, SCALE_MAX)
        note = f"cluster {label} {time.time():.6f}"
        with self.lock:
            self.attempts.setdefault((assessment, indicator), []).append(note)
        reply = browser.post(f"/checklists/{assessment}/answers/{indicator}/", {
            "value": str(value), "note": note, "version": str(version),
            "csrfmiddlewaretoken": token}, headers={"HX-Request": "true"})
        found = dict(VERSION.findall(reply.text))
        acked = (reply.status == 200 and "text-success" in reply.text
                 and "alert-danger" not in reply.text and str(indicator) in found)
        if acked:
            with self.lock:
                self.acknowledged += 1
                self.saved[reply.request_id] = reply.upstream
                self.acks[(assessment, indicator)] = (int(found[str(indicator)]), value, note,
                                                      reply.request_id, reply.upstream)
        return reply, acked, int(found.get(str(indicator), version))

    # -- the checks --

    def sessions_and_csrf(self):
        operator = self.login("operator")
        home = operator.get("/")
        assessment = int(CHECKLIST.search(home.text).group(1))
        pages = self.until_both(lambda: operator.get(f"/checklists/{assessment}/"))
        logged_in = [r for r in pages if r.status == 200 and VERSION.search(r.text)]
        self.check("session: one login, checklist pages from both instances",
                   len(logged_in) == len(pages)
                   and {r.upstream for r in logged_in} >= self.instances,
                   pages=len(pages), instances=sorted({r.upstream for r in logged_in}))
        # A token from a page of one instance, posted to whichever answers next.
        crossed, saved = set(), 0
        for _ in range(8):
            if crossed:  # shift by one request, so that the next pair runs the other way
                operator.get("/")
            page = operator.get(f"/checklists/{assessment}/")
            versions = {int(i): int(v) for i, v in VERSION.findall(page.text)}
            indicator = sorted(versions)[saved % len(versions)]
            reply, acked, _version = self.save(operator, assessment, indicator,
                                               versions[indicator],
                                               TOKEN.search(page.text).group(1), "csrf")
            saved += acked
            if acked and reply.upstream != page.upstream:
                crossed.add((page.upstream, reply.upstream))
            if len(crossed) == 2:
                break
        self.check("CSRF: a token issued by one instance is accepted by the other",
                   len(crossed) == 2, crossed=sorted(crossed), saves=saved)
        forged = self.until_both(lambda: operator.post(
            f"/checklists/{assessment}/answers/{sorted(versions)[0]}/",
            {"value": "1", "version": "1", "csrfmiddlewaretoken": "x" * 64},
            headers={"HX-Request": "true"}))
        self.check("CSRF: a forged token is refused by both instances",
                   all(r.status == 403 for r in forged)
                   and {r.upstream for r in forged} >= self.instances,
                   statuses=sorted({r.status for r in forged}),
                   instances=sorted({r.upstream for r in forged}))
        operator.close()
        return assessment

    def throttling(self, username="outsider"):
        limit = 5  # AXES_FAILURE_LIMIT's default (compliance/settings.py)
        browser = self.browser()
        failures = []
        for attempt in range(limit):
            page = browser.get("/accounts/login/")
            if attempt % 2:  # one request more: the next POST goes to the other instance
                page = browser.get("/accounts/login/")
            # A client's own X-Forwarded-For must not count as another address.
            failures.append(browser.post("/accounts/login/", {
                "username": username, "password": f"wrong-{attempt}",
                "csrfmiddlewaretoken": TOKEN.search(page.text).group(1)},
                headers={"X-Forwarded-For": f"10.9.8.{attempt + 1}"}))

        tries = []

        def right_password():
            tries.append(1)
            page = browser.get("/accounts/login/")
            if len(tries) % 2:
                page = browser.get("/accounts/login/")
            token = TOKEN.search(page.text)
            return browser.post("/accounts/login/", {
                "username": username, "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else ""},
                headers={"X-Forwarded-For": "10.9.8.200"})
        locked = self.until_both(right_password)
        self.check("login throttling: failures on both instances lock the account on both",
                   all(r.status in (200, 429) for r in failures)  # the last one may lock
                   and {r.upstream for r in failures} >= self.instances
                   and all(r.status == 429 for r in locked)
                   and {r.upstream for r in locked} >= self.instances,
                   failures_on=sorted({r.upstream for r in failures}),
                   locked_statuses=sorted({r.status for r in locked}),
                   locked_on=sorted({r.upstream for r in locked}))
        with self.database() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT ip_address, failures_since_start FROM axes_accessattempt "
                           "WHERE username = %s", [username])
            rows = cursor.fetchall()
        connection.close()
        self.check("login throttling: counted once, under nginx's address, not the spoofed ones",
                   len(rows) == 1 and rows[0][0] == "127.0.0.1" and rows[0][1] >= limit,
                   attempts=rows)
        self.manage("axes_reset_username", username)
        browser.close()

    def evidence(self, assessment):
        operator = self.login("operator")
        page = operator.get(f"/checklists/{assessment}/")
        indicator = int(VERSION.findall(page.text)[-1][0])
        content = b"%PDF-1.4\n" + os.urandom(300 * 1024) + b"\n%%EOF\n"  # > nginx's memory buffer
        digest = hashlib.sha256(content).hexdigest()
        upload = operator.request(
            "POST", f"/checklists/{assessment}/evidence/{indicator}/",
            fields={"csrfmiddlewaretoken": TOKEN.search(page.text).group(1)},
            files={"file": (f"cluster-{digest[:8]}.pdf", "application/pdf", content)},
            headers={"HX-Request": "true"})
        links = [int(x) for x in re.findall(r"/evidence/(\d+)/download/", upload.text)]
        evidence_id = max(links) if links else None
        downloads = self.until_both(lambda: operator.get(f"/evidence/{evidence_id}/download/"))
        same = [r for r in downloads if r.status == 200
                and hashlib.sha256(r.body).hexdigest() == digest]
        stored = [p for p in (Path(self.state["run_dir"]) / "media").rglob("*")
                  if p.is_file() and p.stat().st_size == len(content)
                  and hashlib.sha256(p.read_bytes()).hexdigest() == digest]
        self.check("evidence: uploaded through one instance, identical from both",
                   upload.status == 200 and evidence_id and len(same) == len(downloads)
                   and {r.upstream for r in same} >= self.instances and len(stored) == 1,
                   uploaded_on=upload.upstream, bytes=len(content),
                   downloaded_from=sorted({r.upstream for r in same}),
                   in_media_root=[str(p.relative_to(Path(self.state["run_dir"])))
                                  for p in stored])
        operator.close()

    def exports(self):
        leader = self.login("leader")
        government = int(re.search(r'href="/governments/(\d+)/"', leader.get("/").text).group(1))
        dashboard = leader.get(f"/governments/{government}/dashboard/")
        url = re.search(r'href="(/reports/\d+/governments/\d+\.xlsx)"', dashboard.text).group(1)
        workbooks = self.until_both(lambda: leader.get(url))
        good = [r for r in workbooks if r.status == 200 and self.workbook_names(r.body)]
        self.check("exports: the government workbook from both instances",
                   len(good) == len(workbooks) and {r.upstream for r in good} >= self.instances,
                   url=url, sizes=sorted({len(r.body) for r in good}),
                   instances=sorted({r.upstream for r in good}))
        # The worker makes the leaders' periodic report (through Redis, in its own process) and
        # stores it in MEDIA_ROOT; both instances then serve it.
        today = date.today().isoformat()
        self.manage("shell", "-c", "from assessments.tasks import leader_report_task; "
                    f"leader_report_task.delay({government}, '{today}')")
        report, deadline = None, time.time() + 90
        while report is None and time.time() < deadline:
            listing = leader.get(f"/governments/{government}/periodic-reports/")
            found = re.findall(rf'href="/governments/{government}/periodic-reports/(\d+)/"',
                               listing.text)
            report = max(int(x) for x in found) if found else None
            if report is None:
                time.sleep(1)
        downloads = self.until_both(
            lambda: leader.get(f"/governments/{government}/periodic-reports/{report}/"))
        good = [r for r in downloads if r.status == 200 and self.workbook_names(r.body)]
        self.check("worker: the periodic report made by Celery downloads from both instances",
                   report is not None and len(good) == len(downloads)
                   and {r.upstream for r in good} >= self.instances,
                   report=report, instances=sorted({r.upstream for r in good}))
        leader.close()

    @staticmethod
    def workbook_names(body):
        """The sheet names of an .xlsx (empty when it is not one)."""
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                workbook = archive.read("xl/workbook.xml").decode()
        except (zipfile.BadZipFile, KeyError):
            return []
        return re.findall(r'<sheet [^>]*name="([^"]+)"', workbook)

    # -- the load phase, with one instance stopped and the other killed --

    def operator_session(self, username, assessment, share, shares, samples, label):
        browser = self.login(username)
        page = browser.get(f"/checklists/{assessment}/")
        versions = {int(i): int(v) for i, v in VERSION.findall(page.text)}
        mine = [i for n, i in enumerate(sorted(versions)) if n % shares == share]
        token = TOKEN.search(page.text).group(1)
        while time.time() < self.until:
            started = time.time()
            try:
                if random.random() < 1 / 3:
                    reply = browser.get(f"/checklists/{assessment}/")
                    name, ok = "view", reply.status == 200 and bool(VERSION.search(reply.text))
                    if ok:
                        versions.update((int(i), int(v)) for i, v in VERSION.findall(reply.text))
                else:
                    indicator = random.choice(mine)
                    reply, ok, version = self.save(browser, assessment, indicator,
                                                   versions[indicator], token, label)
                    name = "save"
                    versions[indicator] = version
                status, upstream = reply.status, reply.upstream
            except OSError as exc:  # a connection nginx dropped: reconnect
                browser.close()
                name, ok, status, upstream = "error", False, type(exc).__name__, ""
            samples.append((started, time.time() - started, name, ok, status, upstream))
            if not ok:
                # As the page does after a failed save: read the current versions again.
                try:
                    page = browser.get(f"/checklists/{assessment}/")
                    versions.update((int(i), int(v)) for i, v in VERSION.findall(page.text))
                except OSError:
                    browser.close()
            time.sleep(random.uniform(0.05, 0.25))
        browser.close()

    def load(self, duration, sessions_per_operator=3):
        operators = {}
        for username in ("operator", "operator2"):
            browser = self.login(username)
            operators[username] = int(CHECKLIST.search(browser.get("/").text).group(1))
            browser.close()
        samples, threads = [], []
        start = time.time()
        self.until = start + 10 * duration  # set below, once the last event has happened
        for username, assessment in operators.items():
            for share in range(sessions_per_operator):
                thread = threading.Thread(target=self.operator_session, args=(
                    username, assessment, share, sessions_per_operator, samples,
                    f"{username}/{share}"), daemon=True)
                thread.start()
                threads.append(thread)
        events = []
        run_dir = ["--run-dir", self.state["run_dir"]]
        # Each step waits a quarter of the duration after the previous one has finished (a
        # restart takes seconds on a busy machine), so that every phase has traffic.
        step = duration / 4
        time.sleep(step)
        events.append(("stop instance 1 (SIGTERM)", time.time()))
        cluster_mod.main(["stop-instance", "1", *run_dir])
        events.append(("instance 1 stopped", time.time()))
        time.sleep(step)
        events.append(("start instance 1", time.time()))
        cluster_mod.main(["start-instance", "1", *run_dir])
        events.append(("instance 1 started again", time.time()))
        time.sleep(step)
        events.append(("kill instance 2 (SIGKILL)", time.time()))
        cluster_mod.main(["kill-instance", "2", *run_dir])
        self.until = time.time() + step
        for thread in threads:
            thread.join(timeout=step + 120)
        cluster_mod.main(["start-instance", "2", *run_dir])
        self.state = self.cluster.state
        marks = dict(events)
        end = time.time()
        phases = [("both instances", start, marks["stop instance 1 (SIGTERM)"]),
                  ("instance 1 drained and stopped", marks["stop instance 1 (SIGTERM)"],
                   marks["instance 1 started again"]),
                  ("instance 1 back", marks["instance 1 started again"],
                   marks["kill instance 2 (SIGKILL)"]),
                  ("instance 2 killed", marks["kill instance 2 (SIGKILL)"], end)]
        summary = {}
        for name, begin, finish in phases:
            inside = [s for s in samples if begin <= s[0] < finish]
            summary[name] = {
                "requests": len(inside), "failed": sum(not s[3] for s in inside),
                "statuses": dict(Counter(str(s[4]) for s in inside)),
                "instances": dict(Counter(s[5] for s in inside if s[5])),
            }
        alone = Counter(s[5] for s in samples if marks["instance 1 stopped"] <= s[0]
                        and s[0] + s[1] < marks["start instance 1"] and s[5])
        lost, superseded = self.lost_saves()
        served = Counter(s[5] for s in samples if s[5])
        self.check("load: both instances served the mix before the stop",
                   set(summary["both instances"]["instances"]) >= self.instances,
                   instances=summary["both instances"]["instances"])
        self.check("load: a planned stop (drained through nginx, then SIGTERM) fails no request",
                   summary["instance 1 drained and stopped"]["failed"] == 0
                   and set(alone) == {f"127.0.0.1:{self.state['app_ports'][1]}"},
                   statuses=summary["instance 1 drained and stopped"]["statuses"],
                   while_stopped=dict(alone))
        self.check("load: instance 1 serves again after its restart",
                   f"127.0.0.1:{self.state['app_ports'][0]}"
                   in summary["instance 1 back"]["instances"],
                   instances=summary["instance 1 back"]["instances"])
        self.check("load: no acknowledged save lost (stop, restart, kill)", not lost,
                   acknowledged=self.acknowledged, answers=len(self.acks),
                   attempted=sum(map(len, self.attempts.values())),
                   lost=len(lost), superseded_by_unacknowledged=superseded,
                   lost_samples=lost[:5])
        seconds = sum(s[1] for s in samples) / max(1, len(samples))
        return {"duration_s": duration, "requests": len(samples), "served": dict(served),
                "mean_ms": round(seconds * 1000, 1), "phases": summary,
                "events": [(name, round(at_ - start, 1)) for name, at_ in events]}

    def lost_saves(self):
        """Acknowledged saves whose answer is not in the database. An acknowledged save may be
        replaced by a later save of the same session that reached the database although its
        answer never came back (the instance was killed): that one is sent, stored, and not
        lost."""
        with self.database() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT assessment_id, indicator_id, version, value, note "
                           "FROM assessments_answer WHERE assessment_id = ANY(%s)",
                           [sorted({a for a, _i in self.acks})])
            stored = {(a, i): (v, val, note) for a, i, v, val, note in cursor.fetchall()}
        connection.close()
        lost, superseded = [], 0
        for key, (version, value, note, _request, _upstream) in self.acks.items():
            found = stored.get(key)
            if found == (version, value, note):
                continue
            if found and found[0] > version and found[2] in self.attempts.get(key, ()):
                superseded += 1
                continue
            lost.append([*key, version, value, note, found])
        return lost, superseded

    def audit(self):
        # Every acknowledged save, not only the last per answer: the load phase ends with one
        # instance killed, so the last saves all come from the other one.
        by_request = dict(self.saved)
        with self.database() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT request_id, actor FROM audit_entry WHERE request_id = ANY(%s) "
                           "AND table_name = 'assessments_answer'", [sorted(by_request)])
            found = dict(cursor.fetchall())
        connection.close()
        missing = sorted(set(by_request) - set(found))
        instances = {by_request[r] for r in found}
        self.check("audit trail: every acknowledged save has its entry (request id, operator)",
                   not missing and instances >= self.instances
                   and all(re.fullmatch(r"user:\d+:operator2?", actor)
                           for actor in found.values()),
                   entries=len(found), missing=missing[:5], actors=sorted(set(found.values())),
                   instances=sorted(instances))

    def run(self, duration):
        started = time.time()
        print(f"cluster mix against {self.state['url']} ({', '.join(sorted(self.instances))})",
              flush=True)
        assessment = self.sessions_and_csrf()
        self.throttling()
        self.evidence(assessment)
        self.exports()
        load = self.load(duration)
        self.audit()
        result = {"ok": all(c["ok"] for c in self.checks), "checks": self.checks,
                  "load": load, "seconds": round(time.time() - started, 1)}
        Path(self.state["run_dir"], "mix-result.json").write_text(json.dumps(result, indent=2))
        print(f"cluster mix: {'all checks passed' if result['ok'] else 'FAILED'} in "
              f"{result['seconds']} s; {load['requests']} requests in the load phase "
              f"({load['served']}), {self.acknowledged} acknowledged saves", flush=True)
        return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run-dir", type=Path, default=Path(os.environ.get(
        "CLUSTER_RUN_DIR", cluster_mod.DEFAULTS["run_dir"])))
    parser.add_argument("--duration", type=float, default=30.0,
                        help="seconds of the load phase")
    args = parser.parse_args(argv)
    return 0 if Mix(args.run_dir).run(args.duration)["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
