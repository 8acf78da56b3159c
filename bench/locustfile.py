"""Simulated operators for ``make bench``'s load run: each logs in once (outside the measured
window), then mixes checklist views and answer saves against its own agency's checklist.

Only 127.0.0.1 is ever addressed, and the run is bounded: the measured window lasts
BENCH_DURATION seconds after the last operator has logged in, then the runner quits (locust's
own --run-time is the hard stop). Every acknowledged save (HTTP 200 with the "saved" message and
its new version) is written to the result file, so the bench can check that none was lost.
"""
import json
import os
import random
import re
import time
from urllib.parse import urlparse

import gevent
from locust import FastHttpUser, between, events, task

CONFIG = json.loads(open(os.environ["BENCH_LOAD_CONFIG"], encoding="utf-8").read())
DURATION = float(os.environ.get("BENCH_DURATION", "60"))
RESULT = os.environ["BENCH_LOAD_RESULT"]
VIEW_WEIGHT, SAVE_WEIGHT = 1, 2
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'<input[^>]*\bname="version"[^>]*\bvalue="(\d+)"')

_operators = iter(CONFIG["operators"])
state = {"logged_in": 0, "login_failures": 0, "start": None, "end": None, "samples": [],
         "errors": [], "acks": {}, "attempts": {}, "attempted_saves": 0}


def in_window(at):
    return state["start"] is not None and state["start"] <= at and (
        state["end"] is None or at <= state["end"])


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None,
            start_time=None, **kwargs):
    if name.startswith("setup:"):
        return
    finished = time.time()
    if not in_window(finished):
        return
    state["samples"].append((name, response_time, exception is not None, finished))
    if exception is not None and len(state["errors"]) < 50:
        state["errors"].append(f"{name}: {exception}")


def _coordinator(environment):
    users = environment.parsed_options.num_users
    deadline = time.time() + float(os.environ.get("BENCH_LOGIN_TIMEOUT", "180"))
    while state["logged_in"] + state["login_failures"] < users and time.time() < deadline:
        gevent.sleep(0.1)
    state["start"] = time.time()
    gevent.sleep(DURATION)
    state["end"] = time.time()
    gevent.sleep(1.0)  # let the last in-flight requests land (they are outside the window)
    _write(environment)
    environment.runner.quit()


def _write(environment):
    with open(RESULT, "w", encoding="utf-8") as handle:
        json.dump({
            "start": state["start"], "end": state["end"], "duration": DURATION,
            "users": environment.parsed_options.num_users, "logged_in": state["logged_in"],
            "login_failures": state["login_failures"], "samples": state["samples"],
            "errors": state["errors"], "attempted_saves": state["attempted_saves"],
            "acks": [[aid, ind, version, value, note] for (aid, ind), (version, value, note)
                     in state["acks"].items()],
            # Every save sent (acknowledged or not): a later unacknowledged save of the same
            # operator may legitimately have replaced an acknowledged one.
            "attempts": [[aid, ind, notes] for (aid, ind), notes in state["attempts"].items()],
        }, handle)


@events.test_start.add_listener
def _start(environment, **kwargs):
    host = urlparse(environment.host or "")
    if host.hostname != "127.0.0.1":
        raise SystemExit("The bench sends traffic to 127.0.0.1 only.")
    gevent.spawn(_coordinator, environment)


class Operator(FastHttpUser):
    wait_time = between(float(os.environ.get("BENCH_THINK_MIN", "0.5")),
                        float(os.environ.get("BENCH_THINK_MAX", "1.5")))

    def on_start(self):
        self.operator = next(_operators)
        self.versions = {int(k): v for k, v in self.operator["versions"].items()}
        self.indicators = sorted(self.versions)
        self.assessment = self.operator["assessment"]
        self.sequence = 0
        for attempt in range(3):  # setup is outside the measured window; retry a slow login
            if self._log_in():
                state["logged_in"] += 1
                break
        else:
            state["login_failures"] += 1
            raise gevent.GreenletExit
        while state["start"] is None:
            gevent.sleep(0.05)

    def _log_in(self):
        page = self.client.get("/accounts/login/", name="setup:login-form")
        found = TOKEN.search(page.text or "")
        if not found:
            return False
        with self.client.post("/accounts/login/", name="setup:login", data={
                "username": self.operator["username"], "password": CONFIG["password"],
                "csrfmiddlewaretoken": found.group(1)}, allow_redirects=False,
                catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"login refused ({response.status_code})")
                return False
            response.success()
        page = self.client.get(f"/checklists/{self.assessment}/", name="setup:checklist")
        found = TOKEN.search(page.text or "")
        if not found:
            return False
        self.token = found.group(1)
        return True

    @task(VIEW_WEIGHT)
    def view_checklist(self):
        with self.client.get(f"/checklists/{self.assessment}/", name="checklist view",
                             catch_response=True) as response:
            if response.status_code != 200 or b"answer-" not in response.content:
                response.failure(f"checklist view: HTTP {response.status_code}")

    @task(SAVE_WEIGHT)
    def save_answer(self):
        indicator = random.choice(self.indicators)
        value = random.randint(0, CONFIG["scale_max"])
        self.sequence += 1
        note = f"load {self.operator['username']} #{self.sequence}"
        version = self.versions[indicator]
        state["attempted_saves"] += 1
        state["attempts"].setdefault((self.assessment, indicator), []).append(note)
        with self.client.post(
                f"/checklists/{self.assessment}/answers/{indicator}/", name="answer save",
                data={"value": str(value), "note": note, "version": str(version),
                      "csrfmiddlewaretoken": self.token},
                headers={"HX-Request": "true"}, catch_response=True) as response:
            text = response.text or ""
            found = VERSION.search(text)
            if (response.status_code == 200 and "text-success" in text
                    and "alert-danger" not in text and found):
                new_version = int(found.group(1))
                self.versions[indicator] = new_version
                state["acks"][(self.assessment, indicator)] = (new_version, value, note)
                response.success()
            else:
                response.failure(f"answer save: HTTP {response.status_code}")
