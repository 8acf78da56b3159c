"""What a test module needs to know about pytest-xdist's processes (make test runs one per
core): which process it runs in, so that a module with a Celery worker takes a Redis database
of its own per process, and the id of the whole run, so that a module's expensive result can be
made once and shared between the processes."""
import os


def process_index() -> int:
    """0 for the first process (and without xdist), 1 for the second, …"""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name[2:]) if name[2:].isdigit() else 0


def redis_database(base: int) -> int:
    """``base`` plus this process's index, over at most three processes: 9–11 for the mail
    worker's module, 13–15 for the export worker's (the cluster takes 8, the bench 12)."""
    return base + process_index() % 3


def run_id() -> str | None:
    """The same string in every process of one xdist run; None without xdist."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID")
