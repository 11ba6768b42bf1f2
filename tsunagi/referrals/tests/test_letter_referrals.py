"""Referrals at the service level: the person's wishes before sending (rule R1), a declined
referral that keeps its reason and category, and receivers without an account (Hello Work, a
hospital) whose answers the sender records, saying how each came (issue item 5)."""

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
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Denied
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel
from tsunagi.referrals import rules, services
from tsunagi.referrals.models import AnswerChannel, DeclineReason, Referral, ReferralEvent, State

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
    hello_work = Agency.objects.create(
        name="ハローワーク高知",
        kind=AgencyKind.HELLO_WORK,
        prefecture=cast.center.prefecture,
        operator_level=OperatorLevel.NATIONAL,
    )
    return {
        "cast": cast,
        "staff": staff,
        "son": son,
        "case": case,
        "sr": receiver(cast),
        "hello_work": hello_work,
    }


def has_no_english(message: str) -> bool:
    return not any(c.isascii() and c.isalpha() for c in message)


def sent(story: dict[str, Any], to: Agency) -> Referral:
    staff = story["staff"]
    consent = make_consent(staff, story["son"], to, case=story["case"])
    return services.send_referral(staff, make_referral(staff, story["case"], to, consent))


# --- R1: the person's wishes ---------------------------------------------------------------------


def test_r1_a_referral_cannot_be_sent_without_the_persons_wishes(story: dict[str, Any]) -> None:
    staff, cast = story["staff"], story["cast"]
    consent = make_consent(staff, story["son"], cast.self_reliance, case=story["case"])
    draft = services.draft_referral(
        staff,
        story["case"],
        to_agency=cast.self_reliance,
        purpose="家計の相談",
        consent=consent,
        wishes="   ",
    )
    assert rules.wishes_finding(draft) is not None
    with pytest.raises(ValidationError) as err:
        services.send_referral(staff, draft)
    assert list(err.value.message_dict) == ["wishes"]
    assert "R1" in err.value.message_dict["wishes"][0]
    assert Referral.objects.get(pk=draft.pk).state == State.CONSENT_CONFIRMED
    # written in the person's words, it goes
    services.update_referral(staff, draft, {"wishes": "お金のことを相談したい"})
    assert services.send_referral(staff, draft).state == State.SENT


