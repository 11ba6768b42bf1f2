"""The referral's state machine and the conditions for sending it (rules P1, R5).

The allowed next states are one table, checked in one place (`check_step`); which side of the
referral takes each step is part of the same table.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

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


def next_steps(state: str, side: str | None) -> list[str]:
    """The steps `side` may take from `state`, in the table's order."""
    return [
        step for step, (sources, _target, who) in STEPS.items() if state in sources and who == side
    ]


def check_step(state: str, step: str, side: str | None) -> str | None:
    """None when the step is allowed; otherwise the reason, in the user's language."""
    if step not in STEPS:
        return _("Unknown step.")
    sources, _target, who = STEPS[step]
    if who != side:
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
