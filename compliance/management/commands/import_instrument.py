from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.instrument_io.importing import instrument_import
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import SpreadsheetError, read_workbook


class Command(BaseCommand):
    help = ("Import an instrument workbook (as export_instrument writes it) as a new version "
            "of an instrument of the methodology. All or nothing: every problem is listed "
            "with its sheet, row and column. An existing version is never changed.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version is the instrument's version label here, not Django's version
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve",
                                     **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--methodology", required=True, help="methodology code")
        parser.add_argument("--version", default="",
                            help="version label of the new instrument (default: the file's)")

    def handle(self, *args, file, methodology, version, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            sheets = read_workbook(path.read_bytes(), path.name)
            instrument = instrument_import(sheets=sheets, methodology_code=methodology,
                                           version=version)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(f"Nothing imported; {len(exc.errors)} problem(s):\n{lines}") from exc
        self.stdout.write(
            f"{instrument.code} {instrument.version}: {instrument.dimensions.count()} dimensions, "
            f"{instrument.indicators.count()} indicators.")