def test_r1_wishes_cannot_be_heard_in_the_future(story: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as err:
        services.draft_referral(
            story["staff"],
            story["case"],
            to_agency=story["cast"].self_reliance,
            purpose="",
            wishes="相談したい",
            wishes_heard_on=timezone.localdate() + timedelta(days=1),
        )
    errors = err.value.message_dict
    assert set(errors) == {"purpose", "wishes_heard_on"}
    assert all(has_no_english(m[0]) for m in errors.values())


# --- declining ------------------------------------------------------------------------------------


def test_a_declined_referral_keeps_its_reason_and_category(story: dict[str, Any]) -> None:
    sr = story["sr"]
    referral = sent(story, story["cast"].self_reliance)
    with pytest.raises(ValidationError) as err:
        services.decline_referral(sr, referral, reason=" ", category="busy")
    assert set(err.value.message_dict) == {"decline_reason", "decline_category"}
    assert all(has_no_english(m[0]) for m in err.value.message_dict.values())

    declined = services.decline_referral(
        sr, referral, reason="住所が市外のため", category=DeclineReason.OUTSIDE_AREA
    )
    again = Referral.objects.get(pk=declined.pk)
    assert again.state == State.DECLINED
    assert again.decline_reason == "住所が市外のため"
    assert again.decline_category == DeclineReason.OUTSIDE_AREA
    assert again.answered_via == ""  # the receiver answered itself
    event = again.events.get(step="declined")
    assert event.agency == story["cast"].self_reliance and not event.on_behalf
    # closed by the sender, it still says why
    closed = services.close_referral(story["staff"], again)
    assert closed.decline_reason == "住所が市外のため"


def test_the_sender_cannot_take_the_receivers_step_of_an_account_holder(
    story: dict[str, Any],
) -> None:
    referral = sent(story, story["cast"].self_reliance)
    assert not referral.by_letter
    with pytest.raises(Denied):
        services.receive_referral(story["staff"], referral, answered_via=AnswerChannel.PHONE)
    with pytest.raises(Denied):
        services.decline_referral(story["staff"], referral, reason="x", answered_via="phone")


# --- receivers without an account ----------------------------------------------------------------


def test_a_receiver_without_an_account_gets_a_letter_and_the_sender_records_its_steps(
    story: dict[str, Any],
) -> None:
    staff, hello_work = story["staff"], story["hello_work"]
    assert not services.has_accounts(hello_work)
    referral = sent(story, hello_work)
    assert referral.by_letter and referral.grant is not None
    assert rules.next_steps(referral.state, rules.SENDER, by_letter=True) == [
        "receive",
        "accept",
        "decline",
        "cancel",
    ]

    with pytest.raises(ValidationError) as err:
        services.receive_referral(staff, referral)
    assert list(err.value.message_dict) == ["answered_via"]
    assert has_no_english(err.value.message_dict["answered_via"][0])

    referral = services.receive_referral(staff, referral, answered_via=AnswerChannel.PHONE)
    referral = services.accept_referral(staff, referral, answered_via=AnswerChannel.LETTER)
    assert referral.state == State.ACCEPTED and referral.received_case is None
    assert referral.answered_via == AnswerChannel.LETTER

    with pytest.raises(ValidationError) as err:
        services.record_first_contact(staff, referral, {"answered_via": "phone"})
    assert list(err.value.message_dict) == ["occurred_on"]
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError):
        services.record_first_contact(
            staff, referral, {"occurred_on": tomorrow, "answered_via": "phone"}
        )
    with pytest.raises(ValidationError) as err:
        services.record_first_contact(staff, referral, {"occurred_on": timezone.localdate()})
    assert list(err.value.message_dict) == ["answered_via"]

    day = timezone.localdate() - timedelta(days=2)
    referral, contact = services.record_first_contact(
        staff,
        referral,
        {"occurred_on": day, "answered_via": AnswerChannel.PHONE},
        accompanied=True,
        accompaniment_notes="コーディネーターが同行",
    )
    assert contact is None
    assert referral.state == State.FIRST_CONTACT and referral.first_contact_on == day
    assert referral.accompanied and referral.accompaniment_notes == "コーディネーターが同行"

    steps = list(ReferralEvent.objects.filter(referral=referral).order_by("at", "id"))
    assert [e.step for e in steps] == [
        "drafted",
        "consent_confirmed",
        "sent",
        "received",
        "accepted",
        "first_contact",
    ]
    assert [e.on_behalf for e in steps] == [False, False, False, True, True, True]
    assert all(e.actor == staff and e.agency == story["cast"].center for e in steps)
    assert steps[3].note == AnswerChannel.PHONE
    logged = AuditEvent.objects.get(action="referral.received", record_id=str(referral.pk))
    assert logged.detail["on_behalf"] is True and logged.actor == staff


def test_a_letter_receivers_decline_is_recorded_by_the_sender_with_the_channel(
    story: dict[str, Any],
) -> None:
    staff = story["staff"]
    referral = sent(story, story["hello_work"])
    with pytest.raises(ValidationError) as err:
        services.decline_referral(
            staff, referral, reason="求職登録が先", category=DeclineReason.NOT_ELIGIBLE
        )
    assert list(err.value.message_dict) == ["answered_via"]
    declined = services.decline_referral(
        staff,
        referral,
        reason="求職登録が先",
        category=DeclineReason.NOT_ELIGIBLE,
        answered_via=AnswerChannel.FAX,
    )
    assert (declined.decline_reason, declined.decline_category, declined.answered_via) == (
        "求職登録が先",
        DeclineReason.NOT_ELIGIBLE,
        AnswerChannel.FAX,
    )
    assert declined.events.get(step="declined").on_behalf


def test_no_one_else_takes_a_letter_referrals_steps(story: dict[str, Any]) -> None:
    """Nobody works in tsunagi for the letter's receiver; other agencies cannot act for it."""
    referral = sent(story, story["hello_work"])
    cast = story["cast"]
    for user in (story["sr"], cast.outsider, cast.nobody):
        with pytest.raises(Http404):
            services.receive_referral(user, referral, answered_via=AnswerChannel.PHONE)
    assert Referral.objects.get(pk=referral.pk).state == State.SENT
