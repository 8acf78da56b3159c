"""Load the official provinces, provincial governments, kabupaten and kota (idempotent)."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agencies.regions import SOURCE_VERSION, official_provinces, regions_load


class Command(BaseCommand):
    help = ("Create or update the 38 provinces (with their time zones), their provincial "
            "governments and the 514 kabupaten/kota of the Ministry of Home Affairs list "
            f"(idn-area-data {SOURCE_VERSION}), with their codes. Existing rows without a code "
            "are matched by name and given theirs; nothing is duplicated. Running it again "
            "changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--province", action="append", default=None, metavar="CODE",
                            help="only this province (its code, e.g. 74); may be repeated")

    def handle(self, *args, province, **options):
        codes = set(province) if province else None
        known = {p.code for p in official_provinces()}
        if codes and codes - known:
            raise CommandError(_("unknown province code(s): %(codes)s") % {
                "codes": ", ".join(sorted(codes - known))})
        report = regions_load(provinces=codes)
        for warning in report.warnings:
            self.stderr.write(warning)
        self.stdout.write(_(
            "Provinces: %(p_created)s created, %(p_updated)s updated, %(p_unchanged)s "
            "unchanged. Governments: %(g_created)s created, %(g_updated)s updated, "
            "%(g_unchanged)s unchanged. Aliases: %(aliases)s created.") % {
                "p_created": report.provinces["created"],
                "p_updated": report.provinces["updated"],
                "p_unchanged": report.provinces["unchanged"],
                "g_created": report.governments["created"],
                "g_updated": report.governments["updated"],
                "g_unchanged": report.governments["unchanged"], "aliases": report.aliases})
