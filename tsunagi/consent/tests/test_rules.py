"""Rules P1, P2 and P4 as plain functions: no database, plain objects in, reasons out."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from tsunagi.consent.models import Consent
from tsunagi.consent.rules import (
    ADULT_AGE,
    age_on,
    consent_problems,
    covers,
    explanation_finding,
    giver_problems,
)

TODAY = datetime.date(2025, 6, 1)


def _consent_problems(**overrides: Any) -> dict[str, str]:
    values: dict[str, Any] = {
        "kinds": ["identity", "situation"],
        "given_on": TODAY,
        "valid_until": TODAY + datetime.timedelta(days=365),
        "today": TODAY,
        "method": "signed_paper",
        "has_scan": True,
        "witness_id": None,
        "recorded_by_id": 1,
        "witness_is_staff": False,
        "names_recipient": True,
        "purpose": "生活困窮の相談支援のため",
    }
    values.update(overrides)
    return consent_problems(**values)


# --- who gives the consent --------------------------------------------------------------------


def test_p1_the_person_themself_consents() -> None:
    assert (
        giver_problems("subject", age=52, representative_name="", representative_relationship="")
        == {}
    )


def test_p1_a_parent_cannot_consent_for_an_adult() -> None:
    """The mother who calls about her 52-year-old son cannot consent for him."""
    errors = giver_problems(
        "parent_of_minor", age=52, representative_name="山田 花子", representative_relationship="母"
    )
    assert set(errors) == {"given_by"}
    assert "P1" in errors["given_by"]


def test_p1_a_parent_cannot_consent_when_the_age_is_unknown() -> None:
    errors = giver_problems(
        "parent_of_minor",
        age=None,
        representative_name="山田 花子",
        representative_relationship="母",
    )
    assert "given_by" in errors


@pytest.mark.parametrize(("age", "allowed"), [(0, True), (17, True), (18, False), (19, False)])
def test_p1_a_parent_consents_for_a_minor_only(age: int, allowed: bool) -> None:
    errors = giver_problems(
        "parent_of_minor",
        age=age,
        representative_name="高知 花子",
        representative_relationship="母",
    )
    assert ("given_by" not in errors) is allowed
    assert ADULT_AGE == 18


def test_p1_a_legal_representative_consents_for_an_adult() -> None:
    errors = giver_problems(
        "legal_representative",
        age=52,
        representative_name="弁護士 土佐",
        representative_relationship="成年後見人",
    )
    assert errors == {}


@pytest.mark.parametrize("giver", ["legal_representative", "parent_of_minor"])
def test_p1_a_representative_is_named_with_their_standing(giver: str) -> None:
    errors = giver_problems(giver, age=10, representative_name=" ", representative_relationship="")
    assert {"representative_name", "representative_relationship"} <= set(errors)


def test_p1_age_on_the_day() -> None:
    born = datetime.date(2007, 6, 2)
    assert age_on(born, None, TODAY) == 17  # the 18th birthday is tomorrow
    assert age_on(born, None, datetime.date(2025, 6, 2)) == 18
    assert age_on(None, 40, TODAY) == 40
    assert age_on(None, None, TODAY) is None


# --- what a consent must say ------------------------------------------------------------------


def test_p1_a_complete_consent_has_no_problems() -> None:
    assert _consent_problems() == {}


def test_p1_kinds_are_named() -> None:
    assert "kinds" in _consent_problems(kinds=[])
    assert "kinds" in _consent_problems(kinds=["identity", "diagnosis"])
    assert _consent_problems(kinds=["special_care"]) == {}


def test_p1_recipient_and_purpose_are_named() -> None:
    assert "recipient_agency" in _consent_problems(names_recipient=False)
    assert "purpose" in _consent_problems(purpose="  ")


def test_p1_period() -> None:
    assert "given_on" in _consent_problems(given_on=TODAY + datetime.timedelta(days=1))
    assert "valid_until" in _consent_problems(valid_until=None)
    assert "valid_until" in _consent_problems(valid_until=TODAY - datetime.timedelta(days=1))
    assert _consent_problems(valid_until=TODAY) == {}  # a consent for one day
    past = TODAY - datetime.timedelta(days=30)
    assert _consent_problems(given_on=past, valid_until=past) == {}  # recorded afterwards


def test_p1_signed_paper_needs_the_scan() -> None:
    assert "scan" in _consent_problems(has_scan=False)


def test_p1_verbal_needs_a_witness_who_is_staff_and_not_the_recorder() -> None:
    verbal = {"method": "verbal", "has_scan": False}
    assert "witness" in _consent_problems(**verbal, witness_id=None)
    assert "witness" in _consent_problems(**verbal, witness_id=1, witness_is_staff=True)
    assert "witness" in _consent_problems(**verbal, witness_id=2, witness_is_staff=False)
    assert _consent_problems(**verbal, witness_id=2, witness_is_staff=True) == {}


# --- covers() ---------------------------------------------------------------------------------


def _consent(**overrides: Any) -> Consent:
    values: dict[str, Any] = {
        "recipient_agency_id": 5,
        "recipient_kind": "",
        "kinds": ["identity", "situation"],
        "given_on": TODAY,
        "valid_until": TODAY + datetime.timedelta(days=30),
        "withdrawn_at": None,
    }
    values.update(overrides)
    return Consent(**values)


AGENCY = SimpleNamespace(pk=5, kind="self_reliance")
OTHER = SimpleNamespace(pk=6, kind="self_reliance")


def test_p1_covers_the_named_agency_and_kinds_while_in_force() -> None:
    consent = _consent()
    assert covers(consent, AGENCY, ["identity"], TODAY)
    assert covers(consent, AGENCY, ["identity", "situation"], TODAY + datetime.timedelta(days=30))
    assert not covers(consent, OTHER, ["identity"], TODAY)
    assert not covers(consent, AGENCY, ["special_care"], TODAY)
    assert not covers(consent, AGENCY, ["situation", "special_care"], TODAY)
    assert not covers(consent, AGENCY, ["identity"], TODAY - datetime.timedelta(days=1))
    assert not covers(consent, AGENCY, ["identity"], TODAY + datetime.timedelta(days=31))


def test_p1_covers_any_agency_of_the_named_kind() -> None:
    consent = _consent(recipient_agency_id=None, recipient_kind="self_reliance")
    assert covers(consent, AGENCY, ["identity"], TODAY)
    assert covers(consent, OTHER, ["identity"], TODAY)
    assert not covers(consent, SimpleNamespace(pk=7, kind="hikikomori_center"), ["identity"], TODAY)


def test_p4_a_withdrawn_consent_covers_nothing() -> None:
    consent = _consent(withdrawn_at=datetime.datetime(2025, 6, 1, 9, tzinfo=datetime.UTC))
    assert not covers(consent, AGENCY, ["identity"], TODAY)
    assert not covers(consent, AGENCY, ["identity"], TODAY + datetime.timedelta(days=1))


# --- the explanation at intake (P2) ------------------------------------------------------------


def test_p2_missing_explanation_is_shown() -> None:
    finding = explanation_finding([])
    assert finding is not None and finding.rule == "P2" and finding.code == "explanation_missing"


def test_p2_understood_explanation_needs_nothing() -> None:
    assert explanation_finding([SimpleNamespace(understood=True, agreed_handling="")]) is None


def test_p2_not_agreed_shows_the_agreed_handling() -> None:
    latest = SimpleNamespace(understood=False, agreed_handling="母には伝えない")
    finding = explanation_finding([latest, SimpleNamespace(understood=True, agreed_handling="")])
    assert finding is not None and finding.code == "explanation_not_agreed"
    assert "母には伝えない" in finding.reason


def test_p2_the_latest_explanation_decides() -> None:
    latest = SimpleNamespace(understood=True, agreed_handling="")
    older = SimpleNamespace(understood=False, agreed_handling="共有しない")
    assert explanation_finding([latest, older]) is None
