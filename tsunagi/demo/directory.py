"""The demo directory of 高知県 (issue 8; walkthrough H): a consultation window for every one of
the 34 municipalities with its lead department (M1, M4), a dozen places to take part and work
(R6), family associations and peer groups, and the linked agencies of the demo (R7). Some entries
were last verified more than a year ago, to show the flag.

Deterministic by seed, idempotent (entries are found again by their `source` key), and removed
by `reset_directory`.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections import Counter
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from tsunagi.agencies.models import Agency
from tsunagi.directory.models import DirectoryEntry, EntryHours, EntryKind
from tsunagi.directory.services import ONE_LINE
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.web.text import normalize_kana, normalize_text

from .cast import ADULT_CENTER, KOCHI, KOCHI_CITY, KOCHI_CITY_STATION
from .kochi import INO, NEAR_KOCHI, PHONE_AREA, PROGRAMME, REGIONS
from .specs import DEMO_SOURCE_PREFIX, phone, postal_places, random_address

PREFIX = f"{DEMO_SOURCE_PREFIX}dir."
NAMESPACE = uuid.UUID("6f1c7d2a-5b8e-4a57-9d33-0e3c2b7a9f10")
DEPARTMENTS = ("健康福祉課", "保健福祉課", "福祉保健課", "住民福祉課", "健康介護課", "町民課")
WEEKDAYS = range(5)
K = EntryKind


class PlaceSpec(NamedTuple):
    key: str
    kind: str
    name: str
    kana: str
    town: str
    area: tuple[str, ...]
    description: str
    silent: bool = False
    along: bool = False
    times: tuple[bool, bool, bool] = (True, True, False)  # mornings, afternoons, evenings
    days: tuple[int, ...] = (1, 3)
    opens: str = "10:00"
    closes: str = "15:00"
    min_age: int | None = None
    max_age: int | None = None
    cost: str = ""


# fmt: off
PLACES: tuple[PlaceSpec, ...] = (
    PlaceSpec("ibasho.kochi", K.IBASHO, "居場所 ほっとスペースはりまや", "ホットスペースハリマヤ",
              KOCHI_CITY, NEAR_KOCHI,
              "話さなくても大丈夫な居場所です。本を読んだり、お茶を飲んだりして過ごせます。",
              silent=True, along=True, times=(True, False, False), days=(1, 3, 5),
              opens="09:30", closes="12:00"),
    PlaceSpec("ibasho.ino", K.IBASHO, "いの町 こもれび広場",
              "イノチョウコモレビヒロバ", INO, (INO,),
              "いの町社会福祉協議会の居場所。初めての方には職員が同行します。",
              silent=True, along=True, days=(2, 4)),
    PlaceSpec("ibasho.shimanto", K.IBASHO, "しまんと居場所カフェ", "シマントイバショカフェ",
              "39210", ("39208", "39209", "39210"), "月2回のカフェ型の居場所です。",
              times=(False, True, False), days=(5,), opens="13:00", closes="16:00"),
    PlaceSpec("ibasho.online", K.IBASHO, "オンライン居場所 つながるルーム",
              "オンラインイバショツナガルルーム",
              KOCHI_CITY, (), "自宅からビデオ通話で参加できます。顔を出さなくても構いません。",
              silent=True, times=(False, False, True), days=(2,), opens="19:00", closes="21:00"),
    PlaceSpec("work.kochi", K.WORK_EXPERIENCE, "就労体験 とさの森工房", "トサノモリコウボウ",
              KOCHI_CITY, NEAR_KOCHI, "木工品づくりの就労体験。1日2時間から。",
              along=True, times=(True, True, False), days=(0, 2, 4), opens="09:00",
              closes="15:00", min_age=15, max_age=64),
    PlaceSpec("work.nankoku", K.WORK_EXPERIENCE, "南国市 ものづくり体験センター",
              "ナンコクシモノヅクリタイケンセンター", "39204", ("39204",),
              "製品の袋詰めなど軽作業の体験。", days=(1, 2, 3), min_age=18),
    PlaceSpec("volunteer.kochi", K.VOLUNTEERING, "こうちボランティアセンター 活動体験",
              "コウチボランティアセンターカツドウタイケン", KOCHI_CITY, (),
              "清掃や図書の整理など、短い時間からのボランティア。", days=(5,),
              opens="09:00", closes="12:00", times=(True, False, False)),
    PlaceSpec("readiness.kochi", K.WORK_READINESS, "高知市就労準備支援事業 ステップ",
              "コウチシシュウロウジュンビシエンジギョウステップ", KOCHI_CITY, (KOCHI_CITY,),
              "生活リズムづくりから始める就労準備支援。", along=True, days=(0, 1, 2, 3, 4),
              opens="09:30", closes="15:30", min_age=15),
    PlaceSpec("readiness.pref", K.WORK_READINESS, "高知県就労準備支援事業（郡部）",
              "コウチケンシュウロウジュンビシエンジギョウグンブ", "39212", (),
              "町村にお住まいの方の就労準備支援。訪問から始められます。", along=True,
              days=(1, 3), min_age=15),
    PlaceSpec("certified.kochi", K.CERTIFIED_TRAINING, "認定就労訓練事業所 くろしお作業所",
              "ニンテイシュウロウクンレンジギョウショクロシオサギョウショ", KOCHI_CITY, NEAR_KOCHI,
              "認定就労訓練（中間的就労）。雇用型・非雇用型があります。", days=(0, 1, 2, 3, 4),
              opens="09:00", closes="16:00", min_age=18, max_age=64),
    PlaceSpec("agri.konan", K.AGRICULTURE_WELFARE, "香南 農福連携ファーム",
              "コウナンノウフクレンケイファーム",
              "39211", ("39211", "39212", "39204"), "ニラやナスの収穫・袋詰めを体験できます。",
              along=True, times=(True, False, False), days=(1, 2, 4), opens="08:30",
              closes="11:30", min_age=18),
    PlaceSpec("agri.shimanto", K.AGRICULTURE_WELFARE, "四万十 しょうが畑の農作業体験",
              "シマントショウガバタケノノウサギョウタイケン", "39210", ("39210", "39428"),
              "農福連携の作業体験。送迎あり。", times=(True, True, False), days=(0, 3)),
    # groups
    PlaceSpec("family.kochi", K.FAMILY_ASSOCIATION, "高知県ひきこもり家族会 つくしの会",
              "コウチケンヒキコモリカゾクカイツクシノカイ", KOCHI_CITY, (),
              "ひきこもりの家族が集まり、語り合う会。毎月第2土曜日。", times=(False, True, False),
              days=(5,), opens="13:00", closes="16:00"),
    PlaceSpec("family.hata", K.FAMILY_ASSOCIATION, "幡多 ひきこもり家族の会",
              "ハタヒキコモリカゾクノカイ",
              "39208", ("39208", "39209", "39210", "39424", "39427", "39428"),
              "幡多地域の家族会です。", times=(False, True, False), days=(6,),
              opens="13:30", closes="15:30"),
    PlaceSpec("peer.kochi", K.PEER_GROUP, "ピアグループ こうちひきこもりピアの会",
              "コウチヒキコモリピアノカイ", KOCHI_CITY, (),
              "ひきこもりを経験した人たちの集まり。聞いているだけの参加もできます。",
              silent=True, times=(False, True, False), days=(3,), opens="14:00", closes="16:00"),
    PlaceSpec("peer.online", K.PEER_GROUP, "オンライン当事者会 よるのまど",
              "オンライントウジシャカイヨルノマド",
              KOCHI_CITY, (), "チャットだけでも参加できるオンラインの当事者会です。",
              silent=True, times=(False, False, True), days=(4,), opens="20:00", closes="22:00"),
)
# fmt: on
LINKED_KEYS = (
    "hello-work",
    "mental-health",
    "houkatsu",
    "saposute",
    "debt",
    "houterasu",
    "welfare-office",
    "suicide",
)
STALE_KEYS = {"window.39301", "window.39305", "window.39364", "family.hata", "agri.shimanto"}


def _clock(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def _verified(rng: random.Random, key: str, today: datetime.date) -> datetime.date:
    if key in STALE_KEYS:
        return today - datetime.timedelta(days=400 + rng.randint(0, 300))
    return today - datetime.timedelta(days=rng.randint(5, 300))


def _department(code: str, rng: random.Random) -> str:
    if code == KOCHI_CITY:
        return "健康福祉部 地域共生社会推進課"
    if code == INO:
        return "ほけん福祉課"
    return rng.choice(DEPARTMENTS)


@transaction.atomic
def build_directory(seed: int) -> Counter[str]:
    """Create the demo entries that do not exist yet (an entry removed by hand comes back)."""
    created: Counter[str] = Counter()
    prefecture = Prefecture.objects.filter(code=KOCHI).first()
    if prefecture is None:
        return created
    towns = {m.code: m for m in Municipality.objects.filter(prefecture=prefecture)}
    existing = set(
        DirectoryEntry.objects.filter(source__startswith=PREFIX).values_list("source", flat=True)
    )
    agencies = {
        a.source.removeprefix(DEMO_SOURCE_PREFIX): a
        for a in Agency.objects.filter(source__startswith=DEMO_SOURCE_PREFIX, prefecture=prefecture)
    }
    places = postal_places([prefecture.name])
    today = timezone.localdate()
    region_agency = {
        code: f"39.sr.pref.{slug}" for slug, _n, _k, _at, codes in REGIONS for code in codes
    }
    entries: list[tuple[DirectoryEntry, list[str], list[tuple[int, str, str]]]] = []

    def add(
        key: str,
        entry: DirectoryEntry,
        area: list[str],
        hours: list[tuple[int, str, str]],
        rng: random.Random,
    ) -> None:
        source = f"{PREFIX}{key}"
        if source in existing:
            return
        entry.source = source
        # stored as the services store typed text (width-normalised), so an HSDS round trip
        # gives the same entries back
        for name in ONE_LINE:
            setattr(entry, name, normalize_text(getattr(entry, name)))
        entry.name_kana = normalize_kana(entry.name_kana)
        entry.uuid = uuid.uuid5(NAMESPACE, f"{seed}:{key}")
        entry.prefecture = prefecture
        entry.verified_on = _verified(rng, key, today)
        entries.append((entry, area, hours))
        created["directory entries"] += 1

    # M1/M4: a window for every municipality
    for code, town in sorted(towns.items()):
        if town.abolished_on is not None:
            continue
        rng = random.Random(f"{seed}:window:{code}")
        dept = _department(code, rng)
        postal, address = random_address(rng, prefecture.name, places.get(code, []))
        agency = agencies.get(
            KOCHI_CITY_STATION if code == KOCHI_CITY else PROGRAMME if code == INO else ""
        )
        if agency is None and not town.has_welfare_office:
            # rule M1: a town without a self-reliance agency may name the prefecture's
            agency = agencies.get(region_agency.get(code, ""))
        add(
            f"window.{code}",
            DirectoryEntry(
                kind=K.WINDOW,
                name=f"{town.name} ひきこもり相談窓口（{dept}）",
                name_kana="",
                description=(
                    f"{town.name}のひきこもりに関する相談窓口です。年齢・性別・障害の有無を問わず、"
                    "ご本人からもご家族からも相談できます。"
                ),
                municipality=town,
                agency=agency,
                lead_department=dept,
                postal_code=postal,
                address=address,
                access="役場本庁舎1階の福祉窓口へお越しください。",
                phone=phone(rng, PHONE_AREA.get(code, "088")),
                channels=["phone", "visit", "home_visit"],
                hours_note="祝日・年末年始を除く",
                is_free=True,
                accompaniment=True,
                mornings=True,
                afternoons=True,
                is_public=True,
            ),
            [code],
            [(d, "08:30", "17:15") for d in WEEKDAYS],
            rng,
        )

    # R6: places, and the family and peer groups
    for spec in PLACES:
        rng = random.Random(f"{seed}:{spec.key}")
        place_town = towns.get(spec.town)
        postal, address = random_address(rng, prefecture.name, places.get(spec.town, []))
        mornings, afternoons, evenings = spec.times
        online = spec.key.endswith("online")
        add(
            spec.key,
            DirectoryEntry(
                kind=spec.kind,
                name=spec.name,
                name_kana=spec.kana,
                description=spec.description,
                municipality=place_town,
                postal_code="" if online else postal,
                address="" if online else address,
                access="" if online else "最寄りのバス停から徒歩5分。駐車場あり。",
                phone=phone(rng, PHONE_AREA.get(spec.town, "088")),
                channels=["online"] if online else ["phone", "visit"],
                min_age=spec.min_age,
                max_age=spec.max_age,
                is_free=not spec.cost,
                cost=spec.cost,
                accompaniment=spec.along,
                welcomes_silent=spec.silent,
                mornings=mornings,
                afternoons=afternoons,
                evenings=evenings,
                is_public=True,
            ),
            list(spec.area),
            [(d, spec.opens, spec.closes) for d in spec.days],
            rng,
        )

    # R7: the linked agencies of the demo, and the prefecture's hikikomori center
    for slug in (*LINKED_KEYS, "center"):
        key = ADULT_CENTER if slug == "center" else f"39.linked.{slug}"
        agency = agencies.get(key)
        if agency is None:
            continue
        rng = random.Random(f"{seed}:linked:{slug}")
        area = list(agency.area.values_list("code", flat=True))
        hours = [
            (h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in agency.opening_hours.all()
        ]
        add(
            f"linked.{slug}",
            DirectoryEntry(
                kind=K.WINDOW if slug == "center" else K.LINKED_AGENCY,
                name=agency.name,
                name_kana=agency.name_kana.replace(" ", ""),
                description="",
                municipality=agency.municipality,
                agency=agency,
                lead_department="" if slug != "center" else "高知県 地域福祉政策課",
                postal_code=agency.postal_code,
                address=agency.address,
                phone=agency.phone,
                email=agency.email,
                channels=["phone", "visit"],
                is_free=True,
                mornings=True,
                afternoons=True,
                is_public=True,
            ),
            area,
            hours,
            rng,
        )
    if not entries:
        return created
    DirectoryEntry.objects.bulk_create([e for e, _a, _h in entries])
    through = DirectoryEntry.area.through
    through.objects.bulk_create(
        [
            through(directoryentry_id=e.pk, municipality_id=towns[c].pk)
            for e, area, _h in entries
            for c in area
            if c in towns
        ]
    )
    EntryHours.objects.bulk_create(
        [
            EntryHours(entry=e, weekday=d, opens=_clock(o), closes=_clock(c))
            for e, _a, hours in entries
            for d, o, c in hours
        ]
    )
    return created


@transaction.atomic
def reset_directory() -> Counter[str]:
    removed: Counter[str] = Counter()
    for label, count in (
        DirectoryEntry.objects.filter(source__startswith=PREFIX).delete()[1].items()
    ):
        removed[label.rsplit(".", 1)[-1].lower()] += count
    return removed


def directory_counts() -> dict[str, int]:
    qs = DirectoryEntry.objects.filter(source__startswith=PREFIX)
    return {
        "directory entries": qs.count(),
        "consultation windows": qs.filter(kind=K.WINDOW).count(),
    }
