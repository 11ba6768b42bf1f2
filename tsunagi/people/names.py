"""Search keys for names: a person is found however their name was typed.

- `name_key`: the written name with width unified (NFKC), spaces removed and old or variant
  kanji folded to their common form (髙→高, 﨑→崎, 邊→辺), so 髙橋 一郎 and 高橋一郎 share a key.
- `kana_key`: the reading in full-width katakana without spaces (やまだ, ヤマダ, ﾔﾏﾀﾞ → ヤマダ).
- `similarity`: how alike two names are (0–100), on their keys (rapidfuzz).

The variant table holds the forms that registry offices meet most in family and given names
(異体字). NFKC already folds the compatibility ideographs (﨑 U+FA11 is not among them, so it
is listed).
"""

from __future__ import annotations

from rapidfuzz import fuzz

from tsunagi.web.text import normalize_kana, to_halfwidth

# old / variant form → common form
_VARIANTS = {
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "碕": "崎",
    "邊": "辺",
    "邉": "辺",
    "齋": "斎",
    "齊": "斉",
    "濵": "浜",
    "濱": "浜",
    "澤": "沢",
    "櫻": "桜",
    "廣": "広",
    "國": "国",
    "眞": "真",
    "冨": "富",
    "嶋": "島",
    "嶌": "島",
    "德": "徳",
    "惠": "恵",
    "榮": "栄",
    "龍": "竜",
    "瀨": "瀬",
    "槇": "槙",
    "曾": "曽",
    "淺": "浅",
    "藏": "蔵",
    "實": "実",
    "壽": "寿",
    "驒": "騨",
    "傳": "伝",
    "佛": "仏",
    "萬": "万",
    "與": "与",
    "禮": "礼",
    "黑": "黒",
    "條": "条",
    "學": "学",
    "增": "増",
    "縣": "県",
    "圓": "円",
    "兒": "児",
    "戶": "戸",
    "晝": "昼",
    "穗": "穂",
    "靜": "静",
}
_FOLD = str.maketrans(_VARIANTS)


def name_key(*parts: str) -> str:
    """The written name, width-unified, without spaces, variant kanji folded."""
    text = "".join(to_halfwidth(part or "") for part in parts)
    # Normalised once more at the end: removing a space or lowering a letter can leave a
    # combining mark to compose (ｶ ﾞ → ガ), and a key must be its own key.
    return to_halfwidth("".join(text.split()).translate(_FOLD).lower())


def kana_key(*parts: str) -> str:
    return normalize_kana("".join(parts))


def similarity(a: str, b: str) -> float:
    """0–100: how alike two name keys are (a single-kanji variant scores high)."""
    if not a or not b:
        return 0.0
    return float(fuzz.ratio(a, b))
