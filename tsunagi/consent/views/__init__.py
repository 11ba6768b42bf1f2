"""Screens of consents, the P2 explanation, grants and the shared record."""

from .consents import (
    consent_detail,
    consent_list,
    consent_record,
    consent_scan,
    consent_withdraw,
    explain,
)
from .grants import emergency, grant_acknowledge, grant_detail, grant_end, grant_list, share
from .shared import shared

__all__ = [
    "consent_detail",
    "consent_list",
    "consent_record",
    "consent_scan",
    "consent_withdraw",
    "emergency",
    "explain",
    "grant_acknowledge",
    "grant_detail",
    "grant_end",
    "grant_list",
    "share",
    "shared",
]
