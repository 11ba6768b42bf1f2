"""Writes for consents and the P2 explanation: one function per state change (style.md)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagi.access import audit
from tsunagi.access.kinds import normalise
from tsunagi.access.policy import CASEWORKERS, Action, Kind, require
from tsunagi.accounts.models import Membership
from tsunagi.agencies.models import Agency
from tsunagi.people.models import Case, Person

from . import rules
from .models import Consent, Explanation, Giver, Method

CONSENT_FIELDS = (
    "given_by",
    "representative_name",
    "representative_relationship",
    "recipient_agency",
    "recipient_kind",
    "recipient_meeting",
    "purpose",
    "kinds",
    "given_on",
    "valid_until",
    "method",
    "witness",
    "notes",
)
EXPLANATION_FIELDS = ("explained_on", "understood", "agreed_handling")


def works_at(user_id: int | None, agency_id: int) -> bool:
    return (
        user_id is not None
        and Membership.objects.filter(
            user_id=user_id, agency_id=agency_id, role__in=CASEWORKERS, is_active=True
        ).exists()
    )


def _case_of(person: Person, case: Case | None) -> Case | None:
    if case is not None and case.person_id != person.pk:
        raise ValidationError({"case": _("The case is not this person's.")})
    return case


def _id(value: Any) -> int | None:
    value = getattr(value, "pk", value)
    return int(value) if value not in (None, "") else None


@transaction.atomic
def record_consent(
    actor: Any,
    person: Person,
    data: Mapping[str, Any],
    *,
    case: Case | None = None,
    scan: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Record a consent given by the person (or their legal representative). rule P1"""
    require(actor, Action.VIEW, Kind.PERSON, person)
    consent = Consent(
        agency_id=person.agency_id,
        person=person,
        case=_case_of(person, case),
        recorded_by=actor,
    )
    require(actor, Action.CREATE, Kind.CONSENT, consent)
    values = {k: v for k, v in data.items() if k in CONSENT_FIELDS}
    recipient_id = _id(values.pop("recipient_agency", None))
    meeting_id = _id(values.pop("recipient_meeting", None))
    witness_id = _id(values.pop("witness", None))
    kinds = values.pop("kinds", None) or []
    if isinstance(kinds, str):
        kinds = [kinds]
    for key, value in values.items():
        setattr(consent, key, value if value is not None else "")
    consent.given_on = values.get("given_on") or timezone.localdate()
    consent.valid_until = values.get("valid_until")  # type: ignore[assignment]
    consent.kinds = list(kinds)
    consent.recipient_agency_id = recipient_id
    consent.recipient_meeting_id = meeting_id
    consent.witness_id = witness_id
    errors: dict[str, str] = {}
    named = [recipient_id is not None, meeting_id is not None, bool(consent.recipient_kind)]
    if sum(named) > 1:
        errors["recipient_agency"] = _(
            "Name one receiving agency, a kind of agency, or a meeting: only one of them."
        )
    if meeting_id is not None:
        # the meeting must be one the agency takes part in, of the kind that needs consent
        from tsunagi.meetings.models import Meeting, MeetingKind

        meeting = Meeting.objects.filter(pk=meeting_id, members=person.agency_id).first()
        if meeting is None or meeting.kind != MeetingKind.COORDINATION:
            errors["recipient_meeting"] = _(
                "Choose a support coordination meeting your agency takes part in."
            )
    if recipient_id is not None and not Agency.objects.filter(pk=recipient_id).exists():
        errors["recipient_agency"] = _("Unknown agency.")
    if recipient_id == person.agency_id:
        errors["recipient_agency"] = _("The receiving agency must be another agency.")
    errors.update(
        rules.giver_problems(
            consent.given_by,
            age=rules.age_on(person.birth_date, person.estimated_age, consent.given_on),
            representative_name=consent.representative_name,
            representative_relationship=consent.representative_relationship,
        )
    )
    errors.update(
        rules.consent_problems(
            kinds=consent.kinds,
            given_on=consent.given_on,
            valid_until=consent.valid_until,
            today=timezone.localdate(),
            method=consent.method,
            has_scan=scan is not None,
            witness_id=witness_id,
            recorded_by_id=actor.pk,
            witness_is_staff=works_at(witness_id, person.agency_id),
            names_recipient=recipient_id is not None
            or meeting_id is not None
            or bool(consent.recipient_kind),
            purpose=consent.purpose,
        )
    )
    if consent.given_by not in Giver.values:
        errors["given_by"] = _("Unknown choice: %(v)s") % {"v": consent.given_by}
    if consent.method not in Method.values:
        errors["method"] = _("Choose how the consent was given.")
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    consent.kinds = normalise(consent.kinds)
    if consent.method != "verbal":
        consent.witness_id = None
    if scan is not None:
        consent.scan.save(scan.name or "scan.pdf", scan, save=False)
    consent.full_clean(exclude=["scan", "valid_until"])
    consent.save()
    audit.personal(
        "consent.recorded",
        actor,
        consent,
        request,
        recipient=consent.recipient_label,
        kinds=consent.kinds,
        method=consent.method,
    )
    return consent


