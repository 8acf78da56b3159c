from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo data (Sulawesi Tenggara, Muna Barat's current round, demo users)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="run even with DEBUG off (demo passwords are public!)")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with a public password; it runs only "
                               "with DEBUG on, or with --force.")
        users = seed_demo()
        self.stdout.write("Demo data ready. Demo logins (password for all: "
                          f"{DEMO_PASSWORD}):")
        for username, full_name, role in users:
            self.stdout.write(f"  {username:<12} {role} — {full_name}")
