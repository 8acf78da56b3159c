from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Province
from assessments.models import Round
from assessments.selectors.rankings import GROUPS, ranking
from assessments.spreadsheets.ranking_export import ranking_workbook


class Command(BaseCommand):
    help = ("Write a province ranking of a published round as .xlsx (the page's download); "
            "without --province, the national ranking of the peer group.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--province", default=None)
        parser.add_argument("--group", choices=sorted(GROUPS), default="kabupaten")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, year, province, group, output, **options):
        round_ = (Round.objects.filter(year=year, state__in=[Round.State.PUBLISHED,
                                                             Round.State.CLOSED])
                  .order_by("-is_official").first())
        if round_ is None:
            raise CommandError(f"No published round for {year}.")
        found = None
        if province is not None:
            found = Province.objects.filter(name__iexact=province).first()
            if found is None:
                raise CommandError(f"Unknown province {province!r}.")
        elif group == "all":
            raise CommandError("--group all needs --province.")
        data = ranking(round_=round_, province=found, group=group)
        Path(output).write_bytes(ranking_workbook(data))
        self.stdout.write(f"{len(data.rows)} rows written to {output}")
