"""Grants (access.md): sharing under consent (P1), in an emergency (P5), ending and the
manager's notice (P5)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from tests.cast import _user, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.access import services
from tsunagi.access.models import EMERGENCY_GROUNDS, AuditEvent, GrantKind, LegalGround
from tsunagi.access.policy import Denied, Kind, may_acknowledge, sight
from tsunagi.access.selectors import pending_notices
from tsunagi.accounts.models import Role

pytestmark = pytest.mark.django_db

REASON = "二日食べておらず、死にたいと話している"


@pytest.fixture
def story():
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    return cast, staff, son, case


def _emergency(cast, staff, son, **extra):
    values = {
        "receiving_agency": cast.self_reliance,
        "legal_ground": LegalGround.LIFE_BODY_PROPERTY,
        "reason": REASON,
        "hours": 4,
        **extra,
    }
    return services.share_in_emergency(staff, son, **values)


def _errors(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as err:
        call()
    return err.value.message_dict


def test_p5_emergency_records_ground_reason_and_hours(story):
    cast, staff, son, _case = story
    grant = _emergency(cast, staff, son)
    assert grant.kind == GrantKind.EMERGENCY and grant.legal_ground == "life_body_property"
    assert grant.reason == REASON
    assert (grant.ends_at - grant.starts_at).total_seconds() == 4 * 3600
    event = AuditEvent.objects.get(action="grant.emergency")
    assert event.reason == REASON and event.detail["legal_ground"] == "life_body_property"
    seen = sight(receiver(cast), Kind.PERSON, son)
    assert seen is not None and seen.ground == grant.code


@pytest.mark.parametrize("ground", [g.value for g in EMERGENCY_GROUNDS])
def test_p5_every_listed_ground_is_accepted(story, ground):
    cast, staff, son, _case = story
    assert _emergency(cast, staff, son, legal_ground=ground).legal_ground == ground


@pytest.mark.parametrize("ground", ["", "article_9", "because", None])
def test_p5_a_ground_outside_the_list_is_refused(story, ground):
    cast, staff, son, _case = story
    assert "legal_ground" in _errors(lambda: _emergency(cast, staff, son, legal_ground=ground))


def test_p5_a_reason_is_required(story):
    cast, staff, son, _case = story
    assert "reason" in _errors(lambda: _emergency(cast, staff, son, reason="   "))


@pytest.mark.parametrize(("hours", "ok"), [(0, False), (1, True), (24, True), (25, False),
                                           (-3, False), ("x", False), (None, False)])  # fmt: skip
def test_p5_emergency_lasts_hours_not_days(story, hours, ok):
    cast, staff, son, _case = story
    if ok:
        assert _emergency(cast, staff, son, hours=hours)
    else:
        assert "hours" in _errors(lambda: _emergency(cast, staff, son, hours=hours))
    assert services.MAX_EMERGENCY_HOURS == 24


def test_p5_not_to_the_owning_agency_itself(story):
    cast, staff, son, _case = story
    errors = _errors(lambda: _emergency(cast, staff, son, receiving_agency=cast.center))
    assert "receiving_agency" in errors


def test_p5_only_the_owning_agency_shares(story):
    cast, _staff, son, _case = story
    for user in (receiver(cast), cast.outsider, cast.users[Role.AUDITOR], cast.nobody):
        with pytest.raises(Http404):
            _emergency(cast, user, son)


def test_p5_manager_notice_and_acknowledgement(story):
    cast, staff, son, _case = story
    manager = cast.users[Role.MANAGER]
    grant = _emergency(cast, staff, son)
    assert list(pending_notices(manager)) == [grant]
    assert not pending_notices(staff).exists()  # the notice is the manager's
    sr_manager = receiver(cast, "sr_manager", Role.MANAGER)
    assert not pending_notices(sr_manager).exists()
    # only the owning agency's manager acknowledges
    assert not may_acknowledge(staff, grant) and not may_acknowledge(sr_manager, grant)
    with pytest.raises(Denied):
        services.acknowledge(staff, grant)
    with pytest.raises(Denied):
        services.acknowledge(sr_manager, grant)
    with pytest.raises(Http404):
        services.acknowledge(cast.outsider, grant)
    done = services.acknowledge(manager, grant)
    assert done.acknowledged_by == manager and done.acknowledged_at is not None
    assert not pending_notices(manager).exists()
    again = services.acknowledge(manager, grant)
    assert again.acknowledged_at == done.acknowledged_at
    assert AuditEvent.objects.filter(action="grant.acknowledged").count() == 1


def test_p5_consent_grants_are_no_notice(story):
    cast, staff, son, _case = story
    consent = make_consent(staff, son, cast.self_reliance)
    services.share_under_consent(staff, consent, receiving_agency=cast.self_reliance)
    assert not pending_notices(cast.users[Role.MANAGER]).exists()


def test_p5_email_only_when_configured_and_naming_no_person(
    story, settings, mailoutbox, django_capture_on_commit_callbacks
):
    cast, staff, son, _case = story
    manager = cast.users[Role.MANAGER]
    manager.email = "manager@example.jp"
    manager.save()
    boss = _user("sr_boss", cast.self_reliance, Role.MANAGER)
    boss.email = "sr@example.jp"
    boss.save()
    settings.TSUNAGI_NOTIFY_BY_EMAIL = False
    with django_capture_on_commit_callbacks(execute=True):
        _emergency(cast, staff, son)
    assert mailoutbox == []
    settings.TSUNAGI_NOTIFY_BY_EMAIL = True
    with django_capture_on_commit_callbacks(execute=True):
        grant = _emergency(cast, staff, son)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["manager@example.jp"]  # the owner's manager, not the receiver's
    text = mail.subject + mail.body
    assert str(grant.pk) in text
    for secret in ("山田", "太郎", "ヤマダ", "タロウ", REASON, str(son.pk) + " "):
        assert secret not in text, secret


def test_p1_consent_grant_covers_only_the_consent(story):
    cast, staff, son, _case = story
    consent = make_consent(staff, son, cast.self_reliance, ["identity", "situation"])
    errors = _errors(
        lambda: services.share_under_consent(
            staff, consent, receiving_agency=cast.self_reliance, kinds=["special_care"]
        )
    )
    assert "kinds" in errors
    errors = _errors(
        lambda: services.share_under_consent(staff, consent, receiving_agency=cast.tokyo_agency)
    )
    assert "consent" in errors
    grant = services.share_under_consent(
        staff, consent, receiving_agency=cast.self_reliance, kinds=["identity"]
    )
    assert grant.kinds == ["identity"] and grant.ends_at.date() > consent.valid_until


def test_ending_a_grant_needs_the_owner_and_a_reason(story):
    cast, staff, son, _case = story
    sr = receiver(cast)
    grant = _emergency(cast, staff, son)
    with pytest.raises(Denied):
        services.end_grant(sr, grant, reason="不要")
    assert "reason" in _errors(lambda: services.end_grant(staff, grant, reason=" "))
    ended = services.end_grant(staff, grant, reason="保護された")
    assert ended.status == "ended" and sight(sr, Kind.PERSON, son) is None
    assert "grant" in _errors(lambda: services.end_grant(staff, grant, reason="再度"))
