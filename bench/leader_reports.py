"""Bench: the leaders' periodic reports of every government of the synthetic nation, in one
process, the way the daily job makes them (each government's report and mail in turn, each
called as ``leader_report_task`` calls it, outside any transaction; the mails go to Django's
in-memory backend so nothing leaves the machine).

    DATABASE_URL=postgres://…/<a synthetic nation> DEBUG=true \\
        .venv/bin/python bench/leader_reports.py [--obstacles 3] [--leaders 1]

Before measuring it gives each government ``--leaders`` leader accounts (with an address) and
each of its first agencies ``--obstacles`` open obstacles and an overdue action, so that the
reports have rows. Prints the count, the total time, the peak memory (ru_maxrss), the CPU
time of the report processes (on a shared machine the wall time measures the neighbours too),
and the round trips per report: SQL statements, and write transactions (explicit commits, and
writes made in autocommit, each its own transaction)."""
import argparse
import multiprocessing
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402

from agencies.models import Agency, Government, Membership, Role  # noqa: E402
from assessments.leader_reports import leader_report_make, period_before  # noqa: E402
from assessments.models import ActionItem, LeaderReport, Obstacle  # noqa: E402


def prepare(leaders, obstacles):
    user_model = get_user_model()
    if Membership.objects.filter(role=Role.LEADER, user__username__startswith="bench-leader-")\
            .exists():
        return
    with transaction.atomic():
        for government in Government.objects.all():
            for number in range(leaders):
                user = user_model.objects.create_user(
                    f"bench-leader-{government.id}-{number}",
                    f"leader{number}@gov{government.id}.example", None)
                Membership.objects.create(user=user, role=Role.LEADER, government=government)
        first = Agency.objects.order_by("government_id", "id")
        rows, actions = [], []
        for agency in first.iterator():
            if agency.id % 5:  # one agency in five has obstacles
                continue
            rows += [Obstacle(agency=agency, description=f"Kendala {n} {agency.name}")
                     for n in range(obstacles)]
            actions.append(ActionItem(agency=agency, title=f"Perbarui SK {agency.name}",
                                      due_date=date.today() - timedelta(days=10)))
        Obstacle.objects.bulk_create(rows, batch_size=5000)
        ActionItem.objects.bulk_create(actions, batch_size=5000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaders", type=int, default=1)
    parser.add_argument("--obstacles", type=int, default=3)
    parser.add_argument("--processes", type=int, default=1,
                        help="worker processes sharing the governments (as Celery workers do)")
    args = parser.parse_args()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    prepare(args.leaders, args.obstacles)
    today = date.today()
    start, end = period_before(today, "weekly")
    LeaderReport.objects.filter(period_start=start, period_end=end).delete()
    ids = list(Government.objects.order_by("id").values_list("id", flat=True))
    from django.db import connections
    connections.close_all()  # each process opens its own
    began = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.processes) as pool:
        results = pool.map(make_reports, [ids[n::args.processes]
                                          for n in range(args.processes)])
    seconds = time.perf_counter() - began
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's processes, joined
    cpu = children.ru_utime + children.ru_stime
    made, mails, peaks = (sum(r[0] for r in results), sum(r[1] for r in results),
                          [r[2] for r in results])
    queries, commits = sum(r[3] for r in results), sum(r[4] for r in results)
    print(f"governments: {len(ids)}  reports made: {made}  mails: {mails}  "
          f"processes: {args.processes}")
    print(f"total: {seconds:.1f} s  per report: {1000 * seconds / max(made, 1):.0f} ms  "
          f"peak memory per process: {max(peaks):.0f} MB (sum {sum(peaks):.0f} MB)")
    print(f"cpu: {cpu:.1f} s in the report processes (PostgreSQL's own not counted); load "
          f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"round trips: {queries / max(made, 1):.1f} queries and {commits / max(made, 1):.1f} "
          f"write commits per report ({queries} and {commits} for {made} reports, the mails' "
          f"delivery included); cpu per report: {1000 * cpu / max(made, 1):.0f} ms")


def sent_mails(government_ids):
    from notifications.models import Outbox
    return Outbox.objects.filter(dedupe_key__startswith="leader-report:", status="sent",
                                 notification__subject_id__in=LeaderReport.objects.filter(
                                     government_id__in=government_ids).values("id")).count()


def make_reports(government_ids):
    from django.core import mail
    from django.db import connection
    mail.outbox = []
    today = date.today()
    made = 0
    counts = {"queries": 0, "commits": 0}

    def count(execute, sql, params, many, context):
        counts["queries"] += 1
        if not connection.in_atomic_block and sql.lstrip()[:6].upper() in (
                "INSERT", "UPDATE", "DELETE"):
            counts["commits"] += 1  # autocommit: the statement is its own transaction
        return execute(sql, params, many, context)

    commit = connection.commit

    def counted_commit():
        counts["commits"] += 1
        return commit()

    governments = list(Government.objects.filter(id__in=government_ids).order_by("id"))
    connection.commit = counted_commit
    try:
        with connection.execute_wrapper(count):
            for government in governments:
                # As leader_report_task: no transaction around it (the report's writes are
                # one transaction of its own, and the mail's delivery runs after its commit).
                made += leader_report_make(government=government, frequency="weekly",
                                           today=today) is not None
                mail.outbox.clear()  # a real worker hands each mail to SMTP and forgets it
    finally:
        del connection.commit
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return made, sent_mails(government_ids), peak_mb, counts["queries"], counts["commits"]


if __name__ == "__main__":
    main()
