"""The benchmark at 10,000 and 100,000 persons: sizes paired with `demo --persons`, and the
people app's calls (name search, case page, API details) answering on the demo data."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tsunagi.bench import harness
from tsunagi.bench.harness import Registry, load_calls, run_bench
from tsunagi.bench.management.commands import bench

pytestmark = pytest.mark.django_db

PEOPLE_CALLS = {
    "people.search",
    "people.search_full_name",
    "people.case",
    "people.person",
    "people.print_intake",
    "api.persons.search",
    "api.persons.detail",
    "api.cases.detail",
}


def test_sizes_are_paired_with_persons_in_order() -> None:
    assert bench._persons("100000,10000", [1, 10]) == ({1: 10000, 10: 100000}, "")
    assert bench._persons("5000", [1, 10]) == ({1: 5000, 10: 5000}, "")
    assert bench._persons("", [1, 10]) == ({1: 0, 10: 0}, "")
    paired, note = bench._persons("10000,100000", [1, 5, 10])
    assert paired == {1: 10000, 5: 100000, 10: 100000}
    assert "3 sizes" in note


def test_the_command_rebuilds_each_size_with_its_persons(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[int, int]] = []
    monkeypatch.setattr(
        bench, "rebuild_demo", lambda size, persons=0: built.append((size, persons))
    )
    registry = Registry()
    registry.register("health", "/healthz")
    monkeypatch.setattr(harness, "registry", registry)
    args = ("--allow-sqlite", "--repeat", "1", "--warmup", "0", "--sizes", "10,1")

    call_command("bench", *args, "--persons", "10000,100000", stdout=StringIO())
    assert built == [(1, 10000), (10, 100000)]

    built.clear()
    call_command("bench", *args, stdout=StringIO())  # as before: no persons
    assert built == [(1, 0), (10, 0)]


def test_the_people_calls_answer_on_the_demo_data() -> None:
    call_command("demo", persons=30, stdout=StringIO())
    calls = load_calls().only(["people.", "api.persons", "api.cases"])
    assert {call.name for call in calls} >= PEOPLE_CALLS

    result = run_bench(calls, sizes=[0], repeat=1, warmup=0, rebuild=None)

    assert not result.problems, result.table()
    assert result.counts[0]["persons"] >= 30
