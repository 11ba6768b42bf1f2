"""Width and kana normalisation: full-width and half-width input is accepted everywhere.

- `to_halfwidth`: full-width digits, Latin letters and symbols become ASCII (０１２→012).
- `normalize_text`: what every text field stores — ASCII half-width, kana full-width
  (ﾔﾏﾀﾞ→ヤマダ), ideographic spaces to spaces, surrounding space trimmed.
- `normalize_kana`: the searchable form of a reading — katakana, full-width, no spaces.
- `digits_only`: phone numbers and postal codes compared by their digits.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

_SPACES = re.compile(r"[\s\u3000]+")


def to_halfwidth(text: str) -> str:
    """ASCII letters, digits and symbols half-width, kana full-width (Unicode NFKC)."""
    return unicodedata.normalize("NFKC", text or "")


def normalize_text(text: str) -> str:
    if not text:
        return ""
    return to_halfwidth(_SPACES.sub(" ", to_halfwidth(text)).strip())


def normalize_kana(text: str) -> str:
    """ひらがな, カタカナ or ﾊﾝｶｸ → full-width katakana without spaces (for storage and search)."""
    if not text:
        return ""
    text = _SPACES.sub("", jaconv.hira2kata(to_halfwidth(text)))
    return to_halfwidth(text)  # removing a space can leave a combining mark to compose


def is_kana(text: str) -> bool:
    """True if the text, once normalised, is only katakana (and the long-vowel mark)."""
    value = normalize_kana(text)
    return bool(value) and all("゠" <= ch <= "ヿ" for ch in value)


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", to_halfwidth(text or ""))


def normalize_phone(text: str) -> str:
    """Keep the digits and hyphens of a phone number, half-width (０３−１２３４ → 03-1234)."""
    value = to_halfwidth(text or "")
    value = re.sub(r"[‐‑‒–—―−ー]", "-", value)
    return re.sub(r"[^\d\-+]", "", value)
