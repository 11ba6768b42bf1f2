"""Writes for the closed-loop referral: one function per step (style.md).

Every step goes through `_step`, which locks the referral, asks the access module which side the
user is on, and checks the state table in `rules.STEPS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access import services as sharing
from tsunagi.access.kinds import InfoKind, shared_values
from tsunagi.access.policy import OWN_AGENCY, Action, Denied, Kind, referral_side, require, standing
from tsunagi.agencies.models import Agency
from tsunagi.agencies.services import EditConflict
from tsunagi.people import services as people
from tsunagi.people.models import Case, Contact, Person

from . import rules
from .models import Referral


def _log(
    action: str, actor: Any, referral: Referral, request: HttpRequest | None, **detail: Any
) -> None:
    seen = standing(actor, Kind.REFERRAL, referral)
    audit.personal(
        action,
        actor,
        referral,
        request,
        ground=seen.ground if seen else OWN_AGENCY,
        actor_agency_id=seen.agency_id if seen else referral.agency_id,
        state=referral.state,
        to_agency=referral.to_agency_id,
        **detail,
    )


def _step(
    actor: Any, referral: Referral, step: str, version: int | None = None
) -> tuple[Referral, str]:
    current = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "consent", "to_agency", "grant")
        .get(pk=referral.pk)
    )
    require(actor, Action.VIEW, Kind.REFERRAL, current)
    if version is not None and version != current.version:
        raise EditConflict(current)
    side = referral_side(actor, current)
    problem = rules.check_step(current.state, step, side)
    if problem is not None:
        if side is None or rules.STEPS.get(step, ("", "", ""))[2] != side:
            raise Denied(problem)
        raise ValidationError({"state": [problem]})
    return current, rules.STEPS[step][1]


def _save(referral: Referral, state: str, **fields: Any) -> Referral:
    referral.state = state
    for key, value in fields.items():
        setattr(referral, key, value)
    referral.version = F("version") + 1
    referral.save()
    referral.refresh_from_db()
    return referral


def _check_consent(referral: Referral, consent: Any) -> None:
    finding = rules.consent_finding(referral, consent, timezone.localdate())
    if finding is not None:
        raise ValidationError({"consent": [f"{finding.label} ({finding.rule}): {finding.reason}"]})


@transaction.atomic
def draft_referral(
    actor: Any,
    case: Case,
    *,
    to_agency: Agency,
    purpose: str,
    rule: str = "",
    consent: Any = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Draft a referral of the case's person to another agency. Without a consent in order it
    stays a draft with "consent missing" shown (rule P1)."""
    referral = Referral(
        agency_id=case.agency_id,
        person_id=case.person_id,
        case=case,
        to_agency=to_agency,
        purpose=(purpose or "").strip(),
        rule=(rule or "")[:10],
        created_by=actor,
    )
    require(actor, Action.CREATE, Kind.REFERRAL, referral)
    errors: dict[str, list[str]] = {}
    if to_agency is None:
        errors["to_agency"] = [_("Choose the receiving agency.")]
    elif to_agency.pk == case.agency_id:
        errors["to_agency"] = [_("The receiving agency must be another agency.")]
    if not referral.purpose:
        errors["purpose"] = [_("Write what is asked of the receiving agency.")]
    if errors:
        raise ValidationError(errors)
    referral.save()
    _log("referral.drafted", actor, referral, request)
    if consent is not None:
        referral = confirm_consent(actor, referral, consent, request=request)
    return referral


