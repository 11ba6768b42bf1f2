"""Schemas of the referral (つなぎ) API, and the builders of their answers.

A referral is seen from one of two sides. The referring agency's staff see their own case; the
receiving agency's staff see the person's name only while a grant lets them see the identity
(rule P1), and the consent's withdrawal with its date (rule P4) either way.
"""

import datetime
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from tsunagi.people.choices import Channel, Initiator
from tsunagi.referrals import rules
from tsunagi.referrals.models import AnswerChannel, DeclineReason, Referral, ReferralEvent, State

from .people_schemas import ContactFields, JapaneseDate, Line

DATE_HELP = "西暦 (2025-04-01) or 和暦 (令和7年4月1日, R7.4.1)."
ANSWERED_VIA = (
    "For a referral by letter (the receiving agency has no account): how its answer came "
    "(phone, letter, fax, email, visit). Required there, ignored otherwise."
)

# --- input ----------------------------------------------------------------------------------


class ReferralIn(Schema):
    case: int = Field(..., description="The case of your agency whose person is referred.")
    to_agency: int = Field(..., description="The receiving agency.")
    purpose: Line = Field(
        ..., min_length=1, max_length=2000, description="What is asked of the receiving agency."
    )
    rule: str = Field("", max_length=10, description="The rule that proposed it, e.g. R2.")
    consent: int | None = Field(
        None,
        description="The person's consent naming the receiving agency (rule P1). Without it the "
        "referral stays a draft with “consent missing”.",
    )
    wishes: str = Field(
        "",
        max_length=4000,
        description="The person's wishes in their own words (rule R1); needed before sending.",
    )
    wishes_heard_on: JapaneseDate | None = Field(
        None, description="The day the wishes were heard (not in the future). " + DATE_HELP
    )
    support_ends_on: JapaneseDate | None = Field(
        None,
        description="For a hand-over: the day your support ends; the gap to the first contact "
        "is measured from it (rule R5). " + DATE_HELP,
    )


class ReferralPatch(Schema):
    """What may change until the referral is sent; fields left out stay as they are."""

    purpose: Line | None = Field(None, min_length=1, max_length=2000)
    wishes: str | None = Field(None, max_length=4000, description="Rule R1.")
    wishes_heard_on: JapaneseDate | None = Field(None, description=DATE_HELP)
    support_ends_on: JapaneseDate | None = Field(None, description="Rule R5. " + DATE_HELP)
    version: int | None = Field(
        None, description="The version you read: 409 if someone changed the referral since."
    )


class VersionIn(Schema):
    version: int | None = Field(
        None, description="The version you read: 409 if someone changed the referral since."
    )


class ConsentIn(VersionIn):
    consent: int = Field(..., description="A consent of the referred person (rule P1).")


class ReceiveIn(Schema):
    answered_via: AnswerChannel | None = Field(None, description=ANSWERED_VIA)


class AcceptIn(Schema):
    person: int | None = Field(
        None,
        description="A person already on your own agency's record; without it the person is "
        "registered from the identity the consent lets through.",
    )
    answered_via: AnswerChannel | None = Field(None, description=ANSWERED_VIA)


class DeclineIn(Schema):
    reason: Line = Field(
        ..., min_length=1, max_length=2000, description="Why, in words (kept as written)."
    )
    category: DeclineReason = Field(
        DeclineReason.OTHER, description="The kind of reason, counted in the statistics."
    )
    answered_via: AnswerChannel | None = Field(None, description=ANSWERED_VIA)


class CancelIn(Schema):
    reason: Line = Field(..., min_length=1, max_length=200)


class FirstContactIn(ContactFields):
    """The receiving agency's first contact with the person (it closes the loop, rule R5).

    The receiving agency records the contact itself (`channel`, `initiator`, `summary`
    required). For a referral by letter the referring agency records the day it was told of
    (`occurred_on`) and how it heard (`answered_via`); no contact is made."""

    channel: Channel | None = None  # type: ignore[assignment]
    initiator: Initiator | None = Field(  # type: ignore[assignment]
        None, description="Who made the contact."
    )
    summary: Line | None = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    accompanied: bool = Field(
        False, description="Staff of the referring agency went with the person (同行)."
    )
    accompaniment_notes: Line = Field("", max_length=200)
    occurred_on: JapaneseDate | None = Field(
        None, description="By letter only: the day of the first contact. " + DATE_HELP
    )
    answered_via: AnswerChannel | None = Field(None, description=ANSWERED_VIA)


class ReminderSettingsIn(Schema):
    """Fields left out stay as they are."""

    days_to_receive: int | None = Field(
        None, description="Business days until a sent referral should be received (1-60)."
    )
    days_to_answer: int | None = Field(
        None, description="Business days until it should be accepted or declined (1-60)."
    )
    days_to_first_contact: int | None = Field(
        None, description="Business days from acceptance until the first contact (1-60)."
    )
    handover_days: int | None = Field(
        None, description="Days a hand-over may wait after the support ended (rule R5, 1-365)."
    )


