"""Factories for consent and sharing tests: the receiving agency's staff, a consent, a referral
of the son of walkthrough A to the self-reliance agency."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tsunagi.accounts.models import Role, User
from tsunagi.agencies.models import Agency
from tsunagi.consent import services as consent_services
from tsunagi.consent.models import Consent
from tsunagi.people.models import Case, Person
from tsunagi.referrals import services as referral_services
from tsunagi.referrals.models import Referral

from .cast import Cast, _user

SITUATION_ONLY = ["identity", "situation"]


def receiver(cast: Cast, username: str = "sr_staff", role: Role = Role.STAFF) -> User:
    """A member of the self-reliance agency (the receiving side of walkthrough A)."""
    return _user(username, cast.self_reliance, role)


def scan(name: str = "consent.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 signed consent", content_type="application/pdf")


def make_consent(
    actor: Any,
    person: Person,
    recipient: Agency,
    kinds: list[str] | None = None,
    *,
    case: Case | None = None,
    days: int = 365,
    **data: Any,
) -> Consent:
    today = timezone.localdate()
    values = {
        "given_by": "subject",
        "recipient_agency": recipient,
        "purpose": "生活困窮の相談支援のため",
        "kinds": kinds or SITUATION_ONLY,
        "given_on": today,
        "valid_until": today + datetime.timedelta(days=days),
        "method": "signed_paper",
        **data,
    }
    paper = scan() if values["method"] == "signed_paper" else None
    return consent_services.record_consent(actor, person, values, case=case, scan=paper)


def make_referral(actor: Any, case: Case, to: Agency, consent: Consent | None = None) -> Referral:
    return referral_services.draft_referral(
        actor,
        case,
        to_agency=to,
        purpose="家計と就労の相談をお願いします",
        rule="R2",
        consent=consent,
        wishes="お金のことを相談したい。働くのはまだ不安。",
    )
