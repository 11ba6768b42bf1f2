"""`tsunagi refresh_figures`: rebuild the monthly figures of the case statistics (nightly)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tsunagi.figures import services


class Command(BaseCommand):
    help = (
        "Rebuild the pre-aggregated monthly figures of the statistics: by default the fiscal year "
        "of last month (April on), with --all every month."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="rebuild every month")
        parser.add_argument(
            "--since", help="rebuild from the fiscal year holding this day (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            since: date | None = None
        elif options["since"]:
            since = date.fromisoformat(options["since"])
        else:
            today = timezone.localdate()
            since = date(today.year, today.month, 1) - timedelta(days=1)
        rows = services.refresh(since)
        self.stdout.write(f"{rows} monthly figures written")
