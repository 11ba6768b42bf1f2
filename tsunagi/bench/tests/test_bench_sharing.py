"""The consent and sharing calls of the benchmark answer on the demo data: the record seen
through the son's consent, the access log and the disclosure report (walkthrough A)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from tsunagi.bench.harness import Registry, load_calls, run_bench

pytestmark = pytest.mark.django_db

SHARING_CALLS = {
    "api.grants.record",
    "access.log",
    "access.disclosure",
    "api.persons.disclosure",
    "access.disclosure_pdf",
}


def test_the_sharing_calls_answer_on_the_demo_data() -> None:
    call_command("demo", persons=20, stdout=StringIO())
    expected = set(SHARING_CALLS)
    try:
        reverse("access:disclosure", args=[1])
    except NoReverseMatch:  # the disclosure page is not there yet
        expected.discard("access.disclosure")
    calls = load_calls().only(sorted(expected))
    assert {call.name for call in calls} >= expected
    calls = Registry()
    for call in load_calls():
        if call.name in expected:
            calls._calls[call.name] = call

    result = run_bench(calls, sizes=[0], repeat=1, warmup=0, rebuild=None)

    assert not result.problems, result.table()
