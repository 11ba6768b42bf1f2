"""Schemas of the sharing API: consents (同意), the P2 explanation, grants, the access log and the
disclosure report (開示報告).

Grants and consents are answered as plain dictionaries built by the functions here, so what a
user outside the owning agency sees of the person is decided in one place (`grant_out`), and a
record seen through a grant is only ever the dictionary of `tsunagi.access.shared`.
"""

import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema

from tsunagi.access.kinds import InfoKind, kinds_label
from tsunagi.access.labels import action_label as label_of_action
from tsunagi.access.labels import ground_label
from tsunagi.access.models import EMERGENCY_GROUNDS, AuditEvent, Grant
from tsunagi.access.policy import (
    Action,
    Kind,
    can,
    may_acknowledge,
)
from tsunagi.access.shared import shown_name
from tsunagi.consent.models import Consent, Explanation
from tsunagi.web.wareki import format_wareki

from .people_schemas import DATE_HELP, JapaneseDate

# --- labels ---------------------------------------------------------------------------------

STATUS_LABELS: dict[str, Promise] = {
    "active": gettext_lazy("In force"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "expired": gettext_lazy("Expired"),
    "ended": gettext_lazy("Ended"),
    "future": gettext_lazy("Not yet in force"),
}


def _name(user: Any) -> str | None:
    if user is None:
        return None
    return str(user.full_name or user.get_username())


def _wareki(day: datetime.date | None) -> str:
    return format_wareki(day) if day is not None else ""


# --- consents -------------------------------------------------------------------------------

KINDS_HELP = (
    "Kinds of information: "
    + ", ".join(f"`{k.value}`" for k in InfoKind)
    + " (`special_care` = 要配慮個人情報: health, disability, DV, criminal record)."
)


class ConsentIn(Schema):
    """A consent as a multipart form; a signed paper consent also sends the file `scan`."""

    person: int
    case: int | None = None
    given_by: str = Field(
        "subject", description="`subject`, `legal_representative` or `parent_of_minor`."
    )
    representative_name: str = ""
    representative_relationship: str = ""
    recipient_agency: int | None = Field(None, description="The receiving agency's id.")
    recipient_kind: str = Field("", description="Or a kind of agency (agency `kind` values).")
    recipient_meeting: int | None = Field(
        None,
        description="Or a support coordination meeting your agency takes part in: the person "
        "agrees that its member agencies share the information (rule P1).",
    )
    purpose: str = Field("", max_length=300)
    kinds: list[str] = Field(default_factory=list, description=KINDS_HELP)
    given_on: JapaneseDate | None = Field(None, description=DATE_HELP + " Default: today.")
    valid_until: JapaneseDate | None = Field(None, description=DATE_HELP)
    method: str = Field("", description="`signed_paper` (send `scan`) or `verbal` (`witness`).")
    witness: int | None = Field(None, description="A member of staff of the agency (verbal).")
    notes: str = ""


class WithdrawIn(Schema):
    note: str = Field(
        "", max_length=2000, description="How and when the person expressed the withdrawal."
    )


class ConsentOut(Schema):
    id: int
    agency_id: int
    agency_name: str
    person_id: int
    case_id: int | None
    given_by: str
    given_by_label: str
    representative_name: str
    representative_relationship: str
    recipient_agency_id: int | None
    recipient_kind: str
    recipient_meeting_id: int | None = Field(
        None, description="The support coordination meeting the consent names, if any."
    )
    recipient_label: str
    purpose: str
    kinds: list[str]
    kinds_label: str
    given_on: datetime.date
    given_on_wareki: str
    valid_until: datetime.date
    valid_until_wareki: str
    method: str
    method_label: str
    has_scan: bool
    witness_name: str | None
    notes: str
    recorded_by_name: str | None
    status: str
    status_label: str
    withdrawn_at: datetime.datetime | None
    withdrawn_on_wareki: str
    withdrawal_note: str


def consent_out(viewer: Any, consent: Consent) -> dict[str, Any]:
    """A consent as the viewer may read it. The receiving agency reads the consent its grant
    rests on (to see a withdrawal and its date, rule P4), without the owner's notes."""
    own = can(viewer, Action.VIEW, Kind.PERSON, consent.person)
    withdrawn = consent.withdrawn_at
    return {
        "id": consent.pk,
        "agency_id": consent.agency_id,
        "agency_name": consent.agency.name,
        "person_id": consent.person_id,
        "case_id": consent.case_id,
        "given_by": consent.given_by,
        "given_by_label": consent.get_given_by_display(),
        "representative_name": consent.representative_name,
        "representative_relationship": consent.representative_relationship,
        "recipient_agency_id": consent.recipient_agency_id,
        "recipient_kind": consent.recipient_kind,
        "recipient_meeting_id": consent.recipient_meeting_id,
        "recipient_label": consent.recipient_label,
        "purpose": consent.purpose,
        "kinds": list(consent.kinds),
        "kinds_label": consent.kinds_label,
        "given_on": consent.given_on,
        "given_on_wareki": _wareki(consent.given_on),
        "valid_until": consent.valid_until,
        "valid_until_wareki": _wareki(consent.valid_until),
        "method": consent.method,
        "method_label": consent.get_method_display(),
        "has_scan": bool(consent.scan),
        "witness_name": _name(consent.witness) if own else None,
        "notes": consent.notes if own else "",
        "recorded_by_name": _name(consent.recorded_by) if own else None,
        "status": consent.status,
        "status_label": str(STATUS_LABELS.get(consent.status, consent.status)),
        "withdrawn_at": withdrawn,
        "withdrawn_on_wareki": _wareki(withdrawn.date()) if withdrawn else "",
        "withdrawal_note": consent.withdrawal_note if own else "",
    }


class ExplanationIn(Schema):
    """Rule P2: the explanation given when the agency first took the person's information."""

    person: int
    case: int | None = None
    explained_on: JapaneseDate | None = Field(None, description=DATE_HELP + " Default: today.")
    understood: bool = True
    agreed_handling: str = Field(
        "", max_length=2000, description="Required when the person did not agree."
    )


class ExplanationOut(Schema):
    id: int
    agency_id: int
    person_id: int
    case_id: int | None
    explained_on: datetime.date
    explained_on_wareki: str
    explained_by_name: str | None
    understood: bool
    agreed_handling: str

    @staticmethod
    def resolve_explained_on_wareki(obj: Explanation) -> str:
        return _wareki(obj.explained_on)

    @staticmethod
    def resolve_explained_by_name(obj: Explanation) -> str | None:
        return _name(obj.explained_by)


# --- grants ---------------------------------------------------------------------------------


class EmergencyIn(Schema):
    """Rule P5: sharing without consent, on a ground in law, for hours."""

    person: int
    receiving_agency: int
    legal_ground: str = Field(
        "",
        description="One of: " + ", ".join(f"`{g.value}`" for g in EMERGENCY_GROUNDS) + ".",
    )
    reason: str = Field(
        "", max_length=2000, description="Why it must be shared now, without consent."
    )
    hours: int = Field(4, description="How long access lasts: 1 to 24 hours.")
    kinds: list[str] = Field(default_factory=list, description=KINDS_HELP + " Default: all.")
    case: int | None = None


class ShareIn(Schema):
    """Rule P1: share under a consent (co-support), with an agency it names, the kinds it names."""

    consent: int
    receiving_agency: int | None = Field(None, description="Default: the agency the consent names.")
    kinds: list[str] = Field(
        default_factory=list, description=KINDS_HELP + " Default: the consent's."
    )
    case: int | None = None
    purpose: str = Field("", max_length=200, description="Default: the consent's purpose.")


class EndIn(Schema):
    reason: str = Field("", max_length=200, description="Why the sharing ends (required).")


class GrantOut(Schema):
    id: int
    code: str
    kind: str
    kind_label: str
    agency_id: int
    agency_name: str
    person_id: int
    person_name: str | None = Field(
        None, description="Only for the owning agency, or when the grant shares identity."
    )
    case_id: int | None
    receiving_agency_id: int | None
    receiving_agency_name: str | None
    receiving_user_name: str | None
    kinds: list[str]
    kinds_label: str
    consent_id: int | None
    consent_withdrawn_at: datetime.datetime | None
    meeting_id: int | None
    legal_ground: str
    legal_ground_label: str
    purpose: str
    reason: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    ended_at: datetime.datetime | None
    end_reason: str
    status: str
    status_label: str
    made_by_name: str | None
    acknowledged_at: datetime.datetime | None
    acknowledged_by_name: str | None
    awaiting_acknowledgement: bool = Field(
        ..., description="Rule P5: sharing without consent the viewer's manager has not seen."
    )


def grant_out(viewer: Any, grant: Grant) -> dict[str, Any]:
    owner_side = can(viewer, Action.VIEW, Kind.PERSON, grant.person)
    end_reason = grant.end_reason
    if end_reason == "consent_withdrawn":
        end_reason = _("The person withdrew the consent.")
    status = grant.status
    return {
        "id": grant.pk,
        "code": grant.code,
        "kind": grant.kind,
        "kind_label": grant.get_kind_display(),
        "agency_id": grant.agency_id,
        "agency_name": grant.agency.name,
        "person_id": grant.person_id,
        "person_name": shown_name(viewer, grant.person, log=False),
        "case_id": grant.case_id,
        "receiving_agency_id": grant.receiving_agency_id,
        "receiving_agency_name": grant.receiving_agency.name if grant.receiving_agency else None,
        "receiving_user_name": _name(grant.receiving_user),
        "kinds": list(grant.kinds),
        "kinds_label": kinds_label(grant.kinds),
        "consent_id": grant.consent_id,
        "consent_withdrawn_at": grant.consent.withdrawn_at if grant.consent else None,
        "meeting_id": grant.meeting_id,
        "legal_ground": grant.legal_ground,
        "legal_ground_label": grant.get_legal_ground_display() if grant.legal_ground else "",
        "purpose": grant.purpose,
        "reason": grant.reason,
        "starts_at": grant.starts_at,
        "ends_at": grant.ends_at,
        "ended_at": grant.ended_at,
        "end_reason": end_reason,
        "status": status,
        "status_label": str(STATUS_LABELS.get(status, status)),
        "made_by_name": _name(grant.made_by) if owner_side else None,
        "acknowledged_at": grant.acknowledged_at,
        "acknowledged_by_name": _name(grant.acknowledged_by),
        "awaiting_acknowledgement": (grant.awaits_manager and may_acknowledge(viewer, grant)),
    }


class SharedRecordOut(Schema):
    """Only the fields of the kinds the grant permits; nothing else is sent (access.md)."""

    grant_id: int
    ground: str
    ground_label: str
    kinds: list[str]
    kinds_label: str
    person: dict[str, Any]
    cases: list[dict[str, Any]]
    household: list[dict[str, Any]]
    assessments: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    flags: list[dict[str, Any]]


# --- the access log and the disclosure report -----------------------------------------------


class AuditEventOut(Schema):
    id: int
    at: datetime.datetime
    user: str
    user_agency_id: int | None
    user_agency_name: str | None
    agency_id: int | None
    agency_name: str | None
    action: str
    action_label: str
    record_kind: str
    record_id: str
    person_id: int | None
    ground: str
    ground_label: str
    reason: str
    detail: dict[str, Any]
    ip_address: str | None


def event_out(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": event.at,
        "user": event.actor_username,
        "user_agency_id": event.actor_agency_id,
        "user_agency_name": event.actor_agency.name if event.actor_agency else None,
        "agency_id": event.agency_id,
        "agency_name": event.agency.name if event.agency else None,
        "action": event.action,
        "action_label": label_of_action(event.action),
        "record_kind": event.record_kind,
        "record_id": event.record_id,
        "person_id": event.subject_id,
        "ground": event.grant,
        "ground_label": ground_label(event.grant),
        "reason": event.reason,
        "detail": event.detail or {},
        "ip_address": event.ip_address,
    }


class AuditPageOut(Schema):
    items: list[AuditEventOut]
    count: int


class DisclosureEntryOut(Schema):
    at: datetime.datetime
    user: str
    user_agency_name: str | None
    owning_agency_name: str | None
    action: str
    action_label: str
    record_kind: str
    ground: str
    ground_label: str
    reason: str


class DisclosureOut(Schema):
    """Rule P3: who saw or changed the person's record, when and on what ground."""

    person_id: int
    agencies: list[str] = Field(..., description="Every agency that saw or changed the record.")
    entries: list[DisclosureEntryOut]


def disclosure_entry(event: AuditEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "user": event.actor_username,
        "user_agency_name": event.actor_agency.name if event.actor_agency else None,
        "owning_agency_name": event.agency.name if event.agency else None,
        "action": event.action,
        "action_label": label_of_action(event.action),
        "record_kind": event.record_kind,
        "ground": event.grant,
        "ground_label": ground_label(event.grant),
        "reason": event.reason,
    }
