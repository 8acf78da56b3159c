"""The agency import from the shell, with the same rules as the administrator's page."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agencies.imports import agencies_import, validate_rows
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import SpreadsheetError, read_sheet


class Command(BaseCommand):
    help = ("Import agencies from .csv or .xlsx (columns province, government, name; optional "
            "short_name, kind, government_code). Each row finds its government by code, else by "
            "name in its province, else by alias. Existing agencies are updated, not "
            "duplicated. All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", default=None,
                            help="username recorded as the actor of the audit entries (default: the command)")
        parser.add_argument("--dry-run", action="store_true",
                            help="print how each row was matched and change nothing")

    def handle(self, *args, file, user, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": file})
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("unknown user %(username)s") % {"username": user})
        try:
            sheet = read_sheet(path.read_bytes(), path.name)
            if dry_run:
                return self._print_plans(validate_rows(sheet))
            counts = agencies_import(sheet=sheet, by=by)
        except SpreadsheetError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        except ImportRejected as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(_("Nothing imported; %(count)s problem(s):") % {
                "count": len(exc.errors)} + "\n" + lines) from exc
        self.stdout.write(_("%(file)s: %(created)s created, %(updated)s updated, "
                            "%(unchanged)s unchanged.") % {"file": path.name, **counts})

    def _print_plans(self, plans):
        for plan in plans:
            government = plan.agency.government
            self.stdout.write(_("row %(row)s: %(government)s (%(code)s) [%(how)s]; %(agency)s: "
                                "%(action)s") % {
                "row": plan.row, "government": government.name, "code": government.code or "-",
                "how": plan.how, "agency": plan.agency.name, "action": plan.action})
        self.stdout.write(_("Dry run: nothing was changed."))
