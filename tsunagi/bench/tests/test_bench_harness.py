"""The benchmark harness: every call timed at every size, failures reported in the table."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from tsunagi.bench import harness
from tsunagi.bench.harness import Registry, percentile, run_bench

pytestmark = [
    pytest.mark.smoke,
    pytest.mark.django_db,
    pytest.mark.urls("tsunagi.bench.tests.urls"),
]


@pytest.fixture
def calls() -> Registry:
    get_user_model().objects.create_user("bench-user", password="bench-password-1")
    registry = Registry()
    registry.register("page", "/ok")
    registry.register("computed", lambda: "/ok")
    registry.register("session", "/whoami", user="bench-user")
    registry.register("token", "/api/whoami", user="bench-user")
    registry.register("missing", "/missing")
    registry.register("crash", "/boom")
    registry.register("stranger", "/whoami", user="nobody")
    registry.register("no-path", lambda: [][0])
    return registry


def test_each_call_is_timed_at_each_size_after_the_data_is_rebuilt(calls):
    rebuilt: list[int] = []
    result = run_bench(calls, sizes=[10, 1], repeat=5, warmup=1, rebuild=rebuilt.append)

    assert rebuilt == [1, 10]
    assert result.sizes == [1, 10]
    assert set(result.counts) == {1, 10}
    assert result.counts[1]["users"] == 1
    assert result.counts[1]["municipalities"] == 1741
    for name in ("page", "computed", "session", "token"):
        for size in (1, 10):
            m = result.of(name, size)
            assert m.ok, m.problem()
            assert len(m.timings_ms) == 5
            p50, p95 = m.p50, m.p95
            assert p50 is not None and p95 is not None
            assert 0 < p50 <= p95 < 5000
            assert m.queries is not None
        ratio = result.ratio(name)
        assert ratio is not None and ratio > 0


def test_errors_are_reported_in_the_table_not_raised(calls):
    result = run_bench(calls, sizes=[1, 2], repeat=2, warmup=0, rebuild=None)

    problems = {m.call.name: m.problem() or "" for m in result.problems if m.size == 1}
    assert set(problems) == {"missing", "crash", "stranger", "no-path"}
    assert "HTTP 404 ×2" in problems["missing"]
    assert "HTTP 500 ×2" in problems["crash"]
    assert "nobody" in problems["stranger"]
    assert "IndexError" in problems["no-path"]
    assert result.ratio("missing") is None

    table = result.table()
    rows = [line.split() for line in table.splitlines()]
    for name in ("page", "computed", "session", "token", "missing", "crash"):
        assert [name, "1"] in [row[:2] for row in rows]
        assert [name, "2"] in [row[:2] for row in rows]
    assert ["page", "1", "ok"] in [row[:3] for row in rows]
    assert ["missing", "2", "ERROR"] in [row[:3] for row in rows]
    assert ["municipalities", "1741", "1741"] in rows
    assert "missing (size 1): expected HTTP 200, got HTTP 404 ×2" in table


def test_percentile_interpolates_between_ranks():
    assert percentile([5.0], 95) == 5.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 95) == pytest.approx(95.05)


def test_a_name_is_registered_once():
    registry = Registry()
    registry.register("page", "/ok")
    with pytest.raises(ValueError, match="twice"):
        registry.register("page", "/other")


def test_the_command_prints_the_table(calls, monkeypatch, capsys):
    monkeypatch.setattr(harness, "registry", calls.only(["page", "token"]))

    call_command("bench", "--allow-sqlite", "--no-rebuild", "--repeat", "2", "--warmup", "0")

    out = capsys.readouterr().out
    assert "page" in out and "token" in out and "p95 ratio" in out


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for other databases")
def test_the_command_refuses_a_database_other_than_postgresql():
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench")
