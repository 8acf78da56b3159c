"""``manage.py export_national [--round ID] -o national.xlsx``: the national workbook (every
government, every unit × component) of a round, streamed to a file."""
import time

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Round
from assessments.spreadsheets.national_export import latest_round, national_workbook


class Command(BaseCommand):
    help = "Write every government's and every unit's scores of a round to one .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, default=None,
                            help="round id (default: the newest round with checklists)")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, round=None, output, **options):
        round_ = (Round.objects.filter(id=round).select_related("methodology").first()
                  if round is not None else latest_round())
        if round_ is None:
            raise CommandError("No such round." if round is not None
                               else "No round with checklists.")
        started = time.perf_counter()
        counts = national_workbook(round_, output)
        self.stdout.write(
            f"{counts['governments']} governments, {counts['units']} units and "
            f"{counts['component_cells']} component scores written to {output} "
            f"in {time.perf_counter() - started:.1f} s.")
