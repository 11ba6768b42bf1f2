"""The household shared with a supporter whose account came after the dispatch started (rules
S4/S5): the office shares it with one action, and never before the dispatch is active."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tsunagi.access.policy import Kind, sight
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import DispatchState
from tsunagi.supporters.tests.factories import PASSWORD, make_dispatch, make_supporter, make_world

pytestmark = pytest.mark.django_db


def test_s4_an_account_given_after_the_start_needs_the_office_to_share_the_household() -> None:
    w = make_world(supporters=False)
    late = make_supporter(w, "遅野 花", account=False)
    d = make_dispatch(w, late)
    assert d.state == DispatchState.ACTIVE and d.grant is None

    sv.give_account(w.officer, late, username="sup-late", password=PASSWORD)
    late.refresh_from_db()
    d.refresh_from_db()
    assert sv.needs_sharing(d)
    assert sight(late.user, Kind.PERSON, d.person) is None  # the prefecture shares nothing

    d = sv.share_household(w.coordinator, d)
    assert not sv.needs_sharing(d)
    seen = sight(late.user, Kind.PERSON, d.person)
    assert seen is not None and seen.ground == f"dispatch:{d.grant_id}"

    with pytest.raises(ValidationError) as exc:
        sv.share_household(w.coordinator, d)
    assert "grant" in exc.value.message_dict


def test_s5_a_stopped_dispatch_is_never_shared_again() -> None:
    w = make_world(supporters=False)
    s = make_supporter(w, "止野 太郎")
    d = make_dispatch(w, s)
    sv.stop(w.coordinator, d, requested_by="person", reason="本人の希望")
    d.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        sv.share_household(w.coordinator, d)
    assert "state" in exc.value.message_dict
    assert sight(s.user, Kind.PERSON, d.person) is None


def test_s4_the_dispatch_page_offers_to_share_and_the_api_shares() -> None:
    from django.test import Client
    from django.urls import reverse

    w = make_world(supporters=False)
    late = make_supporter(w, "遅野 次郎", account=False)
    d = make_dispatch(w, late)
    sv.give_account(w.officer, late, username="sup-late2", password=PASSWORD)
    client = Client()
    client.force_login(w.coordinator)
    page = client.get(reverse("supporters:dispatch", args=[d.pk])).content.decode()
    assert 'id="share-button"' in page
    response = client.post(reverse("supporters:dispatch_step", args=[d.pk, "share"]))
    assert response.status_code == 302
    d.refresh_from_db()
    assert not sv.needs_sharing(d)
    again = client.post(f"/api/v1/dispatches/{d.pk}/share")
    assert again.status_code == 422


def test_s4_a_plan_whose_end_has_passed_cannot_start() -> None:
    """A dispatch planned to end yesterday cannot start (its grant would end before it began):
    the office is asked to change the plan, never shown an error page."""
    import datetime

    from django.utils import timezone

    w = make_world(supporters=False)
    s = make_supporter(w, "過去 花子")
    today = timezone.localdate()
    d = make_dispatch(
        w, s, state=DispatchState.MATCHED, requested_on=today - datetime.timedelta(days=10)
    )
    d = sv.write_plan(
        w.coordinator,
        d,
        {
            "purpose": "a",
            "activity_plan": "b",
            "activities": "c",
            "starts_on": d.requested_on,
            "ends_on": today - datetime.timedelta(days=1),
        },
    )
    d = sv.record_consents(w.coordinator, d, person_consent_on=today, supporter_consent_on=today)
    with pytest.raises(ValidationError) as exc:
        sv.start(w.coordinator, d)
    assert "ends_on" in exc.value.message_dict
