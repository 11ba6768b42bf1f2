"""The supporters issue's API calls for `make bench` (issue 7), on the demo's supporters
(`tsunagi/demo/supporters.py`): the prefecture's course and supporter lists, a supporter's
record, 高知市's roster, its dispatches with the ranking of candidates (rule S4), a dispatch as
the coordinator and as the supporter sees it, the visit reports, the open incidents and the
found cases waiting."""

from __future__ import annotations

from tsunagi.bench.harness import register

PREFECTURAL = "demo-prefectural"
COORDINATOR = "demo-coordinator"
SUPPORTER = "demo-supporter"
RUN_DEMO = "run `tsunagi demo` (the supporters demo)"


def _supporter() -> str:
    from tsunagi.supporters.models import Supporter

    found = (
        Supporter.objects.filter(
            prefecture__agencies__memberships__user__username=PREFECTURAL,
            withdrawn_on__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise LookupError(f"no supporter of the demo prefecture: {RUN_DEMO}")
    return f"/api/v1/supporters/{found}"


def _dispatch(*states: str) -> int:
    from tsunagi.supporters.models import Dispatch

    found = Dispatch.objects.filter(agency__memberships__user__username=COORDINATOR)
    if states:
        found = found.filter(state__in=states)
    pk = found.order_by("-pk").values_list("pk", flat=True).first()
    if pk is None:
        raise LookupError(f"no dispatch of 高知市 in the states {states or 'any'}: {RUN_DEMO}")
    return pk


def _active() -> str:
    return f"/api/v1/dispatches/{_dispatch('active')}"


def _candidates() -> str:
    """The ranking of a dispatch waiting for its supporter, else of the active one."""
    from tsunagi.supporters.models import DispatchState

    try:
        pk = _dispatch(DispatchState.REQUESTED, DispatchState.MATCHED)
    except LookupError:
        pk = _dispatch(DispatchState.ACTIVE)
    return f"/api/v1/dispatches/{pk}/candidates"


def _mine() -> str:
    from tsunagi.supporters.models import Dispatch

    pk = (
        Dispatch.objects.filter(state="active", supporter__user__username=SUPPORTER)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        raise LookupError(f"no active dispatch of {SUPPORTER}: {RUN_DEMO}")
    return f"/api/v1/dispatches/{pk}"


register("api.trainings", "/api/v1/trainings", user=PREFECTURAL)
register("api.supporters", "/api/v1/supporters", user=PREFECTURAL)
register("api.supporters.registered", "/api/v1/supporters?status=registered", user=PREFECTURAL)
register("api.supporters.detail", _supporter, user=PREFECTURAL)
register("api.supporters.roster", "/api/v1/supporters/roster", user=COORDINATOR)
register("api.dispatches", "/api/v1/dispatches", user=COORDINATOR)
register("api.dispatches.detail", _active, user=COORDINATOR)
register("api.dispatches.candidates", _candidates, user=COORDINATOR)
register("api.dispatches.mine", "/api/v1/dispatches", user=SUPPORTER)
register("api.dispatches.mine_detail", _mine, user=SUPPORTER)
register("api.visit_reports", "/api/v1/visit-reports", user=COORDINATOR)
register("api.incidents.open", "/api/v1/incidents?open=true", user=COORDINATOR)
register("api.found_cases", "/api/v1/found-cases?state=new", user=COORDINATOR)
