"""Introductions (紹介, rule R3a): information about an agency or group given to the person or
their family, recorded by the agency that gave it. No personal data passes: no consent is asked,
no grant is made, and the introduced agency learns nothing of the person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation

from tests.cast import make_cast
from tests.people import yamada_household
from tests.sharing import receiver
from tsunagi.access.models import AuditEvent, Grant
from tsunagi.access.policy import Action, Kind, can, sight
from tsunagi.accounts.models import Role
from tsunagi.referrals import services
from tsunagi.referrals.models import GivenTo, Introduction, IntroductionTarget

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


def leaflet(**extra: Any) -> dict[str, Any]:
    return {
        "target_kind": IntroductionTarget.SELF_RELIANCE,
        "given_to": GivenTo.FAMILY,
        "what_given": "自立相談支援機関のチラシと電話番号",
        "rule": "R2",
        **extra,
    }


def has_no_english(message: str) -> bool:
    return not any(c.isascii() and c.isalpha() for c in message)


def test_r3a_introduction_is_recorded_with_its_audit_row(story: dict[str, Any]) -> None:
    cast, staff, case = story["cast"], story["staff"], story["case"]
    intro = services.record_introduction(
        staff, case, leaflet(to_agency=cast.self_reliance, given_on=timezone.localdate())
    )
    assert intro.agency == cast.center and intro.person == story["son"]
    assert intro.given_to == GivenTo.FAMILY and intro.target_label == cast.self_reliance.name
    event = AuditEvent.objects.get(action="introduction.recorded")
    assert event.agency_id == cast.center.pk and event.subject_id == story["son"].pk
    assert event.actor == staff and event.personal and event.grant == "own_agency"
    assert event.detail["rule"] == "R2" and event.detail["to_agency"] == cast.self_reliance.pk


def test_r3a_introduction_passes_no_data(story: dict[str, Any]) -> None:
    """Walkthrough C: no personal data leaves the agency; the introduced agency sees nothing."""
    cast, staff, sr = story["cast"], story["staff"], story["sr"]
    grants = Grant.objects.count()
    intro = services.record_introduction(
        staff, story["case"], leaflet(to_agency=cast.self_reliance)
    )
    assert Grant.objects.count() == grants
    assert sight(sr, Kind.PERSON, story["son"]) is None
    assert sight(sr, Kind.INTRODUCTION, intro) is None
    assert not can(sr, Action.VIEW, Kind.INTRODUCTION, intro)
    assert not AuditEvent.objects.filter(actor_agency=cast.self_reliance).exists()


def test_r3a_a_group_outside_the_registry_by_name(story: dict[str, Any]) -> None:
    intro = services.record_introduction(
        story["staff"],
        story["case"],
        {
            "target_kind": IntroductionTarget.FAMILY_ASSOCIATION,
            "to_name": "  高知ひきこもり家族会  ",
            "what_given": "例会の日程",
            "rule": "R3a",
        },
    )
    assert intro.to_agency is None and intro.to_name == "高知ひきこもり家族会"
    assert intro.given_on == timezone.localdate() and intro.given_to == GivenTo.PERSON


def test_introduction_bad_input_has_field_errors_in_japanese(story: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as err:
        services.record_introduction(story["staff"], story["case"], {"given_to": "neighbour"})
    errors = err.value.message_dict
    assert set(errors) == {"target_kind", "to_name", "what_given", "given_to"}
    assert all(has_no_english(m[0]) for m in errors.values()), errors
    assert not Introduction.objects.exists()


def test_introduction_not_of_the_own_agency_nor_in_the_future(story: dict[str, Any]) -> None:
    cast = story["cast"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        services.record_introduction(
            story["staff"], story["case"], leaflet(to_agency=cast.center, given_on=tomorrow)
        )
    assert set(err.value.message_dict) == {"to_agency", "given_on"}
    assert err.value.message_dict["given_on"] == ["未来の日付は入力できません。"]
    with pytest.raises(ValidationError) as err:
        services.record_introduction(
            story["staff"], story["case"], leaflet(to_name="家族会", given_on="来週")
        )
    assert set(err.value.message_dict) == {"given_on"}


def test_introduction_another_agency_cannot_record_on_the_case(story: dict[str, Any]) -> None:
    cast = story["cast"]
    for user in (story["sr"], cast.outsider, cast.nobody, cast.users[Role.OPERATOR]):
        with pytest.raises(Http404):
            services.record_introduction(user, story["case"], leaflet(to_name="家族会"))
    assert not Introduction.objects.exists()
