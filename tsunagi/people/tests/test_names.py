"""Search keys of names: a person is found however their name was typed (names.py).

Property tests over any text: a key is its own key (idempotent), the width of the input does not
matter, and for readings hiragana, katakana and half-width katakana give the same key.
"""

from __future__ import annotations

import jaconv
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagi.people.names import kana_key, name_key, similarity

# Hiragana that have a katakana twin one block up (ぁ U+3041 … ゖ U+3096), the long-vowel mark,
# and the katakana-only letters.
HIRAGANA = st.text(st.characters(min_codepoint=0x3041, max_codepoint=0x3096), min_size=1)
KATAKANA = st.text(
    st.sampled_from(
        [chr(c) for c in range(0x30A1, 0x30F7)] + ["ー", "ヴ", "ヵ", "ヶ"],
    ),
    min_size=1,
)
ASCII_NAME = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)
KANJI = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=8)
SPACES = st.sampled_from([" ", "\u3000", "  ", "\t", " \u3000 "])


def hira_to_kata(text: str) -> str:
    """By the code chart, independently of jaconv: each hiragana's katakana is 0x60 above."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def full_width(text: str) -> str:
    return jaconv.h2z(text, kana=True, ascii=True, digit=True)


# --- properties ------------------------------------------------------------------------------


@given(st.text())
def test_name_key_is_its_own_key(text: str) -> None:
    assert name_key(name_key(text)) == name_key(text)


@given(st.text())
def test_kana_key_is_its_own_key(text: str) -> None:
    assert kana_key(kana_key(text)) == kana_key(text)


@given(st.text())
def test_keys_hold_no_space(text: str) -> None:
    assert not any(ch.isspace() for ch in name_key(text) + kana_key(text))


@given(ASCII_NAME)
def test_name_key_ignores_the_width_of_latin_letters_and_digits(text: str) -> None:
    assert name_key(full_width(text)) == name_key(text)


@given(KATAKANA)
def test_kana_key_ignores_width(kata: str) -> None:
    half = jaconv.z2h(kata, kana=True)
    assert kana_key(half) == kana_key(kata)
    assert name_key(half) == name_key(kata)


@given(HIRAGANA)
def test_kana_key_is_the_same_for_hiragana_and_katakana(hira: str) -> None:
    kata = hira_to_kata(hira)
    assert kana_key(hira) == kana_key(kata) == kana_key(jaconv.z2h(kata, kana=True))


@given(KANJI, KANJI, SPACES)
def test_name_key_ignores_spaces_between_family_and_given_name(
    family: str, given_: str, space: str
) -> None:
    expected = name_key(family, given_)
    assert name_key(f"{family}{space}{given_}") == expected
    assert name_key(f"{space}{family} {given_}{space}") == expected


@given(st.text(), st.text())
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    ka, kb = name_key(a), name_key(b)
    assert similarity(ka, kb) == similarity(kb, ka)
    assert 0 <= similarity(ka, kb) <= 100


# --- examples from the registry offices ---------------------------------------------------------


@pytest.mark.parametrize(
    ("variant", "common"),
    [
        ("髙橋 一郎", "高橋 一郎"),
        ("山﨑 花子", "山崎 花子"),
        ("渡邊 健", "渡辺 健"),
        ("渡邉 健", "渡辺 健"),
        ("齋藤 実", "斎藤 実"),
        ("濵田 恵", "浜田 恵"),
        ("ＫＡＴＯ　ｊｕｎ", "kato jun"),
        ("山田　太郎", "山田 太郎"),
        ("山田太郎", "山田 太郎"),
    ],
)
def test_variant_and_width_forms_share_a_key(variant: str, common: str) -> None:
    assert name_key(variant) == name_key(common)


@pytest.mark.parametrize("reading", ["やまだ たろう", "ヤマダ タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"])
def test_readings_in_any_script_share_a_key(reading: str) -> None:
    assert kana_key(reading) == "ヤマダタロウ"


def test_a_different_kanji_is_a_different_key() -> None:
    assert name_key("斉藤") != name_key("斎藤")  # two surnames, not variants of one
    assert similarity(name_key("髙橋一郎"), name_key("高橋一郎")) == 100
    assert similarity(name_key("高橋一郎"), name_key("高橋二郎")) < 85


def test_empty_parts_give_empty_keys() -> None:
    assert name_key("", "") == "" and kana_key("", "") == ""
    assert similarity("", "ヤマダ") == 0
