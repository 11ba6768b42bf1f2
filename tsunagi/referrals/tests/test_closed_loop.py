"""The closed loop of walkthrough A steps 4-6 and the withdrawal of walkthrough E, through the
services (the API and browser walkthroughs sit in tests/walkthroughs and tests/browser)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tests.cast import make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, make_referral, receiver
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Kind, require_sight, sight
from tsunagi.access.shared import shared_record
from tsunagi.accounts.models import Role
from tsunagi.consent.services import withdraw_consent
from tsunagi.people.models import Flag
from tsunagi.referrals import services
from tsunagi.referrals.models import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    return cast, staff, mother, son, case, receiver(cast)


def test_p1_referral_without_the_sons_consent_stays_a_draft(story):
    cast, staff, mother, son, case, sr = story
    referral = make_referral(staff, case, cast.self_reliance)
    assert referral.state == State.DRAFT
    # the mother's consent is hers, not her son's
    mothers = make_consent(staff, mother, cast.self_reliance)
    with pytest.raises(ValidationError) as err:
        services.confirm_consent(staff, referral, mothers)
    assert "P1" in str(err.value)
    with pytest.raises(ValidationError):
        services.send_referral(staff, referral)
    assert sight(sr, Kind.PERSON, son) is None


def test_p1_p4_closed_loop_then_withdrawal(story):
    cast, staff, _mother, son, case, sr = story
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"], case=case)
    referral = make_referral(staff, case, cast.self_reliance, consent)
    assert referral.state == State.CONSENT_CONFIRMED
    referral = services.send_referral(staff, referral)
    assert referral.state == State.SENT and referral.grant is not None
    seen = require_sight(sr, Kind.PERSON, son)
    assert seen.ground == f"consent:{referral.grant.pk}"
    referral = services.receive_referral(sr, referral)
    referral = services.accept_referral(sr, referral)
    assert referral.received_case is not None and referral.grant is not None
    assert referral.received_case.agency == cast.self_reliance
    assert referral.received_case.person.family_name == "山田"
    referral, _contact = services.record_first_contact(
        sr, referral, {"channel": "office_visit", "initiator": "person", "summary": "初回面談"}
    )
    assert referral.state == State.FIRST_CONTACT and referral.first_contact_on
    grant = referral.grant
    assert grant is not None
    shared_record(sr, son, require_sight(sr, Kind.PERSON, son))
    withdraw_consent(staff, consent, note="本人から電話で撤回")
    with pytest.raises(Http404):
        require_sight(sr, Kind.PERSON, son)
    flag = Flag.objects.get(case=referral.received_case)
    assert flag.rule == "P4" and flag.resolved_at is None
    withdrawn = AuditEvent.objects.get(action="consent.withdrawn")
    last_read = (
        AuditEvent.objects.filter(subject_id=son.pk, grant=grant.code, action__endswith=".viewed")
        .order_by("-at")
        .first()
    )
    assert last_read is not None and last_read.at <= withdrawn.at
