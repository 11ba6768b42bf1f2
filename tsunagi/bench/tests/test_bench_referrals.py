"""The referral issue's calls of the benchmark answer on the demo data: the suggestions panel,
reminders and hand-overs waiting on both sides, and the introductions (pages and API)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tsunagi.bench.harness import Registry, load_calls, run_bench

pytestmark = pytest.mark.django_db

REFERRAL_CALLS = {
    "referrals.suggestions",
    "api.persons.suggestions",
    "referrals.waiting",
    "referrals.waiting_receiver",
    "api.referrals.reminders",
    "api.referrals.handovers",
    "referrals.introductions",
    "api.introductions",
}


def test_the_referral_calls_answer_on_the_demo_data() -> None:
    call_command("demo", persons=20, stdout=StringIO())
    registered = {call.name for call in load_calls()}
    assert registered >= REFERRAL_CALLS
    calls = Registry()
    for call in load_calls():
        if call.name in REFERRAL_CALLS:
            calls._calls[call.name] = call

    result = run_bench(calls, sizes=[0], repeat=1, warmup=0, rebuild=None)

    assert not result.problems, result.table()
