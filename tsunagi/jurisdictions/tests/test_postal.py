from __future__ import annotations

import pytest

from tsunagi.jurisdictions.postal import (
    PostalCodeError,
    PostalCodeNotFound,
    lookup,
    normalize_postal_code,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text", ["780-0850", "7800850", "７８０－０８５０", "〒780 0850", "７８０ー０８５０"]
)
def test_postal_code_forms_are_accepted(text: str) -> None:
    address = lookup(text)
    assert address.postal_code == "780-0850"
    assert (address.prefecture, address.city, address.town) == ("高知県", "高知市", "丸ノ内")
    assert address.municipality is not None and address.municipality.code == "39201"


def test_ward_resolves_to_designated_city() -> None:
    address = lookup("060-0042")
    assert address.municipality is not None and address.municipality.name == "札幌市"
    assert address.ward is not None and address.ward.name == "中央区"


@pytest.mark.parametrize("text", ["", "123", "780-08500", "abc-defg"])
def test_malformed_postal_code_has_japanese_message(text: str) -> None:
    with pytest.raises(PostalCodeError, match="7桁"):
        normalize_postal_code(text)


def test_unknown_postal_code() -> None:
    with pytest.raises(PostalCodeNotFound, match="見つかりません"):
        lookup("0000000")
