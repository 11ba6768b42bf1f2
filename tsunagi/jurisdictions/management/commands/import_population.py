"""`tsunagi import_population FILE --as-of 2020-10-01`: population per municipality from a CSV.

The CSV has the municipality code (5 or 6 digits) in the first column and the population in
the second, e.g. exported from the census (国勢調査). Unknown codes are reported and skipped.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tsunagi.jurisdictions.services import import_population
from tsunagi.web.wareki import DateFormatError, parse_date


class Command(BaseCommand):
    help = "Import population per municipality from a CSV (code, population)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file", type=Path)
        parser.add_argument(
            "--as-of", required=True, help="date of the figures (2020-10-01, R2.10.1)"
        )
        parser.add_argument("--encoding", default="utf-8-sig", help="e.g. cp932 for Excel CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_date(options["as_of"])
        except DateFormatError as exc:
            raise CommandError(str(exc)) from exc
        text = options["csv_file"].read_text(encoding=options["encoding"])
        report = import_population(text, as_of)
        self.stdout.write(f"{report.updated} municipalities updated")
        for error in report.errors:
            self.stderr.write(error)
