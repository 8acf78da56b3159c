"""The agency import from the shell, with the same rules as the administrator's page."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agencies.imports import agencies_import
from compliance.spreadsheets.errors import ImportRejected
from compliance.spreadsheets.reading import SpreadsheetError, read_sheet


class Command(BaseCommand):
    help = ("Import agencies from .csv or .xlsx (columns province, government, name; optional "
            "short_name, kind). Existing agencies are updated, not duplicated. All or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", default=None,
                            help="username recorded as the actor of the audit entries (default: the command)")

    def handle(self, *args, file, user, **options):
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
            counts = agencies_import(sheet=sheet, by=by)
        except SpreadsheetError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        except ImportRejected as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            raise CommandError(_("Nothing imported; %(count)s problem(s):") % {
                "count": len(exc.errors)} + "\n" + lines) from exc
        self.stdout.write(_("%(file)s: %(created)s created, %(updated)s updated, "
                            "%(unchanged)s unchanged.") % {"file": path.name, **counts})
