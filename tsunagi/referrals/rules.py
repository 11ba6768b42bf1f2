"""The referral's state machine, the conditions for sending it (rules R1, P1), its reminders in
business days and the hand-over gap (rule R5).

The allowed next states are one table, checked in one place (`check_step`); which side of the
referral takes each step is part of the same table. A receiver without an account (`by_letter`)
answers on paper or by phone, and the sender records its steps for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagi.agencies.calendar import add_business_days, business_days_between
from tsunagi.people.rules import Finding

from .models import State

SENDER, RECEIVER = "sender", "receiver"

# step → (the states it may start from, the state it leads to, the side that takes it)
STEPS: dict[str, tuple[frozenset[str], str, str]] = {
    "confirm_consent": (frozenset({State.DRAFT}), State.CONSENT_CONFIRMED, SENDER),
    "send": (frozenset({State.CONSENT_CONFIRMED}), State.SENT, SENDER),
    "receive": (frozenset({State.SENT}), State.RECEIVED, RECEIVER),
    "accept": (frozenset({State.SENT, State.RECEIVED}), State.ACCEPTED, RECEIVER),
    "decline": (frozenset({State.SENT, State.RECEIVED}), State.DECLINED, RECEIVER),
    "first_contact": (frozenset({State.ACCEPTED}), State.FIRST_CONTACT, RECEIVER),
    "close": (frozenset({State.FIRST_CONTACT, State.DECLINED}), State.CLOSED, SENDER),
    "cancel": (
        frozenset({State.DRAFT, State.CONSENT_CONFIRMED, State.SENT}),
        State.CANCELLED,
        SENDER,
    ),
}
FINAL_STATES = frozenset({State.CLOSED, State.CANCELLED})


def takes(side: str | None, who: str, by_letter: bool = False) -> bool:
    """Does `side` take a step that belongs to `who`? The sender also records the steps of a
    receiver without an account (by_letter)."""
    return side == who or (by_letter and side == SENDER and who == RECEIVER)


def next_steps(state: str, side: str | None, by_letter: bool = False) -> list[str]:
    """The steps `side` may take from `state`, in the table's order."""
    return [
        step
        for step, (sources, _target, who) in STEPS.items()
        if state in sources and takes(side, who, by_letter)
    ]


def on_behalf(step: str, side: str | None) -> bool:
    """Is `side` recording this step for the receiver (a receiver without an account)?"""
    return step in STEPS and STEPS[step][2] == RECEIVER and side == SENDER


def check_step(state: str, step: str, side: str | None, by_letter: bool = False) -> str | None:
    """None when the step is allowed; otherwise the reason, in the user's language."""
    if step not in STEPS:
        return _("Unknown step.")
    sources, _target, who = STEPS[step]
    if not takes(side, who, by_letter):
        return _("This step belongs to the other agency.")
    if state not in sources:
        return _("This step is not possible while the referral is “%(state)s”.") % {
            "state": State(state).label
        }
    return None


def referral_finding(referral: Any, today: date) -> Finding | None:
    """What both sides are shown about the consent until the referral ends: before sending, the
    consent must be in order (P1); after sending, its withdrawal or lapse (P1, P4)."""
    if referral.state in FINAL_STATES:
        return None
    return consent_finding(referral, referral.consent, today)


def consent_finding(referral: Any, consent: Any, today: date) -> Finding | None:
    """Rule P1: a referral passes the person's information, so it needs a consent that names
    the receiving agency and is in force. None when the consent is in order."""
    if consent is None:
        return Finding(
            "consent_missing",
            "P1",
            _("Consent missing"),
            _(
                "The person's information cannot be passed on without their consent naming "
                "the receiving agency, the purpose and the kinds of information."
            ),
        )
    if consent.person_id != referral.person_id:
        return Finding(
            "consent_other_person",
            "P1",
            _("The consent is another person's"),
            _(
                "A family member's consent does not cover the person; only the person "
                "themself (or a legal representative) can consent."
            ),
        )
    if consent.withdrawn_at is not None:
        return Finding(
            "consent_withdrawn",
            "P4",
            _("Consent withdrawn"),
            _("The person withdrew this consent on %(day)s.")
            % {"day": consent.withdrawn_at.date().isoformat()},
        )
    if not consent.names_agency(referral.to_agency):
        return Finding(
            "consent_other_agency",
            "P1",
            _("The consent does not name this agency"),
            _("The consent names %(agency)s, not the receiving agency of this referral.")
            % {"agency": consent.recipient_label},
        )
    if not consent.stands_on(today):
        return Finding(
            "consent_not_in_force",
            "P1",
            _("The consent is not in force"),
            _("The consent is valid from %(start)s until %(end)s.")
            % {"start": consent.given_on.isoformat(), "end": consent.valid_until.isoformat()},
        )
    return None


