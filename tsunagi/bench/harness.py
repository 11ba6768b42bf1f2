"""The benchmark harness behind `tsunagi bench` (`make bench`).

Each capability registers the pages and API calls it wants timed, by name:

    from tsunagi.bench.harness import register
    register("agencies.list", "/agencies/", user="demo-staff")
    register("agencies.detail", first_kochi_agency_path, user="demo-staff")  # path at run time

The foundation's calls are in `tsunagi/bench/calls.py`; another app adds a `bench_calls.py`
module, found by autodiscovery. For each data size the harness rebuilds the demo
(`tsunagi demo --scale N --reset`, with `--persons M` when the command pairs the size with a
number of persons), then times every call in-process with Django's test client,
logged in as the named demo user (a session for pages, a bearer token for `/api/`), with DEBUG
off as in production. A response other than the expected status is reported as an error in
the table, never raised.
"""

from __future__ import annotations

import gc
import io
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils.module_loading import autodiscover_modules

PathTarget = str | Callable[[], str]


@dataclass(frozen=True)
class Call:
    """One request to time: a fixed path or a function that finds the path in the current data."""

    name: str
    target: PathTarget
    user: str | None = None
    method: str = "GET"
    data: Mapping[str, Any] | None = None
    content_type: str | None = None
    expect: int = 200
    token: bool | None = None  # None: a bearer token for paths under /api/, else a session

    def path(self) -> str:
        return self.target() if callable(self.target) else self.target

    def uses_token(self, path: str) -> bool:
        return self.token if self.token is not None else path.startswith("/api/")


class Registry:
    def __init__(self) -> None:
        self._calls: dict[str, Call] = {}

    def register(
        self,
        name: str,
        target: PathTarget,
        user: str | None = None,
        method: str = "GET",
        *,
        data: Mapping[str, Any] | None = None,
        content_type: str | None = None,
        expect: int = 200,
        token: bool | None = None,
    ) -> Call:
        if name in self._calls:
            raise ValueError(f"bench call {name!r} is registered twice")
        call = Call(name, target, user, method.upper(), data, content_type, expect, token)
        self._calls[name] = call
        return call

    def __iter__(self) -> Iterator[Call]:
        return iter(self._calls.values())

    def __len__(self) -> int:
        return len(self._calls)

    def only(self, fragments: Sequence[str]) -> Registry:
        """The calls whose name contains one of the fragments (all calls when none is given)."""
        subset = Registry()
        for call in self:
            if not fragments or any(fragment in call.name for fragment in fragments):
                subset._calls[call.name] = call
        return subset


registry = Registry()
register = registry.register


def load_calls() -> Registry:
    """The registry with the foundation's calls and every app's `bench_calls` module."""
    from tsunagi.bench import calls  # noqa: F401  (registers on import)

    autodiscover_modules("bench_calls")
    return registry


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), interpolating linearly between the closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Measurement:
    call: Call
    size: int
    timings_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    queries: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and set(self.statuses) == {self.call.expect}

    @property
    def p50(self) -> float | None:
        return percentile(self.timings_ms, 50) if self.timings_ms else None

    @property
    def p95(self) -> float | None:
        return percentile(self.timings_ms, 95) if self.timings_ms else None

    def problem(self) -> str | None:
        if self.error:
            return self.error
        wrong = {status: n for status, n in self.statuses.items() if status != self.call.expect}
        if wrong:
            answers = ", ".join(f"HTTP {status} ×{n}" for status, n in sorted(wrong.items()))
            return f"expected HTTP {self.call.expect}, got {answers}"
        return None