@transaction.atomic
def confirm_consent(
    actor: Any,
    referral: Referral,
    consent: Any,
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Attach the person's consent; it must name the receiving agency and be in force (P1)."""
    current, state = _step(actor, referral, "confirm_consent", version)
    if consent is not None:
        require(actor, Action.VIEW, Kind.CONSENT, consent)
    _check_consent(current, consent)
    current = _save(current, state, consent=consent, consent_confirmed_at=timezone.now())
    _log("referral.consent_confirmed", actor, current, request, consent=consent.pk)
    return current


@transaction.atomic
def send_referral(
    actor: Any,
    referral: Referral,
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Send: the consent is checked again (it may have been withdrawn since), and the consent
    grant is made through which the receiving agency sees the kinds the consent names."""
    current, state = _step(actor, referral, "send", version)
    _check_consent(current, current.consent)
    grant = sharing.share_under_consent(
        actor,
        current.consent,
        receiving_agency=current.to_agency,
        case=current.case,
        purpose=current.purpose[:200],
        request=request,
    )
    current = _save(current, state, grant=grant, sent_at=timezone.now())
    _log("referral.sent", actor, current, request, grant=grant.pk)
    return current


@transaction.atomic
def receive_referral(
    actor: Any, referral: Referral, *, request: HttpRequest | None = None
) -> Referral:
    current, state = _step(actor, referral, "receive")
    current = _save(current, state, received_at=timezone.now())
    _log("referral.received", actor, current, request)
    return current


def received_identity(referral: Referral) -> dict[str, Any]:
    """What the receiving agency may copy into its own record: the identity fields, when the
    consent names them (rule P1); otherwise the name only is left for the staff to ask."""
    kinds = set(referral.grant.kinds) if referral.grant else set()
    if InfoKind.IDENTITY not in kinds:
        return {}
    values = shared_values(referral.person, kinds)
    values.pop("id", None)
    values.pop("municipality", None)
    values["municipality"] = referral.person.municipality_id
    return values


@transaction.atomic
def accept_referral(
    actor: Any,
    referral: Referral,
    *,
    person: Person | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """The receiving agency takes the person on: it matches the person against its own records
    (inside the agency, access.md) or registers them from what was received, and opens a case."""
    current, state = _step(actor, referral, "accept")
    if current.grant is None or not current.grant.is_active():
        raise ValidationError(
            {"state": [_("The consent under which the referral came is no longer in force.")]}
        )
    if person is not None:
        if person.agency_id != current.to_agency_id:
            raise ValidationError({"person": [_("Choose a person of your own agency.")]})
        require(actor, Action.VIEW, Kind.PERSON, person)
    else:
        data = received_identity(current)
        if not data:
            raise ValidationError(
                {"person": [_("No identity was shared: choose the person in your own records.")]}
            )
        person = people.create_person(
            actor, current.to_agency, data, request=request, allow_duplicate=True
        )
    case = people.open_case(
        actor,
        person,
        {"problem_notes": _("Referred by %(agency)s.") % {"agency": current.agency}},
        request=request,
    )
    current = _save(current, state, decided_at=timezone.now(), received_case=case)
    _log("referral.accepted", actor, current, request, case=case.pk)
    return current


@transaction.atomic
def decline_referral(
    actor: Any, referral: Referral, *, reason: str, request: HttpRequest | None = None
) -> Referral:
    current, state = _step(actor, referral, "decline")
    if not (reason or "").strip():
        raise ValidationError({"decline_reason": [_("Write why the referral is declined.")]})
    current = _save(current, state, decided_at=timezone.now(), decline_reason=reason.strip())
    _log("referral.declined", actor, current, request)
    return current


@transaction.atomic
def record_first_contact(
    actor: Any,
    referral: Referral,
    data: Mapping[str, Any],
    *,
    request: HttpRequest | None = None,
) -> tuple[Referral, Contact]:
    """The receiving agency's first contact with the person closes the loop (rule R5)."""
    current, state = _step(actor, referral, "first_contact")
    assert current.received_case is not None
    contact = people.record_contact(actor, data, case=current.received_case, request=request)
    current = _save(current, state, first_contact_on=timezone.localdate(contact.occurred_at))
    _log("referral.first_contact", actor, current, request, contact=contact.pk)
    return current, contact


@transaction.atomic
def close_referral(
    actor: Any, referral: Referral, *, request: HttpRequest | None = None
) -> Referral:
    current, state = _step(actor, referral, "close")
    current = _save(current, state, closed_at=timezone.now())
    _log("referral.closed", actor, current, request)
    return current


@transaction.atomic
def cancel_referral(
    actor: Any, referral: Referral, *, reason: str, request: HttpRequest | None = None
) -> Referral:
    """The sender withdraws a referral not yet decided; the grant it made ends now."""
    current, state = _step(actor, referral, "cancel")
    if not (reason or "").strip():
        raise ValidationError({"cancel_reason": [_("Write why the referral is cancelled.")]})
    if current.grant is not None and current.grant.ended_at is None:
        sharing.end_grant(actor, current.grant, reason=_("Referral cancelled"), request=request)
    current = _save(current, state, cancelled_at=timezone.now(), cancel_reason=reason.strip()[:200])
    _log("referral.cancelled", actor, current, request)
    return current
