"""The referral's state table (rules P1, R5): every step from every state, for both sides, is
allowed or refused with a reason; and the consent a referral needs (P1, P4)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from tsunagi.referrals.models import State
from tsunagi.referrals.rules import (
    FINAL_STATES,
    RECEIVER,
    SENDER,
    STEPS,
    check_step,
    consent_finding,
    next_steps,
)

D, CC, SE, RE, AC, DE, FC, CL, CA = (
    State.DRAFT, State.CONSENT_CONFIRMED, State.SENT, State.RECEIVED, State.ACCEPTED,
    State.DECLINED, State.FIRST_CONTACT, State.CLOSED, State.CANCELLED,
)  # fmt: skip

# Written out: (state, step) → (the side that may take it, the state it leads to). Every other
# pair is refused.
ALLOWED: dict[tuple[str, str], tuple[str, str]] = {
    (D, "confirm_consent"): (SENDER, CC),
    (CC, "send"): (SENDER, SE),
    (SE, "receive"): (RECEIVER, RE),
    (SE, "accept"): (RECEIVER, AC),
    (RE, "accept"): (RECEIVER, AC),
    (SE, "decline"): (RECEIVER, DE),
    (RE, "decline"): (RECEIVER, DE),
    (AC, "first_contact"): (RECEIVER, FC),
    (FC, "close"): (SENDER, CL),
    (DE, "close"): (SENDER, CL),
    (D, "cancel"): (SENDER, CA),
    (CC, "cancel"): (SENDER, CA),
    (SE, "cancel"): (SENDER, CA),
}
TABLE = [
    (state, step, side)
    for state in State.values
    for step in STEPS
    for side in (SENDER, RECEIVER, None)
]


def test_the_table_knows_every_step() -> None:
    assert {step for _state, step in ALLOWED} == set(STEPS)


@pytest.mark.parametrize(("state", "step", "side"), TABLE)
def test_p1_every_step_from_every_state_for_both_sides(state: str, step: str, side: Any) -> None:
    problem = check_step(state, step, side)
    allowed = ALLOWED.get((state, step))
    if allowed is not None and allowed[0] == side:
        assert problem is None
        assert STEPS[step][1] == allowed[1]
        assert step in next_steps(state, side)
    else:
        assert problem, "a refused step always says why"
        assert step not in next_steps(state, side)
        if allowed is None and side == STEPS[step][2]:
            assert str(State(state).label) in problem  # names the state it cannot start from
        if side != STEPS[step][2]:
            assert problem == check_step(D, step, side)  # "belongs to the other agency"


def test_final_states_have_no_next_step() -> None:
    for state in FINAL_STATES:
        assert next_steps(state, SENDER) == [] and next_steps(state, RECEIVER) == []


def test_unknown_step_is_refused() -> None:
    assert check_step(D, "delete", SENDER)


def test_a_user_of_neither_side_takes_no_step() -> None:
    assert all(next_steps(state, None) == [] for state in State.values)


# --- the consent a referral needs (P1) ----------------------------------------------------------

TODAY = datetime.date(2025, 6, 1)


def _consent(**extra: Any) -> Any:
    values = {
        "person_id": 1,
        "withdrawn_at": None,
        "recipient_label": "高知市自立相談支援機関",
        "given_on": TODAY,
        "valid_until": TODAY + datetime.timedelta(days=30),
        "names_agency": lambda agency: agency.pk == 5,
    }
    values.update(extra)
    consent = SimpleNamespace(**values)
    consent.stands_on = lambda day: (
        consent.withdrawn_at is None and consent.given_on <= day <= consent.valid_until
    )
    return consent


REFERRAL = SimpleNamespace(person_id=1, to_agency=SimpleNamespace(pk=5))


def test_p1_consent_missing() -> None:
    finding = consent_finding(REFERRAL, None, TODAY)
    assert finding is not None and finding.code == "consent_missing" and finding.rule == "P1"


def test_p1_a_family_members_consent_does_not_cover_the_person() -> None:
    finding = consent_finding(REFERRAL, _consent(person_id=2), TODAY)
    assert finding is not None and finding.code == "consent_other_person"


def test_p4_a_withdrawn_consent() -> None:
    withdrawn = datetime.datetime(2025, 5, 20, 10, tzinfo=datetime.UTC)
    finding = consent_finding(REFERRAL, _consent(withdrawn_at=withdrawn), TODAY)
    assert finding is not None and finding.rule == "P4" and "2025-05-20" in finding.reason


def test_p1_the_consent_must_name_the_receiving_agency() -> None:
    finding = consent_finding(REFERRAL, _consent(names_agency=lambda agency: False), TODAY)
    assert finding is not None and finding.code == "consent_other_agency"


def test_p1_the_consent_must_be_in_force() -> None:
    later = TODAY + datetime.timedelta(days=31)
    finding = consent_finding(REFERRAL, _consent(), later)
    assert finding is not None and finding.code == "consent_not_in_force"
    assert consent_finding(REFERRAL, _consent(), TODAY) is None
