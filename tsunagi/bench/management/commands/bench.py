"""`tsunagi bench`: time the registered pages and API calls at several demo data sizes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from tsunagi.bench.harness import load_calls, rebuild_demo, run_bench


def _numbers(value: str, option: str) -> list[int]:
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise CommandError(f"{option} takes numbers separated by commas, not {value!r}") from exc
    if not numbers or min(numbers) < 0:
        raise CommandError(f"{option} needs at least one number, none negative")
    return numbers


def _sizes(value: str) -> list[int]:
    return sorted(set(_numbers(value, "--sizes")))


def _persons(value: str, sizes: list[int]) -> tuple[dict[int, int], str]:
    """The number of persons built at each size, paired in order (the smallest size gets the
    smallest number); a size beyond the numbers gets the last one. Also a note when the counts
    differ."""
    if not value.strip():
        return dict.fromkeys(sizes, 0), ""
    numbers = sorted(_numbers(value, "--persons"))
    paired = {size: numbers[min(i, len(numbers) - 1)] for i, size in enumerate(sizes)}
    note = ""
    if len(numbers) > 1 and len(numbers) != len(sizes):
        note = f"--persons gives {len(numbers)} numbers for {len(sizes)} sizes: " + ", ".join(
            f"size {s} with {n} persons" for s, n in paired.items()
        )
    return paired, note


class Command(BaseCommand):
    help = (
        "Rebuild the demo at each size (tsunagi demo --scale N --persons M --reset) and time every "
        "registered call: p50 and p95 per size, and the p95 ratio between the largest and "
        "smallest size. Meant for PostgreSQL; destroys the data in the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sizes", default="1,10", help="demo --scale values (default 1,10)")
        parser.add_argument(
            "--persons",
            default="",
            help="demo --persons values paired with the sizes in order, e.g. 10000,100000 "
            "(one number: the same at every size; default none)",
        )
        parser.add_argument("--repeat", type=int, default=30, help="timed requests per call")
        parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")
        parser.add_argument(
            "--only", action="append", default=[], help="only calls whose name contains this"
        )
        parser.add_argument(
            "--no-rebuild",
            action="store_true",
            help="time the data already in the database (one size) instead of rebuilding",
        )
        parser.add_argument(
            "--allow-sqlite", action="store_true", help="run on a database other than PostgreSQL"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql" and not options["allow_sqlite"]:
            raise CommandError(
                f"the benchmark runs on PostgreSQL (this database is {connection.vendor}); "
                "use `make bench`, or --allow-sqlite to time it here anyway"
            )
        if options["repeat"] < 1 or options["warmup"] < 0:
            raise CommandError("--repeat must be at least 1 and --warmup not negative")
        calls = load_calls().only(options["only"])
        if not len(calls):
            raise CommandError("no registered call matches --only")
        sizes = [0] if options["no_rebuild"] else _sizes(options["sizes"])
        persons: dict[int, int] = {}
        if not options["no_rebuild"]:
            persons, note = _persons(options["persons"], sizes)
            if note:
                self.stderr.write(note)

        def rebuild(size: int) -> None:
            rebuild_demo(size, persons=persons[size])

        result = run_bench(
            calls,
            sizes,
            repeat=options["repeat"],
            warmup=options["warmup"],
            rebuild=None if options["no_rebuild"] else rebuild,
            progress=lambda message: self.stderr.write(message),
        )
        self.stdout.write(result.table())
        if result.problems:
            raise CommandError(
                f"{len(result.problems)} of {len(result.measurements)} measurements "
                "had errors (see the table)"
            )
