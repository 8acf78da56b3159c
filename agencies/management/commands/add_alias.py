"""Add a spelling (an old name, an abbreviation) to a province or government by its code."""
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agencies.aliases import alias_add
from agencies.identity import normalise_code
from agencies.models import Government, Province


class Command(BaseCommand):
    help = ("Add an alias: CODE is a province's code (74) for a province alias, or a "
            "government's (74.72) for a government alias; every later import finds SPELLING.")

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("spelling")

    def handle(self, *args, code, spelling, **options):
        code = normalise_code(code)
        government = Government.objects.select_related("province").filter(code=code).first() \
            if "." in code else None
        province = Province.objects.filter(code=code).first() if government is None else None
        if government is None and province is None:
            raise CommandError(_("unknown code “%(code)s”") % {"code": code})
        try:
            alias = alias_add(name=spelling, province=province, government=government)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(str(alias))
