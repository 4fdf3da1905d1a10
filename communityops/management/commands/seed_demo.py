"""Seed the demo agency once; running it again changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Create the demo agency (clients, channels, guidelines, teams, users, inbox items). Idempotent."

    def handle(self, *args, **options):
        if not settings.DEMO_SEEDERS:
            raise CommandError(
                "These settings seed no demo (production: its accounts' password and TOTP secret are published)."
            )
        for dotted_path in settings.DEMO_SEEDERS:
            seeder = import_string(dotted_path)
            seeder(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo agency ready."))