Direction = Literal["sent", "received", ""]


# --- output ---------------------------------------------------------------------------------


class AgencyRef(Schema):
    id: int
    name: str


class FindingOut(Schema):
    code: str
    rule: str
    label: str
    reason: str


class StepOut(Schema):
    step: str
    label: str
    path: str = Field(..., description="Where to POST this step.")


class DatesOut(Schema):
    drafted_at: datetime.datetime
    consent_confirmed_at: datetime.datetime | None
    sent_at: datetime.datetime | None
    received_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    first_contact_on: datetime.date | None
    closed_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None


class ConsentSummary(Schema):
    id: int
    given_by: str
    recipient: str
    purpose: str
    kinds: list[str]
    kinds_label: str
    given_on: datetime.date
    valid_until: datetime.date
    status: str = Field(..., description="active, future, expired or withdrawn.")
    withdrawn_at: datetime.datetime | None = Field(
        None, description="Rule P4: both sides see the withdrawal and its date."
    )


class ReferralOut(Schema):
    id: int
    side: str = Field(..., description="`sender` or `receiver`: your side of the referral.")
    state: str
    state_label: str
    from_agency: AgencyRef
    to_agency: AgencyRef
    person_name: str | None = Field(
        None, description="Null when your side may not see the person's identity."
    )
    case_number: str | None = Field(None, description="The referring agency's staff only.")
    rule: str
    sent_at: datetime.datetime | None
    version: int


class EventOut(Schema):
    step: str
    state: str
    state_label: str
    at: datetime.datetime
    actor: str = Field(..., description="Who took the step.")
    agency: str = Field(..., description="The agency it was taken for.")
    on_behalf: bool = Field(
        ..., description="Recorded by the referring agency for a receiver without an account."
    )
    note: str


class ReminderOut(Schema):
    code: str = Field(..., description="not_received, not_answered or no_first_contact.")
    label: str
    since: datetime.date
    waited: int = Field(..., description="Business days waited (holidays do not count).")
    limit: int = Field(..., description="Business days your agency allows.")
    shown_from: datetime.date


class GapOut(Schema):
    ended_on: datetime.date | None = Field(None, description="The end of the sender's support.")
    first_contact_on: datetime.date | None
    days: int | None = Field(None, description="Rule R5: days without support (0: no gap).")
    waiting: int | None = Field(
        None, description="Days since the support ended, while the first contact is awaited."
    )


class ReferralDetailOut(ReferralOut):
    purpose: str
    wishes: str | None = Field(
        None,
        description="The person's wishes in their words (rule R1); null for the receiving "
        "agency when no grant in force shares the person's situation and wishes (rule P4).",
    )
    wishes_heard_on: datetime.date | None
    support_ends_on: datetime.date | None
    by_letter: bool = Field(
        ...,
        description="The receiving agency has no account: it gets the printed letter and the "
        "referring agency records its answers.",
    )
    findings: list[FindingOut] = Field(
        ..., description="Why the referral cannot go on, e.g. “consent missing” (rule P1)."
    )
    next_steps: list[StepOut]
    dates: DatesOut
    consent: ConsentSummary | None
    decline_reason: str
    decline_category: str
    decline_category_label: str
    answered_via: str
    answered_via_label: str
    accompanied: bool
    accompaniment_notes: str
    cancel_reason: str
    received_case: int | None = Field(
        None, description="The receiving agency's own case (its staff only)."
    )
    events: list[EventOut] = Field(..., description="Who did what when, oldest first.")
    reminder: ReminderOut | None = Field(
        None, description="Waiting longer than your agency allows, in business days."
    )
    gap: GapOut = Field(..., description="Rule R5: the hand-over gap.")


class WaitingOut(Schema):
    referral: ReferralOut
    side: str = Field(..., description="`sender` or `receiver`: your side of the referral.")
    reminder: ReminderOut | None = None
    gap: GapOut | None = None
    limit: int = Field(..., description="The limit your agency set for this wait.")


class ReminderSettingsOut(Schema):
    agency: AgencyRef
    days_to_receive: int
    days_to_answer: int
    days_to_first_contact: int
    handover_days: int
    defaults: dict[str, int]
    may_change: bool = Field(..., description="Only the agency's manager changes them.")


class ReferralPage(Schema):
    items: list[ReferralOut]
    count: int


# --- builders -------------------------------------------------------------------------------

