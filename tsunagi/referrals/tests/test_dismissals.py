"""Suggestions set aside (見送り) with a reason, and shown again: case records of the agency
alone, each change logged; the reasons are counted in the statistics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from tests.cast import make_cast
from tests.people import yamada_household
from tests.sharing import receiver
from tsunagi.access.models import AuditEvent
from tsunagi.accounts.models import Role
from tsunagi.referrals import services
from tsunagi.referrals.models import Dismissal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    with translation.override("ja"):
        yield


@pytest.fixture
def story() -> dict[str, Any]:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    return {"cast": cast, "staff": staff, "son": son, "case": case, "sr": receiver(cast)}


def has_no_english(message: str) -> bool:
    return not any(c.isascii() and c.isalpha() for c in message)


def test_r7_dismiss_a_suggestion_with_its_reason_and_audit_row(story: dict[str, Any]) -> None:
    cast, staff = story["cast"], story["staff"]
    dismissal = services.dismiss_suggestion(
        staff, story["case"], "R7:debt", reason="  既に弁護士に相談している  "
    )
    assert (dismissal.rule, dismissal.code) == ("R7", "R7:debt")
    assert dismissal.reason == "既に弁護士に相談している"
    assert dismissal.agency == cast.center and dismissal.dismissed_by == staff
    event = AuditEvent.objects.get(action="suggestion.dismissed")
    assert event.subject_id == story["son"].pk and event.agency_id == cast.center.pk
    assert event.detail == {"rule": "R7", "code": "R7:debt"}


def test_r2_restore_keeps_the_row_and_logs_it(story: dict[str, Any]) -> None:
    staff = story["staff"]
    dismissal = services.dismiss_suggestion(staff, story["case"], "R2", reason="本人が望まない")
    restored = services.restore_suggestion(staff, dismissal)
    assert restored.restored_at is not None and restored.restored_by == staff
    assert Dismissal.objects.filter(pk=dismissal.pk).exists()
    assert AuditEvent.objects.filter(action="suggestion.restored", subject_id=story["son"].pk)
    # and it can be set aside again, with a new reason
    again = services.dismiss_suggestion(staff, story["case"], "R2", reason="まだ早い")
    assert again.pk != dismissal.pk


def test_dismissal_bad_input_has_field_errors_in_japanese(story: dict[str, Any]) -> None:
    staff, case = story["staff"], story["case"]
    with pytest.raises(ValidationError) as err:
        services.dismiss_suggestion(staff, case, "R99", reason=" ")
    errors = err.value.message_dict
    assert set(errors) == {"code", "reason"}
    assert all(has_no_english(m[0]) for m in errors.values()), errors
    services.dismiss_suggestion(staff, case, "R6", reason="本人が望まない")
    with pytest.raises(ValidationError) as err:
        services.dismiss_suggestion(staff, case, "R6", reason="重ねて")
    assert list(err.value.message_dict) == ["code"]
    assert has_no_english(err.value.message_dict["code"][0])
    assert Dismissal.objects.count() == 1


def test_restore_twice_is_refused(story: dict[str, Any]) -> None:
    staff = story["staff"]
    dismissal = services.dismiss_suggestion(staff, story["case"], "R6", reason="本人が望まない")
    services.restore_suggestion(staff, dismissal)
    with pytest.raises(ValidationError) as err:
        services.restore_suggestion(staff, dismissal)
    assert has_no_english(err.value.message_dict["code"][0])


def test_dismissal_another_agency_can_neither_dismiss_nor_restore(story: dict[str, Any]) -> None:
    cast, case = story["cast"], story["case"]
    dismissal = services.dismiss_suggestion(story["staff"], case, "R6", reason="本人が望まない")
    for user in (story["sr"], cast.outsider, cast.nobody, cast.users[Role.OPERATOR]):
        with pytest.raises(Http404):
            services.dismiss_suggestion(user, case, "R2", reason="他機関から")
        with pytest.raises(Http404):
            services.restore_suggestion(user, dismissal)
    assert Dismissal.objects.get().restored_at is None
