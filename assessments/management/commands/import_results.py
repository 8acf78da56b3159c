from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.services.results import results_import
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import SpreadsheetError, read_sheet


class Command(BaseCommand):
    help = ("Import a year's official results from .csv or .xlsx (columns province, level, name, "
            "score; optional published_rank, published_category). All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--methodology", default=None,
                            help="methodology code (default: by year)")

    def handle(self, *args, file, year, methodology, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        if not 2000 <= year <= 2100:
            raise CommandError("--year must be between 2000 and 2100")
        try:
            sheet = read_sheet(path.read_bytes(), path.name)
            counts = results_import(sheet=sheet, year=year, methodology_code=methodology)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(f"Nothing imported; {len(exc.errors)} problem(s):\n{lines}") from exc
        self.stdout.write(
            f"{year}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['governments_created']} new governments.")
