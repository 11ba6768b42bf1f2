"""Rule M3 with the access policy: the prefecture's officers record and change only a platform
set up jointly with the prefecture, and it stays joint; the municipality's officers any of their
own; the operator none (and sees no municipality's records, only the national counts)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.http import Http404

from tests.cast import Cast, make_cast
from tsunagi.access.policy import Denied
from tsunagi.accounts.models import Role
from tsunagi.jurisdictions.models import Municipality
from tsunagi.oversight import selectors, services
from tsunagi.oversight.models import MunicipalPlatform

PLATFORM: dict[str, Any] = {
    "name": "ネットワーク会議",
    "secretariat": "福祉課",
    "set_up_on": date(2024, 4, 1),
}


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


def test_m3_the_prefecture_sets_up_a_joint_platform_only(cast: Cast) -> None:
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    muroto = Municipality.objects.get(code="39202")
    with pytest.raises(Denied):
        services.set_up_platform(officer, muroto, **PLATFORM)
    made = services.set_up_platform(officer, muroto, joint_with_prefecture=True, **PLATFORM)
    assert made.joint_with_prefecture and made.recorded_by == officer
    changed = services.change_platform(officer, muroto, version=1, holds_meetings=True)
    assert changed.version == 2 and changed.joint_with_prefecture
    with pytest.raises(Denied):
        services.change_platform(officer, muroto, joint_with_prefecture=False)
    assert MunicipalPlatform.objects.filter(municipality=muroto).count() == 2


def test_m3_the_prefecture_does_not_change_a_towns_own_platform(cast: Cast) -> None:
    kochi_city = Municipality.objects.get(code="39201")
    own = services.set_up_platform(cast.users[Role.MUNICIPAL_OFFICER], kochi_city, **PLATFORM)
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    assert not selectors.may_change_platform(officer, kochi_city, own)
    for changes in ({"name": "県が変えた名前"}, {"joint_with_prefecture": True}):
        with pytest.raises(Denied):
            services.change_platform(officer, kochi_city, **changes)
    assert selectors.current_platform(officer, kochi_city) == own  # still visible (M5)


def test_m3_the_operator_records_no_platform(cast: Cast) -> None:
    operator = cast.users[Role.OPERATOR]
    kochi_city = Municipality.objects.get(code="39201")
    with pytest.raises(Http404):  # not even seen
        services.set_up_platform(operator, kochi_city, joint_with_prefecture=True, **PLATFORM)
    assert not selectors.may_change_platform(operator, kochi_city, None)
    assert any(p.code == "39" for p, _ in selectors.national_progress(operator))
