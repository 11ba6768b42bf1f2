"""The demo's supporters programme in 高知県 (issue 7): 12 trained, 9 consented, the roster of 9
given to 高知市 (runs dispatch) and いの町 (plans it), 7 confirmed by 高知市; demo-supporter's
active dispatch with 3 visits and advice, a stopped dispatch, an incident being followed up and
a found case waiting. Idempotent, the same with the same seed, gone after a reset."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tsunagi.accounts.models import User
from tsunagi.demo.supporters import PREFIX
from tsunagi.supporters import selectors
from tsunagi.supporters.models import (
    Dispatch,
    DispatchState,
    FoundCase,
    Incident,
    IncidentState,
    RosterEntry,
    Supporter,
    TrainingCourse,
)

pytestmark = pytest.mark.django_db


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_s1_s3_demo_trained_consented_rostered_confirmed() -> None:
    demo("--quiet")
    supporters = Supporter.objects.filter(source__startswith=PREFIX)
    assert supporters.count() == 12
    assert supporters.filter(consent_signed_on__isnull=False).count() == 9
    assert supporters.exclude(peer="").count() >= 3
    assert TrainingCourse.objects.filter(kind="basic").get().sessions.count() == 3
    assert TrainingCourse.objects.filter(kind="follow_up").exists()
    entries = RosterEntry.objects.filter(supporter__in=supporters)
    assert entries.values("agency").distinct().count() == 2
    assert entries.count() == 18
    assert entries.filter(confirmed_on__isnull=False).count() == 7
    assert entries.filter(agency__name__startswith="高知市").count() == 9


def test_s4_s8_demo_dispatches_for_demo_supporter() -> None:
    demo("--quiet")
    user = User.objects.get(username="demo-supporter")
    mine = list(selectors.my_dispatches(user))
    assert len(mine) == 1 and mine[0].visits.count() == 3 and mine[0].guidance.exists()
    assert Dispatch.objects.filter(state=DispatchState.STOPPED).count() == 1
    assert Incident.objects.get().state == IncidentState.FOLLOWING_UP
    assert FoundCase.objects.get().state == "new"


def test_demo_supporters_idempotent_and_reset() -> None:
    demo("--quiet")
    first = list(Supporter.objects.order_by("source").values_list("name", "availability"))
    demo("--quiet")
    assert Supporter.objects.filter(source__startswith=PREFIX).count() == 12
    demo("--quiet", "--reset")
    again = list(Supporter.objects.order_by("source").values_list("name", "availability"))
    assert again == first
    assert Dispatch.objects.count() == 2
