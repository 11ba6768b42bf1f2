"""Statistics of referrals, introductions and dismissed suggestions (being written)."""

from ninja import Router

router = Router(tags=["statistics"])
