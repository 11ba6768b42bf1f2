"""Writes for the closed-loop referral, introductions and dismissed suggestions: one function per
state change (style.md).

Every referral step goes through `_step`, which locks the referral, asks the access module which
side the user is on, and checks the state table in `rules.STEPS`; `_log` writes the access-log
row and the referral's own timeline row (who, when, for which agency) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
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
from .models import (
    AnswerChannel,
    DeclineReason,
    Dismissal,
    GivenTo,
    Introduction,
    IntroductionTarget,
    Referral,
    ReferralEvent,
    ReminderSettings,
    State,
)


def _log(
    action: str,
    actor: Any,
    referral: Referral,
    request: HttpRequest | None,
    *,
    on_behalf: bool = False,
    note: str = "",
    **detail: Any,
) -> None:
    seen = standing(actor, Kind.REFERRAL, referral)
    agency_id = seen.agency_id if seen and seen.agency_id else referral.agency_id
    audit.personal(
        action,
        actor,
        referral,
        request,
        ground=seen.ground if seen else OWN_AGENCY,
        actor_agency_id=agency_id,
        state=referral.state,
        to_agency=referral.to_agency_id,
        on_behalf=on_behalf or None,
        **detail,
    )
    ReferralEvent.objects.create(
        referral=referral,
        step=action.split(".", 1)[1],
        state=referral.state,
        at=timezone.now(),
        actor=actor,
        agency_id=agency_id,
        on_behalf=on_behalf,
        note=note[:300],
    )


def _step(
    actor: Any, referral: Referral, step: str, version: int | None = None
) -> tuple[Referral, str, bool]:
    current = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case", "consent", "to_agency", "grant")
        .get(pk=referral.pk)
    )
    require(actor, Action.VIEW, Kind.REFERRAL, current)
    if version is not None and version != current.version:
        raise EditConflict(current)
    side = referral_side(actor, current)
    problem = rules.check_step(current.state, step, side, current.by_letter)
    if problem is not None:
        who = rules.STEPS.get(step, ("", "", ""))[2]
        if side is None or not rules.takes(side, who, current.by_letter):
            raise Denied(problem)
        raise ValidationError({"state": [problem]})
    return current, rules.STEPS[step][1], rules.on_behalf(step, side)


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
    wishes: str = "",
    wishes_heard_on: date | None = None,
    support_ends_on: date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Draft a referral of the case's person to another agency. Without a consent in order it
    stays a draft with "consent missing" shown (rule P1), without the person's wishes with
    "wishes missing" (rule R1). A receiving agency without an account gets a referral letter."""
    referral = Referral(
        agency_id=case.agency_id,
        person_id=case.person_id,
        case=case,
        to_agency=to_agency,
        purpose=(purpose or "").strip(),
        rule=(rule or "")[:10],
        wishes=(wishes or "").strip(),
        wishes_heard_on=wishes_heard_on,
        support_ends_on=support_ends_on,
        by_letter=to_agency is not None and not has_accounts(to_agency),
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
    errors.update(_date_errors(referral))
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
    current, state, _behalf = _step(actor, referral, "confirm_consent", version)
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
    """Send: the person's wishes must be written (rule R1) and the consent is checked again (it
    may have been withdrawn since); the consent grant is made through which the receiving agency
    sees the kinds the consent names. For a receiver without an account the grant records what
    the printed letter discloses."""
    current, state, _behalf = _step(actor, referral, "send", version)
    finding = rules.wishes_finding(current)
    if finding is not None:
        raise ValidationError({"wishes": [f"{finding.label} ({finding.rule}): {finding.reason}"]})
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
    actor: Any,
    referral: Referral,
    *,
    answered_via: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    current, state, behalf = _step(actor, referral, "receive")
    _check_channel(behalf, answered_via)
    current = _save(current, state, received_at=timezone.now())
    _log("referral.received", actor, current, request, on_behalf=behalf, note=answered_via)
    return current


def _check_channel(on_behalf: bool, answered_via: str) -> None:
    """An answer recorded for a receiver without an account says how it came."""
    if on_behalf and answered_via not in AnswerChannel.values:
        raise ValidationError({"answered_via": [_("Choose how the answer came.")]})


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
    answered_via: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """The receiving agency takes the person on: it matches the person against its own records
    (inside the agency, access.md) or registers them from what was received, and opens a case.
    For a receiver without an account the sender records the answer; no record is made there."""
    current, state, behalf = _step(actor, referral, "accept")
    if current.grant is None or not current.grant.is_active():
        raise ValidationError(
            {"state": [_("The consent under which the referral came is no longer in force.")]}
        )
    if behalf:
        _check_channel(behalf, answered_via)
        current = _save(current, state, decided_at=timezone.now(), answered_via=answered_via)
        _log("referral.accepted", actor, current, request, on_behalf=True, note=answered_via)
        return current
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
    actor: Any,
    referral: Referral,
    *,
    reason: str,
    category: str = DeclineReason.OTHER,
    answered_via: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """The receiver declines, with the kind of reason (counted) and the reason in words (kept)."""
    current, state, behalf = _step(actor, referral, "decline")
    errors = {}
    if not (reason or "").strip():
        errors["decline_reason"] = [_("Write why the referral is declined.")]
    if (category or "") not in DeclineReason.values:
        errors["decline_category"] = [_("Choose the kind of reason.")]
    if errors:
        raise ValidationError(errors)
    _check_channel(behalf, answered_via)
    current = _save(
        current,
        state,
        decided_at=timezone.now(),
        decline_reason=reason.strip(),
        decline_category=category,
        answered_via=answered_via if behalf else "",
    )
    _log("referral.declined", actor, current, request, on_behalf=behalf, note=answered_via)
    return current


@transaction.atomic
def record_first_contact(
    actor: Any,
    referral: Referral,
    data: Mapping[str, Any],
    *,
    accompanied: bool = False,
    accompaniment_notes: str = "",
    request: HttpRequest | None = None,
) -> tuple[Referral, Contact | None]:
    """The receiving agency's first contact with the person closes the loop (rule R5), with
    whether the referring agency's staff accompanied the person (同行). A receiver without an
    account has no records here: the sender records the day it was told of (`occurred_on`)."""
    current, state, behalf = _step(actor, referral, "first_contact")
    notes = (accompaniment_notes or "").strip()[:200]
    if behalf:
        day = data.get("occurred_on")
        if not isinstance(day, date):
            raise ValidationError({"occurred_on": [_("Enter the day of the first contact.")]})
        if day > timezone.localdate():
            raise ValidationError({"occurred_on": [_("The day cannot be in the future.")]})
        via = data.get("answered_via", "")
        _check_channel(behalf, via)
        current = _save(
            current,
            state,
            first_contact_on=day,
            accompanied=bool(accompanied),
            accompaniment_notes=notes,
            answered_via=via,
        )
        _log("referral.first_contact", actor, current, request, on_behalf=True, note=via)
        return current, None
    assert current.received_case is not None
    contact = people.record_contact(actor, data, case=current.received_case, request=request)
    current = _save(
        current,
        state,
        first_contact_on=timezone.localdate(contact.occurred_at),
        accompanied=bool(accompanied),
        accompaniment_notes=notes,
    )
    _log("referral.first_contact", actor, current, request, contact=contact.pk)
    return current, contact


@transaction.atomic
def close_referral(
    actor: Any, referral: Referral, *, request: HttpRequest | None = None
) -> Referral:
    current, state, _behalf = _step(actor, referral, "close")
    current = _save(current, state, closed_at=timezone.now())
    _log("referral.closed", actor, current, request)
    return current


@transaction.atomic
def cancel_referral(
    actor: Any, referral: Referral, *, reason: str, request: HttpRequest | None = None
) -> Referral:
    """The sender withdraws a referral not yet decided; the grant it made ends now."""
    current, state, _behalf = _step(actor, referral, "cancel")
    if not (reason or "").strip():
        raise ValidationError({"cancel_reason": [_("Write why the referral is cancelled.")]})
    if current.grant is not None and current.grant.ended_at is None:
        sharing.end_grant(actor, current.grant, reason=_("Referral cancelled"), request=request)
    current = _save(current, state, cancelled_at=timezone.now(), cancel_reason=reason.strip()[:200])
    _log("referral.cancelled", actor, current, request)
    return current


def has_accounts(agency: Agency) -> bool:
    """Does anyone work in tsunagi for this agency? If not, referrals to it go by letter."""
    from .selectors import without_accounts

    return not without_accounts(Agency.objects.filter(pk=agency.pk))


def _date_errors(referral: Referral) -> dict[str, list[str]]:
    today = timezone.localdate()
    if referral.wishes_heard_on is not None and referral.wishes_heard_on > today:
        return {"wishes_heard_on": [_("The day cannot be in the future.")]}
    return {}


EDITABLE = ("purpose", "wishes", "wishes_heard_on", "support_ends_on")


@transaction.atomic
def update_referral(
    actor: Any,
    referral: Referral,
    data: Mapping[str, Any],
    *,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Change what the referral asks and the person's wishes (rule R1) until it is sent."""
    current = Referral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
    require(actor, Action.CHANGE, Kind.REFERRAL, current)
    if referral_side(actor, current) != rules.SENDER:
        raise Denied("change referral")
    if version is not None and version != current.version:
        raise EditConflict(current)
    if current.state not in (State.DRAFT, State.CONSENT_CONFIRMED):
        raise ValidationError({"state": [_("A referral can be changed only before it is sent.")]})
    changed = []
    for key in EDITABLE:
        if key in data:
            value = data[key]
            value = value.strip() if isinstance(value, str) else value
            if getattr(current, key) != value:
                setattr(current, key, value)
                changed.append(key)
    errors = _date_errors(current)
    if not current.purpose:
        errors["purpose"] = [_("Write what is asked of the receiving agency.")]
    if errors:
        raise ValidationError(errors)
    if changed:
        current.version = F("version") + 1
        current.save()
        current.refresh_from_db()
        audit.personal(
            "referral.changed",
            actor,
            current,
            request,
            ground=OWN_AGENCY,
            actor_agency_id=current.agency_id,
            fields=changed,
        )
    return current


# --- introductions (rule R3a) -----------------------------------------------------------------


@transaction.atomic
def record_introduction(
    actor: Any, case: Case, data: Mapping[str, Any], *, request: HttpRequest | None = None
) -> Introduction:
    """紹介: the person (or their family) was given information about an agency or a group.
    Rule R3a: no personal data passes, so no consent is asked and no grant is made."""
    intro = Introduction(
        agency_id=case.agency_id,
        person_id=case.person_id,
        case=case,
        given_on=data.get("given_on") or timezone.localdate(),
        target_kind=data.get("target_kind") or "",
        to_agency=data.get("to_agency"),
        to_name=(data.get("to_name") or "").strip(),
        given_to=data.get("given_to") or GivenTo.PERSON,
        what_given=(data.get("what_given") or "").strip(),
        rule=(data.get("rule") or "")[:10],
        created_by=actor,
    )
    require(actor, Action.CREATE, Kind.INTRODUCTION, intro)
    errors: dict[str, list[str]] = {}
    if intro.target_kind not in IntroductionTarget.values:
        errors["target_kind"] = [_("Choose what the person was introduced to.")]
    if intro.to_agency is None and not intro.to_name:
        errors["to_name"] = [_("Choose an agency or write the name of the group or place.")]
    if intro.to_agency is not None and intro.to_agency.pk == case.agency_id:
        errors["to_agency"] = [_("Introduce another agency than your own.")]
    if not intro.what_given:
        errors["what_given"] = [_("Write what was given, e.g. the leaflet and phone number.")]
    if intro.given_to not in GivenTo.values:
        errors["given_to"] = [_("Choose who received the information.")]
    if not isinstance(intro.given_on, date):
        errors["given_on"] = [_("Enter a valid date.")]
    elif intro.given_on > timezone.localdate():
        errors["given_on"] = [_("The day cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    intro.save()
    audit.personal(
        "introduction.recorded",
        actor,
        intro,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=intro.agency_id,
        rule=intro.rule or None,
        target_kind=intro.target_kind,
        to_agency=intro.to_agency_id,
    )
    return intro


# --- suggestions set aside ------------------------------------------------------------------


@transaction.atomic
def dismiss_suggestion(
    actor: Any, case: Case, code: str, *, reason: str, request: HttpRequest | None = None
) -> Dismissal:
    """Set a suggestion aside for this case, with the reason (counted in the statistics)."""
    from .suggestions import rule_for

    rule = rule_for(code or "")
    dismissal = Dismissal(
        agency_id=case.agency_id,
        case=case,
        rule=rule.id if rule else "",
        code=code or "",
        reason=(reason or "").strip(),
        dismissed_by=actor,
        dismissed_at=timezone.now(),
    )
    require(actor, Action.CREATE, Kind.DISMISSAL, dismissal)
    errors: dict[str, list[str]] = {}
    if rule is None:
        errors["code"] = [_("There is no such suggestion.")]
    elif Dismissal.objects.filter(case=case, code=code, restored_at__isnull=True).exists():
        errors["code"] = [_("This suggestion is already set aside.")]
    if not dismissal.reason:
        errors["reason"] = [_("Write why the suggestion is set aside.")]
    if errors:
        raise ValidationError(errors)
    dismissal.save()
    audit.personal(
        "suggestion.dismissed",
        actor,
        dismissal,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=dismissal.agency_id,
        rule=dismissal.rule,
        code=code,
    )
    return dismissal


@transaction.atomic
def restore_suggestion(
    actor: Any, dismissal: Dismissal, *, request: HttpRequest | None = None
) -> Dismissal:
    """Show a set-aside suggestion again; the dismissal stays on record (and in the count)."""
    current = Dismissal.objects.select_for_update().get(pk=dismissal.pk)
    require(actor, Action.CHANGE, Kind.DISMISSAL, current)
    if current.restored_at is not None:
        raise ValidationError({"code": [_("This suggestion is already shown again.")]})
    current.restored_at = timezone.now()
    current.restored_by = actor
    current.save(update_fields=["restored_at", "restored_by"])
    audit.personal(
        "suggestion.restored",
        actor,
        current,
        request,
        ground=OWN_AGENCY,
        actor_agency_id=current.agency_id,
        rule=current.rule,
        code=current.code,
    )
    return current


# --- reminder settings ----------------------------------------------------------------------

LIMITS = tuple(ReminderSettings.DEFAULTS)
MAX_BUSINESS_DAYS = 60


@transaction.atomic
def save_reminder_settings(
    actor: Any, agency: Agency, data: Mapping[str, Any], *, request: HttpRequest | None = None
) -> ReminderSettings:
    """The agency's manager decides after how many business days reminders show."""
    require(actor, Action.CHANGE, Kind.AGENCY, agency)
    row, _created = ReminderSettings.objects.get_or_create(agency=agency)
    errors: dict[str, list[str]] = {}
    for key in LIMITS:
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 365:
            errors[key] = [_("Enter a whole number from 1 to 365.")]
        elif key != "handover_days" and value > MAX_BUSINESS_DAYS:
            errors[key] = [_("Enter at most %(n)d business days.") % {"n": MAX_BUSINESS_DAYS}]
        else:
            setattr(row, key, value)
    if errors:
        raise ValidationError(errors)
    row.updated_by = actor
    row.save()
    audit.record(
        "referral.reminders_set",
        actor=actor,
        request=request,
        agency_id=agency.pk,
        obj=row,
        detail={k: getattr(row, k) for k in LIMITS},
    )
    return row
