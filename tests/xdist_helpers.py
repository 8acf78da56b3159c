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


# Modules whose tests must all run in one process: the cluster's mix runs once per test run
# behind a lock (tests/test_cluster.py), and a second process that got one of its tests would
# wait on that lock for the mix's ~1.5 minutes instead of running other tests.
ONE_PROCESS_MODULES = ("tests/test_cluster.py",)


# The longest single tests (seconds of one run on 2 busy cores), first among the transactional
# tests (tests/conftest.py): a test of a minute handed out last keeps one process working alone.
LONGEST_FIRST = ("tests/browser/test_round_2022_instrument.py",  # 55 s
                 "tests/browser/test_fieldwork_journey.py",  # 27 s
                 "tests/browser/test_verification_journey.py",  # 16 s
                 "tests/browser/test_checklist_journey.py",  # 15 s
                 "tests/browser/test_demo_journey.py")  # 13 s


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def one_by_one_scheduling(config, log):
    """``--dist load`` as make test wants it (tests/conftest.py installs it): tests go out one
    at a time in collection order to whichever process is free (each keeps ~2 queued), and the
    modules of ONE_PROCESS_MODULES go out whole, to one process.

    pytest-xdist's own load scheduling refills a process with up to a quarter of the tests
    left: near the end of a run one process got the browser tests (minutes of them) in one
    refill while the other ran the last quick tests and then waited (4.5 minutes idle in one
    measured run). Each process still runs its tests in collection order, so pytest-django's
    order holds in each (the transactional tests, whose flush empties the tables, last).
    ``--maxschedchunk N`` on the command line still sets the refill size."""
    from xdist.scheduler import LoadScheduling

    class OneByOneScheduling(LoadScheduling):
        def __init__(self, config, log=None):
            super().__init__(config, log)
            if self.maxschedchunk is None:
                self.maxschedchunk = 1

        def _send_tests(self, node, num):
            num = min(num, len(self.pending))
            if num:
                module = module_of(self.collection[self.pending[num - 1]])
                if module in ONE_PROCESS_MODULES:
                    while (num < len(self.pending)
                           and module_of(self.collection[self.pending[num]]) == module):
                        num += 1
            super()._send_tests(node, num)

    return OneByOneScheduling(config, log)
