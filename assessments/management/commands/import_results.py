from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from assessments.services.results import results_import, results_match
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import SpreadsheetError, read_sheet


class Command(BaseCommand):
    help = ("Import a year's official results from .csv or .xlsx (columns province, level, name, "
            "score; optional code, short_name, published_rank, published_category, "
            "published_zone, not_assessed_reason: an empty score with a reason imports a "
            "government that was not assessed). Each row finds its government by code, else by "
            "name in its province, else by alias. All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--methodology", default=None,
                            help="methodology code (default by year: up to 2021 ombudsman-2016, "
                                 "2022-2024 ombudsman-2022, from 2025 ombudsman-2025)")
        parser.add_argument("--create-missing", action="store_true",
                            help="create a government that matches nothing (never a province)")
        parser.add_argument("--dry-run", action="store_true",
                            help="print how each row was matched and change nothing")

    def handle(self, *args, file, year, methodology, create_missing, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        if not 2000 <= year <= 2100:
            raise CommandError("--year must be between 2000 and 2100")
        arguments = {"year": year, "methodology_code": methodology,
                     "create_missing": create_missing}
        try:
            sheet = read_sheet(path.read_bytes(), path.name)
            if dry_run:
                return self._print_matches(results_match(sheet=sheet, **arguments))
            counts = results_import(sheet=sheet, **arguments)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(f"Nothing imported; {len(exc.errors)} problem(s):\n{lines}") from exc
        self.stdout.write(
            f"{year}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged, {counts['governments_created']} new governments.")

    def _print_matches(self, plans):
        for plan in plans:
            row = plan.row
            if plan.government is None:
                found = _("new government in %(province)s") % {"province": plan.province.name}
            else:
                found = f"{plan.government.name} ({plan.government.code or '-'})"
            self.stdout.write(_("row %(row)s: %(written)s → %(found)s [%(how)s]") % {
                "row": row.row, "written": f"{row.province} / {row.name}", "found": found,
                "how": plan.how})
        self.stdout.write(_("Dry run: nothing was changed."))
