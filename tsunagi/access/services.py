"""Grants: the rows that let a user outside the owning agency see a record (access.md).

One function per way of sharing. Each checks who may share, validates the ground, writes the
grant and its audit row in one transaction. Nobody edits a grant; it ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .kinds import DISPATCH_KINDS, InfoKind, normalise
from .models import EMERGENCY_GROUNDS, Grant, GrantKind, LegalGround
from .policy import Action, Denied, Kind, may_acknowledge, require, standing

# rule P5: emergency access lasts hours, not days.
MAX_EMERGENCY_HOURS = 24
DEFAULT_EMERGENCY_HOURS = 4


def _end_of_day(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))


def _kinds(kinds: Iterable[str] | None, allowed: Iterable[str] | None = None) -> list[str]:
    chosen = list(kinds or [])
    if not chosen:
        raise ValidationError({"kinds": [_("Choose at least one kind of information.")]})
    if not set(chosen) <= set(InfoKind.values):
        raise ValidationError({"kinds": [_("Unknown kind of information.")]})
    if allowed is not None and not set(chosen) <= set(allowed):
        raise ValidationError(
            {"kinds": [_("The consent does not cover every kind of information chosen.")]}
        )
    return normalise(chosen)


def _check_case(person: Any, case: Any) -> None:
    if case is not None and case.person_id != person.pk:
        raise ValidationError({"case": [_("The case is not this person's.")]})


def _check_receiver(person: Any, receiving_agency: Any) -> None:
    if receiving_agency is None:
        raise ValidationError({"receiving_agency": [_("Choose the receiving agency.")]})
    if receiving_agency.pk == person.agency_id:
        raise ValidationError(
            {"receiving_agency": [_("The receiving agency must be another agency.")]}
        )


def _save(actor: Any, grant: Grant, request: HttpRequest | None, action: str) -> Grant:
    require(actor, Action.CREATE, Kind.GRANT, grant)
    require(actor, Action.VIEW, Kind.PERSON, grant.person)
    grant.full_clean(exclude=["person", "agency", "made_by"])
    grant.save()
    audit.personal(
        action,
        actor,
        grant,
        request,
        ground=grant.code,  # the log names the ground being created, and its reason
        reason=grant.reason,
        kind=grant.kind,
        receiver=str(grant.receiving_agency or grant.receiving_user),
        kinds=grant.kinds,
        legal_ground=grant.legal_ground,
        until=grant.ends_at.isoformat(),
    )
    return grant


@transaction.atomic
def share_under_consent(
    actor: Any,
    consent: Any,
    *,
    receiving_agency: Any,
    kinds: Iterable[str] | None = None,
    case: Any = None,
    purpose: str = "",
    request: HttpRequest | None = None,
) -> Grant:
    """Rule P1: share with an agency the consent names, the kinds it names, while it stands."""
    from tsunagi.consent.rules import covers

    person = consent.person
    _check_receiver(person, receiving_agency)
    case = case or consent.case
    _check_case(person, case)
    chosen = _kinds(kinds or consent.kinds, consent.kinds)
    today = timezone.localdate()
    if not covers(consent, receiving_agency, chosen, today):
        raise ValidationError(
            {
                "consent": [
                    _(
                        "The consent does not cover this: it must name the receiving agency "
                        "and be in force today (rule P1)."
                    )
                ]
            }
        )
    grant = Grant(
        kind=GrantKind.CONSENT,
        agency_id=person.agency_id,
        person=person,
        case=case,
        receiving_agency=receiving_agency,
        kinds=chosen,
        consent=consent,
        purpose=(purpose or consent.purpose)[:200],
        starts_at=timezone.now(),
        ends_at=_end_of_day(consent.valid_until),
        made_by=actor,
    )
    return _save(actor, grant, request, "grant.made")


@transaction.atomic
def share_in_emergency(
    actor: Any,
    person: Any,
    *,
    receiving_agency: Any,
    legal_ground: str,
    reason: str,
    hours: int = DEFAULT_EMERGENCY_HOURS,
    kinds: Iterable[str] | None = None,
    case: Any = None,
    request: HttpRequest | None = None,
) -> Grant:
    """Rule P5: sharing without consent to protect life, body or property (or another ground in
    law). The ground and reason are recorded, access lasts hours, the manager is told."""
    _check_receiver(person, receiving_agency)
    _check_case(person, case)
    errors: dict[str, list[str]] = {}
    if legal_ground not in EMERGENCY_GROUNDS:
        errors["legal_ground"] = [_("Choose the legal ground for sharing without consent.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Write why the information must be shared now, without consent.")]
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= MAX_EMERGENCY_HOURS:
        errors["hours"] = [
            _("Emergency access lasts between 1 and %(max)d hours.") % {"max": MAX_EMERGENCY_HOURS}
        ]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    grant = Grant(
        kind=GrantKind.EMERGENCY,
        agency_id=person.agency_id,
        person=person,
        case=case,
        receiving_agency=receiving_agency,
        kinds=_kinds(kinds or InfoKind.values),
        legal_ground=legal_ground,
        reason=reason.strip(),
        starts_at=now,
        ends_at=now + timedelta(hours=hours),
        made_by=actor,
    )
    grant = _save(actor, grant, request, "grant.emergency")
    transaction.on_commit(lambda: notify_managers(grant))
    return grant


def _meeting_ends(meeting: Any) -> datetime:
    return _end_of_day(meeting.held_on + timedelta(days=meeting.share_days_after))


def meeting_sharing_over(meeting: Any) -> bool:
    """An Article 9 meeting shares its agenda cases until its sharing period ends (rule P5)."""
    return _meeting_ends(meeting) <= timezone.now()


def grant_for_meeting(
    actor: Any, item: Any, member: Any, request: HttpRequest | None = None
) -> Grant:
    """Rule P5: a member of an Article 9 support meeting sees the case put on its agenda, for
    the meeting's purpose, until the meeting's sharing period ends."""
    meeting = item.meeting
    case = item.case
    grant = Grant(
        kind=GrantKind.MEETING,
        agency_id=case.agency_id,
        person=case.person,
        case=case,
        receiving_agency=member,
        kinds=_kinds(item.kinds),
        meeting=meeting,
        legal_ground=LegalGround.ARTICLE_9,
        purpose=meeting.purpose[:200],
        starts_at=timezone.now(),
        ends_at=_meeting_ends(meeting),
        made_by=actor,
    )
    return _save(actor, grant, request, "grant.meeting")


@transaction.atomic
def grant_for_dispatch(
    actor: Any,
    person: Any,
    supporter: Any,
    *,
    dispatch_ref: int,
    until: Any,
    case: Any = None,
    request: HttpRequest | None = None,
) -> Grant:
    """Rules S4/S5: a dispatched supporter sees the minimum for their visits (name, address,
    contact), only while the dispatch is active."""
    _check_case(person, case)
    grant = Grant(
        kind=GrantKind.DISPATCH,
        agency_id=person.agency_id,
        person=person,
        case=case,
        receiving_user=supporter,
        kinds=normalise(DISPATCH_KINDS),
        dispatch_ref=dispatch_ref,
        purpose=_("Supporter dispatch"),
        starts_at=timezone.now(),
        ends_at=_end_of_day(until),
        made_by=actor,
    )
    return _save(actor, grant, request, "grant.dispatch")


@transaction.atomic
def end_grant(
    actor: Any, grant: Grant, *, reason: str, request: HttpRequest | None = None
) -> Grant:
    """End a grant before its time (a dispatch stopped, sharing no longer needed)."""
    current = Grant.objects.select_for_update().get(pk=grant.pk)
    require(actor, Action.VIEW, Kind.GRANT, current)
    side = standing(actor, Kind.GRANT, current)
    if side is None or not side.owner:
        raise Denied("end grant")
    if current.ended_at is not None:
        raise ValidationError({"grant": [_("This grant has already ended.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Write why the sharing ends.")]})
    current.ended_at = timezone.now()
    current.ended_by = actor
    current.end_reason = reason.strip()[:200]
    current.save()
    audit.personal("grant.ended", actor, current, request, reason=current.end_reason)
    return current


@transaction.atomic
def acknowledge(actor: Any, grant: Grant, *, request: HttpRequest | None = None) -> Grant:
    """The owning agency's manager marks a notice of sharing without consent as seen (P5)."""
    current = Grant.objects.select_for_update().get(pk=grant.pk)
    require(actor, Action.VIEW, Kind.GRANT, current)
    if not may_acknowledge(actor, current):
        raise Denied("acknowledge grant")
    if current.acknowledged_at is None:
        current.acknowledged_at = timezone.now()
        current.acknowledged_by = actor
        current.save()
        audit.personal("grant.acknowledged", actor, current, request)
    return current


def notify_managers(grant: Grant) -> int:
    """E-mail the owning agency's managers, if e-mail is configured. The mail names no person:
    it only asks them to look at tsunagi (the notice itself is on their home screen)."""
    if not getattr(settings, "TSUNAGI_NOTIFY_BY_EMAIL", False):
        return 0
    from tsunagi.accounts.models import Membership, Role

    addresses = sorted(
        {
            m.user.email
            for m in Membership.objects.filter(
                agency_id=grant.agency_id, role=Role.MANAGER, is_active=True
            ).select_related("user")
            if m.user.email
        }
    )
    if not addresses:
        return 0
    subject = _("[tsunagi] Information was shared without consent")
    body = _(
        "A member of staff shared a person's information without consent (%(ground)s), "
        "grant no. %(id)s. Please look at the notice in tsunagi."
    ) % {"ground": grant.get_kind_display(), "id": grant.pk}
    return send_mail(subject, body, None, addresses, fail_silently=True)
