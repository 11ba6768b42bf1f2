"""Full-width and half-width input is accepted everywhere; kana readings are found in any form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagi.web.text import digits_only, is_kana, normalize_kana, normalize_phone, normalize_text


@pytest.mark.parametrize("reading", ["やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "や ま だ", "ヤマダ　"])
def test_kana_readings_normalise_to_one_form(reading: str) -> None:
    assert normalize_kana(reading) == "ヤマダ"


def test_text_width() -> None:
    assert normalize_text("  ＡＢＣ　１２３  ") == "ABC 123"
    assert normalize_text("ｺｳﾁｹﾝ") == "コウチケン"
    assert normalize_text("高知県") == "高知県"


def test_phone_and_digits() -> None:
    assert normalize_phone("０８８－８２３－９７１１") == "088-823-9711"
    assert normalize_phone("088ー823ー9711") == "088-823-9711"
    assert digits_only("〒７８０－０８５０") == "7800850"


def test_is_kana() -> None:
    assert is_kana("やまだ") and is_kana("ﾔﾏﾀﾞ")
    assert not is_kana("山田") and not is_kana("")


@given(st.text())
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    kana = normalize_kana(text)
    assert normalize_kana(kana) == kana