@transaction.atomic
def withdraw_consent(
    actor: Any,
    consent: Consent,
    *,
    note: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Rule P4: a withdrawal takes effect at once. Every grant resting on the consent ends now,
    and every copy already received is flagged at the agency that holds it."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    require(actor, Action.CHANGE, Kind.CONSENT, current)
    if current.withdrawn_at is not None:
        raise ValidationError({"consent": _("This consent has already been withdrawn.")})
    now = timezone.now()
    current.withdrawn_at = now
    current.withdrawn_recorded_by = actor
    current.withdrawal_note = (note or "").strip()
    current.save()
    ended = list(current.grants.filter(ended_at__isnull=True))
    current.grants.filter(ended_at__isnull=True).update(
        ended_at=now, ended_by=actor, end_reason="consent_withdrawn"
    )
    audit.personal(
        "consent.withdrawn",
        actor,
        current,
        request,
        grants=[g.pk for g in ended],
        recipient=current.recipient_label,
    )
    for g in ended:
        audit.personal("grant.ended", actor, g, request, why="consent_withdrawn")
    _flag_received_copies(actor, current, request)
    return current


def _flag_received_copies(actor: Any, consent: Consent, request: HttpRequest | None) -> None:
    from tsunagi.people.choices import FlagKind
    from tsunagi.people.models import Flag

    reason = _(
        "The person withdrew the consent under which this information was received, on "
        "%(day)s. Use what was received only as the person now agrees (rule P4)."
    ) % {"day": timezone.localdate(consent.withdrawn_at).isoformat()}
    for referral in consent.referrals.filter(received_case__isnull=False).select_related(
        "received_case"
    ):
        case = referral.received_case
        assert case is not None
        flag = Flag.objects.create(
            agency_id=case.agency_id,
            case=case,
            kind=FlagKind.CONSENT_WITHDRAWN,
            rule="P4",
            reason=reason,
            source=f"consent:{consent.pk}",
        )
        audit.record(
            "flag.raised",
            actor=actor,
            request=request,
            agency_id=case.agency_id,
            obj=flag,
            personal=True,
            grant=f"consent:{consent.pk}",
            actor_agency_id=consent.agency_id,
            detail={"kind": flag.kind, "case": case.pk},
        )


@transaction.atomic
def record_explanation(
    actor: Any,
    person: Person,
    data: Mapping[str, Any],
    *,
    case: Case | None = None,
    request: HttpRequest | None = None,
) -> Explanation:
    """Rule P2: the explanation at intake, and whether the person understood and agreed."""
    require(actor, Action.VIEW, Kind.PERSON, person)
    explanation = Explanation(
        agency_id=person.agency_id,
        person=person,
        case=_case_of(person, case),
        explained_by=actor,
        explained_on=data.get("explained_on") or timezone.localdate(),
        understood=bool(data.get("understood", True)),
        agreed_handling=(data.get("agreed_handling") or "").strip(),
    )
    require(actor, Action.CREATE, Kind.EXPLANATION, explanation)
    errors = {}
    if isinstance(explanation.explained_on, date) and explanation.explained_on > (
        timezone.localdate()
    ):
        errors["explained_on"] = [_("The date cannot be in the future.")]
    if not explanation.understood and not explanation.agreed_handling:
        errors["agreed_handling"] = [
            _("Write how the information is to be handled, as agreed with the person.")
        ]
    if errors:
        raise ValidationError(errors)
    explanation.save()
    audit.personal(
        "explanation.recorded", actor, explanation, request, understood=explanation.understood
    )
    return explanation
