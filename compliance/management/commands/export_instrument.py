from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.instrument_io.export import NoSuchInstrument, choose_instrument, instrument_workbook


class Command(BaseCommand):
    help = ("Export an instrument of a methodology as .xlsx (sheets instrument, dimensions, "
            "indicators, rubric_levels, bands), to be changed and imported as a new version. "
            "Without --version: the methodology's default assessment instrument.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version is the instrument's version label here, not Django's version
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve",
                                     **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--methodology", required=True, help="methodology code")
        parser.add_argument("--version", default="", help="instrument version label")
        parser.add_argument("--code", default="",
                            help="instrument code (when the methodology has several)")
        parser.add_argument("-o", "--output", required=True, help="the .xlsx file to write")

    def handle(self, *args, methodology, version, code, output, **options):
        try:
            instrument = choose_instrument(methodology, version, code)
        except NoSuchInstrument as exc:
            raise CommandError(str(exc)) from exc
        path = Path(output)
        path.write_bytes(instrument_workbook(instrument))
        self.stdout.write(f"{instrument.code} {instrument.version} → {path}")