STEP_LABELS = {
    "confirm_consent": (_("Attach the person's consent"), "consent"),
    "send": (_("Send"), "send"),
    "receive": (_("Mark as received"), "receive"),
    "accept": (_("Accept"), "accept"),
    "decline": (_("Decline"), "decline"),
    "first_contact": (_("Record the first contact"), "first-contact"),
    "close": (_("Close"), "close"),
    "cancel": (_("Cancel the referral"), "cancel"),
}


def agency_ref(agency: Any) -> dict[str, Any]:
    return {"id": agency.pk, "name": agency.name}


def referral_out(referral: Referral, side: str, person_name: str | None) -> dict[str, Any]:
    sender = side == rules.SENDER
    return {
        "id": referral.pk,
        "side": side,
        "state": referral.state,
        "state_label": str(State(referral.state).label),
        "from_agency": agency_ref(referral.agency),
        "to_agency": agency_ref(referral.to_agency),
        "person_name": person_name,
        "case_number": referral.case.number if sender else None,
        "rule": referral.rule,
        "sent_at": referral.sent_at,
        "version": referral.version,
    }


def consent_summary(consent: Any) -> dict[str, Any] | None:
    if consent is None:
        return None
    return {
        "id": consent.pk,
        "given_by": consent.given_by,
        "recipient": consent.recipient_label,
        "purpose": consent.purpose,
        "kinds": list(consent.kinds),
        "kinds_label": consent.kinds_label,
        "given_on": consent.given_on,
        "valid_until": consent.valid_until,
        "status": consent.status,
        "withdrawn_at": consent.withdrawn_at,
    }


def reminder_out(reminder: rules.Reminder | None) -> dict[str, Any] | None:
    return asdict(reminder) if reminder is not None else None


def gap_out(gap: rules.Gap) -> dict[str, Any]:
    return asdict(gap)


def event_out(event: ReferralEvent) -> dict[str, Any]:
    return {
        "step": event.step,
        "state": event.state,
        "state_label": str(State(event.state).label),
        "at": event.at,
        "actor": event.actor.get_full_name(),
        "agency": event.agency.name,
        "on_behalf": event.on_behalf,
        "note": event.note,
    }


def referral_detail(
    referral: Referral,
    side: str,
    person_name: str | None,
    *,
    wishes_shown: bool = True,
    limits: Mapping[str, int] | None = None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The referral as `side` sees it: its state, what stops it (P1/P4, R1), what comes next,
    its timeline, the reminder under the viewer's agency `limits` and the hand-over gap (R5)."""
    today = today or timezone.localdate()
    answer = referral_out(referral, side, person_name)
    findings = []
    # rules P1, P4: without a consent in order the referral cannot be sent (or goes on no more)
    finding = rules.referral_finding(referral, today)
    if finding is not None:
        findings.append(asdict(finding))
    # rule R1: the person's wishes in their words before sending
    wishes = rules.wishes_finding(referral) if referral.sent_at is None else None
    if wishes is not None:
        findings.append(asdict(wishes))
    steps = [
        {
            "step": step,
            "label": str(STEP_LABELS[step][0]),
            "path": f"/api/v1/referrals/{referral.pk}/{STEP_LABELS[step][1]}",
        }
        for step in rules.next_steps(referral.state, side, referral.by_letter)
    ]
    events = referral.events.select_related("actor", "agency").order_by("at", "id")
    answer.update(
        purpose=referral.purpose,
        wishes=referral.wishes if wishes_shown else None,
        wishes_heard_on=referral.wishes_heard_on if wishes_shown else None,
        support_ends_on=referral.support_ends_on,
        by_letter=referral.by_letter,
        findings=findings,
        next_steps=steps,
        dates={
            "drafted_at": referral.created_at,
            "consent_confirmed_at": referral.consent_confirmed_at,
            "sent_at": referral.sent_at,
            "received_at": referral.received_at,
            "decided_at": referral.decided_at,
            "first_contact_on": referral.first_contact_on,
            "closed_at": referral.closed_at,
            "cancelled_at": referral.cancelled_at,
        },
        consent=consent_summary(referral.consent),
        decline_reason=referral.decline_reason,
        decline_category=referral.decline_category,
        decline_category_label=(
            str(DeclineReason(referral.decline_category).label) if referral.decline_category else ""
        ),
        answered_via=referral.answered_via,
        answered_via_label=(
            str(AnswerChannel(referral.answered_via).label) if referral.answered_via else ""
        ),
        accompanied=referral.accompanied,
        accompaniment_notes=referral.accompaniment_notes,
        cancel_reason=referral.cancel_reason,
        received_case=referral.received_case_id if side == rules.RECEIVER else None,
        events=[event_out(e) for e in events],
        reminder=reminder_out(
            rules.reminder(referral, today, limits) if limits is not None else None
        ),
        gap=gap_out(rules.gap(referral, today)),
    )
    return answer
