"""Suggestions of the referral rules and introductions (being written)."""

from ninja import Router

router = Router(tags=["referrals"])