@dataclass
class BenchResult:
    sizes: list[int]
    counts: dict[int, dict[str, int]] = field(default_factory=dict)
    measurements: list[Measurement] = field(default_factory=list)

    def of(self, call_name: str, size: int) -> Measurement:
        for measurement in self.measurements:
            if measurement.call.name == call_name and measurement.size == size:
                return measurement
        raise KeyError((call_name, size))

    def ratio(self, call_name: str) -> float | None:
        """p95 at the largest size over p95 at the smallest: how the call scales with data."""
        if len(self.sizes) < 2:
            return None
        small, large = self.of(call_name, self.sizes[0]), self.of(call_name, self.sizes[-1])
        if not (small.ok and large.ok) or not small.p95 or large.p95 is None:
            return None
        return large.p95 / small.p95

    @property
    def problems(self) -> list[Measurement]:
        return [m for m in self.measurements if not m.ok]

    def table(self) -> str:
        names = list(dict.fromkeys(m.call.name for m in self.measurements))
        width = max([len("call"), *(len(name) for name in names)])
        lines = [
            f"{'call':<{width}}  {'size':>5}  {'status':<8}  {'p50 ms':>8}  {'p95 ms':>8}"
            f"  {'queries':>7}  {'p95 ratio':>9}"
        ]
        lines.append("-" * len(lines[0]))
        for name in names:
            for size in self.sizes:
                m = self.of(name, size)
                ratio = self.ratio(name) if size == self.sizes[-1] else None
                lines.append(
                    f"{name:<{width}}  {size:>5}  {'ok' if m.ok else 'ERROR':<8}"
                    f"  {_ms(m.p50):>8}  {_ms(m.p95):>8}"
                    f"  {'' if m.queries is None else m.queries:>7}"
                    f"  {'' if ratio is None else f'{ratio:.2f}':>9}"
                )
        kinds = list(dict.fromkeys(kind for counts in self.counts.values() for kind in counts))
        if kinds:
            lines += ["", f"{'rows':<{width}}  " + "  ".join(f"size {s:>5}" for s in self.sizes)]
            for kind in kinds:
                cells = "  ".join(f"{self.counts[s].get(kind, 0):>10}" for s in self.sizes)
                lines.append(f"{kind:<{width}}  {cells}")
        if self.problems:
            lines += ["", "errors:"]
            lines += [f"  {m.call.name} (size {m.size}): {m.problem()}" for m in self.problems]
        return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def rebuild_demo(size: int, persons: int = 0) -> None:
    """The demo data at the given size (`tsunagi demo --scale N --persons M --reset`), its output
    dropped."""
    call_command("demo", scale=size, persons=persons, reset=True, stdout=io.StringIO())


def row_counts() -> dict[str, int]:
    from tsunagi.agencies.models import Agency
    from tsunagi.jurisdictions.models import Municipality
    from tsunagi.people.models import Case, Contact, Person

    return {
        "agencies": Agency.objects.count(),
        "municipalities": Municipality.objects.count(),
        "users": get_user_model().objects.count(),
        "persons": Person.objects.count(),
        "cases": Case.objects.count(),
        "contacts": Contact.objects.count(),
    }


def _host() -> str:
    """A host name the site answers to, so that requests pass the ALLOWED_HOSTS check."""
    for host in settings.ALLOWED_HOSTS:
        if host not in ("*", ""):
            return host.lstrip(".")
    return "localhost"


@contextmanager
def _quiet_request_log() -> Iterator[None]:
    """Django logs every 4xx and 5xx response; once per call is enough, not once per request."""
    log = logging.getLogger("django.request")
    disabled, log.disabled = log.disabled, True
    try:
        yield
    finally:
        log.disabled = disabled


def measure(call: Call, size: int, repeat: int, warmup: int) -> Measurement:
    from tsunagi.accounts.models import ApiToken

    result = Measurement(call, size)
    client = Client(raise_request_exception=False, HTTP_HOST=_host())
    headers: dict[str, str] = {}
    token = None
    try:
        path = call.path()
    except Exception as exc:  # a missing record in the data: report, don't crash the run
        result.error = f"could not find the path: {exc.__class__.__name__}: {exc}"
        return result
    if call.user:
        user = get_user_model().objects.filter(username=call.user).first()
        if user is None:
            result.error = f"no user {call.user!r} in the data"
            return result
        if call.uses_token(path):
            token, raw = ApiToken.issue(user, label="bench")
            headers["Authorization"] = f"Bearer {raw}"
        else:
            client.force_login(user)

    def request() -> int:
        kwargs: dict[str, Any] = {"headers": headers}
        if call.data is not None:
            kwargs["data"] = call.data
        if call.content_type is not None:
            kwargs["content_type"] = call.content_type
        response = getattr(client, call.method.lower())(path, **kwargs)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        return int(response.status_code)

    try:
        with _quiet_request_log():
            for _ in range(warmup):
                request()
            gc.collect()
            for _ in range(repeat):
                started = time.perf_counter()
                status = request()
                result.timings_ms.append((time.perf_counter() - started) * 1000)
                result.statuses[status] += 1
        # Counted once, and logged as usual: a failing call shows its warning or traceback once.
        with CaptureQueriesContext(connection) as queries:
            request()
        result.queries = len(queries.captured_queries)
    finally:
        if token is not None:
            token.delete()
    return result


def run_bench(
    calls: Registry,
    sizes: Sequence[int],
    repeat: int = 30,
    warmup: int = 3,
    rebuild: Callable[[int], None] | None = rebuild_demo,
    progress: Callable[[str], None] = lambda message: None,
) -> BenchResult:
    """Time every call at every size. `rebuild=None` times the data as it is (one size)."""
    result = BenchResult(sizes=sorted(set(sizes)))
    with override_settings(DEBUG=False):
        for size in result.sizes:
            if rebuild is not None:
                progress(f"size {size}: building the demo data")
                started = time.perf_counter()
                rebuild(size)
                progress(f"size {size}: built in {time.perf_counter() - started:.1f} s")
            result.counts[size] = row_counts()
            progress(f"size {size}: timing {len(calls)} calls × {repeat}")
            for call in calls:
                result.measurements.append(measure(call, size, repeat, warmup))
    return result
