"""The supporters API's calls of the benchmark answer on the demo data (tsunagi/demo/supporters.py):
the prefecture's lists, the roster, the dispatches with the ranking, the supporter's own view."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tsunagi.bench.harness import Registry, load_calls, run_bench

pytestmark = pytest.mark.django_db

SUPPORTER_CALLS = {
    "api.trainings",
    "api.supporters",
    "api.supporters.registered",
    "api.supporters.detail",
    "api.supporters.roster",
    "api.dispatches",
    "api.dispatches.detail",
    "api.dispatches.candidates",
    "api.dispatches.mine",
    "api.dispatches.mine_detail",
    "api.visit_reports",
    "api.incidents.open",
    "api.found_cases",
}


def test_the_supporter_calls_answer_on_the_demo_data() -> None:
    call_command("demo", persons=20, stdout=StringIO())
    registered = {call.name for call in load_calls()}
    assert registered >= SUPPORTER_CALLS
    calls = Registry()
    for call in load_calls():
        if call.name in SUPPORTER_CALLS:
            calls._calls[call.name] = call

    result = run_bench(calls, sizes=[0], repeat=1, warmup=0, rebuild=None)

    assert not result.problems, result.table()
