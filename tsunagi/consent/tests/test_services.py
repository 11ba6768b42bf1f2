"""Recording a consent (P1), the explanation at intake (P2) and withdrawal (P4) through the
services, as the screens and the API call them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from tests.cast import _user, make_cast
from tests.people import make_person, yamada_household, years_ago
from tests.sharing import make_consent, make_referral, receiver, scan
from tsunagi.access import services as sharing
from tsunagi.access.models import AuditEvent, Grant
from tsunagi.access.policy import Action, Kind, can, require_sight, sight
from tsunagi.accounts.models import Role
from tsunagi.consent import selectors
from tsunagi.consent.services import record_consent, record_explanation, withdraw_consent
from tsunagi.people.models import Flag
from tsunagi.referrals import services as referrals

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    return cast, staff, mother, son, case


def _data(cast, **extra):
    today = timezone.localdate()
    return {
        "given_by": "subject",
        "recipient_agency": cast.self_reliance,
        "purpose": "生活困窮の相談支援のため",
        "kinds": ["identity", "situation"],
        "given_on": today,
        "valid_until": today + datetime.timedelta(days=365),
        "method": "signed_paper",
        **extra,
    }


def _errors(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as err:
        call()
    return err.value.message_dict


def test_p1_the_son_signs_a_consent_with_its_scan(story):
    cast, staff, _mother, son, case = story
    consent = record_consent(staff, son, _data(cast), case=case, scan=scan())
    assert consent.kinds == ["identity", "situation"] and consent.scan.name
    assert son.family_name not in consent.scan.name  # the file name carries no name
    assert consent.status == "active"
    event = AuditEvent.objects.get(action="consent.recorded")
    assert event.subject_id == son.pk and event.personal


def test_p1_the_mother_cannot_consent_for_her_adult_son(story):
    cast, staff, _mother, son, _case = story
    data = _data(
        cast,
        given_by="parent_of_minor",
        representative_name="山田 花子",
        representative_relationship="母",
    )
    errors = _errors(lambda: record_consent(staff, son, data, scan=scan()))
    assert "given_by" in errors


def test_p1_a_parent_consents_for_a_minor(story):
    cast, staff, *_ = story
    child = make_person(staff, cast.center, "高知", "次郎", birth_date=years_ago(15))
    data = _data(
        cast,
        given_by="parent_of_minor",
        representative_name="高知 花子",
        representative_relationship="母",
    )
    consent = record_consent(staff, child, data, scan=scan())
    assert consent.given_by == "parent_of_minor"


def test_p1_signed_paper_without_scan_is_refused(story):
    cast, staff, _mother, son, _case = story
    assert "scan" in _errors(lambda: record_consent(staff, son, _data(cast)))


def test_p1_verbal_consent_needs_a_colleague_as_witness(story):
    cast, staff, _mother, son, _case = story
    manager = cast.users[Role.MANAGER]
    verbal = {"method": "verbal"}
    assert "witness" in _errors(lambda: record_consent(staff, son, _data(cast, **verbal)))
    own = _data(cast, witness=staff, **verbal)
    assert "witness" in _errors(lambda: record_consent(staff, son, own))
    outsider = _data(cast, witness=cast.outsider, **verbal)
    assert "witness" in _errors(lambda: record_consent(staff, son, outsider))
    auditor = _data(cast, witness=cast.users[Role.AUDITOR], **verbal)
    assert "witness" in _errors(lambda: record_consent(staff, son, auditor))
    consent = record_consent(staff, son, _data(cast, witness=manager, **verbal))
    assert consent.witness == manager and not consent.scan


def test_p1_kinds_period_and_future_date_are_checked(story):
    cast, staff, _mother, son, _case = story
    today = timezone.localdate()
    cases: dict[str, dict[str, Any]] = {
        "kinds": {"kinds": []},
        "given_on": {"given_on": today + datetime.timedelta(days=1)},
        "valid_until": {"valid_until": today - datetime.timedelta(days=1)},
        "recipient_agency": {"recipient_agency": cast.center},
        "purpose": {"purpose": ""},
    }
    for field, change in cases.items():
        data = _data(cast, **change)
        assert field in _errors(lambda d=data: record_consent(staff, son, d, scan=scan())), field
    assert "kinds" in _errors(
        lambda: record_consent(staff, son, _data(cast, kinds=["diagnosis"]), scan=scan())
    )


def test_p1_only_the_owning_agency_records_a_consent(story):
    cast, _staff, _mother, son, _case = story
    for user in (receiver(cast), cast.outsider, cast.users[Role.AUDITOR], cast.nobody):
        with pytest.raises(Http404):
            record_consent(user, son, _data(cast), scan=scan())


def test_p2_explanation_recorded_and_found(story):
    _cast, staff, _mother, son, case = story
    missing = selectors.explanation_finding(staff, son)
    assert missing is not None and missing.code == "explanation_missing"
    errors = _errors(lambda: record_explanation(staff, son, {"understood": False}))
    assert "agreed_handling" in errors
    record_explanation(staff, son, {"understood": False, "agreed_handling": "母には伝えない"})
    finding = selectors.explanation_finding(staff, son)
    assert finding is not None
    assert finding.code == "explanation_not_agreed" and "母には伝えない" in finding.reason
    record_explanation(staff, son, {"understood": True}, case=case)
    assert selectors.explanation_finding(staff, son) is None
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert "explained_on" in _errors(
        lambda: record_explanation(staff, son, {"explained_on": tomorrow})
    )


def test_p2_explanations_stay_with_the_agency(story):
    cast, staff, _mother, son, _case = story
    record_explanation(staff, son, {"understood": True})
    sr = receiver(cast)
    # the receiver never sees the explanation, even when a consent is shared
    sharing.share_under_consent(
        staff, make_consent(staff, son, cast.self_reliance), receiving_agency=cast.self_reliance
    )
    assert not selectors.explanations_of(sr, son).exists()
    finding = selectors.explanation_finding(sr, son)
    assert finding is not None and finding.code == "explanation_missing"


def test_p4_withdrawal_ends_every_grant_at_once_and_flags_copies(story):
    cast, staff, _mother, son, case = story
    sr = receiver(cast)
    consent = make_consent(staff, son, cast.self_reliance, case=case)
    referral = make_referral(staff, case, cast.self_reliance, consent)
    referral = referrals.send_referral(staff, referral)
    referral = referrals.accept_referral(sr, referral)
    second = sharing.share_under_consent(staff, consent, receiving_agency=cast.self_reliance)
    assert require_sight(sr, Kind.PERSON, son)
    withdraw_consent(staff, consent, note="本人から電話で撤回")
    assert sight(sr, Kind.PERSON, son) is None
    for grant in Grant.objects.filter(consent=consent):
        assert grant.ended_at is not None and grant.end_reason == "consent_withdrawn"
        assert grant.status == "withdrawn" and not grant.is_active()
    ended = AuditEvent.objects.filter(action="grant.ended").values_list("record_id", flat=True)
    assert {second.pk, referral.grant_id} <= {int(r) for r in ended}
    flag = Flag.objects.get(case=referral.received_case)
    assert flag.rule == "P4" and flag.agency == cast.self_reliance
    # both sides see the withdrawal with its date
    for user in (staff, sr):
        shown = selectors.consents_of(user, son).get(pk=consent.pk)
        assert shown.status == "withdrawn" and shown.withdrawn_at is not None
    # the receiver may read but never change the consent
    assert can(sr, Action.VIEW, Kind.CONSENT, consent)
    assert not can(sr, Action.CHANGE, Kind.CONSENT, consent)


def test_p4_a_withdrawn_consent_cannot_be_withdrawn_again_or_used(story):
    cast, staff, _mother, son, _case = story
    consent = make_consent(staff, son, cast.self_reliance)
    withdraw_consent(staff, consent)
    assert "consent" in _errors(lambda: withdraw_consent(staff, consent))
    consent.refresh_from_db()
    assert "consent" in _errors(
        lambda: sharing.share_under_consent(staff, consent, receiving_agency=cast.self_reliance)
    )


def test_p4_only_the_owning_agency_records_the_withdrawal(story):
    cast, staff, _mother, son, _case = story
    consent = make_consent(staff, son, cast.self_reliance)
    sharing.share_under_consent(staff, consent, receiving_agency=cast.self_reliance)
    sr = receiver(cast)
    from tsunagi.access.policy import Denied

    with pytest.raises(Denied):
        withdraw_consent(sr, consent)
    for user in (cast.outsider, cast.nobody, _user("sr_auditor", cast.self_reliance, Role.AUDITOR)):
        with pytest.raises(Http404):
            withdraw_consent(user, consent)