def wishes_finding(referral: Any) -> Finding | None:
    """Rule R1: a referral starts from the person's own wishes, in their words."""
    if referral.state in FINAL_STATES or (referral.wishes or "").strip():
        return None
    return Finding(
        "wishes_missing",
        "R1",
        _("The person's wishes are missing"),
        _(
            "Every referral starts from the person's own wishes: write them in the person's "
            "words before sending."
        ),
    )


# --- reminders in business days -------------------------------------------------------------

# state → (the date field it waits from, the settings key of its limit, the code)
WAITS: dict[str, tuple[str, str, str]] = {
    State.SENT: ("sent_at", "days_to_receive", "not_received"),
    State.RECEIVED: ("received_at", "days_to_answer", "not_answered"),
    State.ACCEPTED: ("decided_at", "days_to_first_contact", "no_first_contact"),
}
REMINDER_LABELS = {
    "not_received": gettext_lazy("Not received yet"),
    "not_answered": gettext_lazy("Not accepted or declined yet"),
    "no_first_contact": gettext_lazy("No first contact yet"),
}


@dataclass(frozen=True)
class Reminder:
    """A referral waiting longer than the agency allows, counted in business days."""

    code: str
    label: str
    since: date
    waited: int  # business days
    limit: int
    shown_from: date  # the first business day the reminder shows


def _day(value: Any) -> date:
    return value if not hasattr(value, "date") else timezone.localdate(value)


def reminder(referral: Any, today: date, limits: Mapping[str, int]) -> Reminder | None:
    """The reminder a referral shows today, or None: sent and not received, received and not
    answered, accepted and without first contact, each after its number of business days
    (weekends, national holidays and 29 December–3 January do not count)."""
    wait = WAITS.get(referral.state)
    if wait is None:
        return None
    field, key, code = wait
    started = getattr(referral, field)
    if started is None:
        return None
    since = _day(started)
    limit = int(limits[key])
    waited = business_days_between(since, today)
    if waited < limit:
        return None
    return Reminder(
        code, str(REMINDER_LABELS[code]), since, waited, limit, add_business_days(since, limit)
    )


# --- continuity (rule R5) -------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Rule R5: the days between the end of one agency's support and the next one's first
    contact. `days` is 0 when the next support began before the first ended (no gap)."""

    ended_on: date | None
    first_contact_on: date | None
    days: int | None  # None while the first contact has not happened
    waiting: int | None  # days since the end, while the first contact has not happened


def support_end(referral: Any) -> date | None:
    """When the referring agency's support ends: the date set for a hand-over, else the day its
    case was closed."""
    if referral.support_ends_on is not None:
        return referral.support_ends_on
    case = referral.case
    return case.closed_on if case is not None else None


def gap(referral: Any, today: date) -> Gap:
    """Rule R5 for one referral."""
    ended = support_end(referral)
    first = referral.first_contact_on
    if first is not None:
        days = max(0, (first - ended).days) if ended is not None else 0
        return Gap(ended, first, days, None)
    open_states = {State.SENT, State.RECEIVED, State.ACCEPTED}
    waiting = (today - ended).days if ended is not None and referral.state in open_states else None
    return Gap(ended, None, None, waiting if waiting is None or waiting >= 0 else None)


def waits_too_long(g: Gap, limit_days: int) -> bool:
    """Rule R5: an open hand-over waiting more than `limit_days` after the support ended."""
    return g.waiting is not None and g.waiting > limit_days
