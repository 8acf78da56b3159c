"""Merge two governments that were split by mistake, from the shell (same rules as the page)."""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agencies.merge import government_merge
from agencies.models import Government


class Command(BaseCommand):
    help = ("Merge government DROP_ID into KEEP_ID: results, round participations, agencies, "
            "memberships and aliases move to KEEP_ID, DROP_ID's name becomes an alias, and "
            "DROP_ID is deleted. Clashes (two results for one round, two agencies of one name) "
            "are refused and nothing changes.")

    def add_arguments(self, parser):
        parser.add_argument("keep_id", type=int)
        parser.add_argument("drop_id", type=int)
        parser.add_argument("--user", default=None,
                            help="username that signs the admin log entry (default: none)")

    def handle(self, *args, keep_id, drop_id, user, **options):
        governments = Government.objects.in_bulk([keep_id, drop_id])
        for pk in (keep_id, drop_id):
            if pk not in governments:
                raise CommandError(_("no government with id %(id)s") % {"id": pk})
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("unknown user %(username)s") % {"username": user})
        try:
            summary = government_merge(keep=governments[keep_id], drop=governments[drop_id],
                                       by=by)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        moved = ", ".join(f"{count} {what}" for what, count in summary["moved"].items()) or "-"
        self.stdout.write(_("Merged #%(drop)s “%(name)s” into #%(keep)s: moved %(moved)s; "
                            "%(aliases)s alias(es) added.") % {
            "drop": drop_id, "name": summary["dropped_name"], "keep": keep_id, "moved": moved,
            "aliases": summary["aliases"]})
