"""The 高知県 demo (issue 2; walkthroughs A, G and H): 34 municipalities, 11 of them 市 with a
welfare office (高知市 a 中核市), the 町村 covered by the prefecture (rule J2).

- government offices: the prefecture's 地域福祉政策課, 高知市 健康福祉部, いの町 ほけん福祉課;
- self-reliance agencies (J2): one per welfare-office municipality, and the prefecture's for the
  towns and villages, one per 福祉保健所 region;
- hikikomori agencies (J1): the adult center (meets J6), the child center (one coordinator, so
  not compliant), 高知市's station, いの町's support programme;
- linked agencies (R7) for walkthroughs A, C and I;
- pairings (J3) and networks (J7); the cast's staff rows.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import NamedTuple

from faker import Faker

from tsunagi.agencies.models import AgeBand, AgencyKind, NetworkKind, OperatorLevel
from tsunagi.jurisdictions.models import Municipality, Prefecture

from .cast import (
    ADULT_CENTER,
    AGENCY_NAMES,
    CAST,
    CHILD_CENTER,
    KOCHI,
    KOCHI_CITY,
    KOCHI_CITY_OFFICE,
    KOCHI_CITY_SELF_RELIANCE,
    KOCHI_CITY_STATION,
    PREFECTURAL_OFFICE,
)
from .specs import (
    NINE_TO_FIVE,
    OFFICE_HOURS,
    SPLIT_HOURS,
    AgencySpec,
    Hours,
    NetworkSpec,
    Place,
    Plan,
    StaffSpec,
    UserSpec,
    fixed_address,
    phone,
    random_address,
    staff,
    weekly,
)

K, L = AgencyKind, OperatorLevel
INO = "39386"  # いの町: a town without a welfare office, with its own hikikomori programme
NEAR_KOCHI = (KOCHI_CITY, "39204", "39205", "39211", "39212", INO)  # 高知市 and its neighbours

# 福祉保健所 regions: the prefecture's self-reliance agency of a region serves its towns and
# villages. (slug, region, reading, municipality the agency sits in, codes in the region)
REGIONS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("aki", "安芸", "アキ", "39203", ("39202", "39203", *(f"3930{i}" for i in range(1, 8)))),
    ("chuo-higashi", "中央東", "チュウオウヒガシ", "39212",
     ("39204", "39211", "39212", "39341", "39344", "39363", "39364")),
    ("chuo-nishi", "中央西", "チュウオウニシ", "39402",
     ("39205", INO, "39387", "39402", "39403", "39410")),
    ("susaki", "須崎", "スサキ", "39206", ("39206", "39401", "39405", "39411", "39412")),
    ("hata", "幡多", "ハタ", "39210", ("39208", "39209", "39210", "39424", "39427", "39428")),
)  # fmt: skip
PHONE_AREA = {"39202": "0887", "39203": "0887", "39206": "0889", "39208": "0880",
              "39209": "0880", "39210": "0880", "39211": "0887", "39212": "0887",
              "39402": "0889"}  # fmt: skip


class Fixed(NamedTuple):
    """An agency whose name and place are fixed; `area` None means the whole prefecture."""

    key: str
    name: str
    kana: str
    kind: str
    level: str
    postal_code: str | None  # None: a random real place in `located`
    street: str
    area: tuple[str, ...] | None
    hours: Hours
    commissioned_to: str = ""
    located: str = KOCHI_CITY  # also the setting-up municipality of a municipal agency
    age_band: str = AgeBand.BOTH
    note: str = ""


def _linked(slug: str) -> str:
    return f"39.linked.{slug}"


PROGRAMME = f"39.programme.{INO}"
N = AGENCY_NAMES
# fmt: off
FIXED: tuple[Fixed, ...] = (
    # government offices
    Fixed(PREFECTURAL_OFFICE, N[PREFECTURAL_OFFICE],
          "コウチケン チイキフクシブ チイキフクシセイサクカ", K.PREFECTURAL_OFFICE, L.PREFECTURE,
          "7800850", "1丁目2-22", None, OFFICE_HOURS),
    Fixed(KOCHI_CITY_OFFICE, N[KOCHI_CITY_OFFICE], "コウチシ ケンコウフクシブ",
          K.MUNICIPAL_OFFICE, L.MUNICIPALITY, "7800870", "5丁目1-40", (KOCHI_CITY,),
          OFFICE_HOURS),
    Fixed(f"39.office.{INO}", "いの町 ほけん福祉課", "イノチョウ ホケンフクシカ",
          K.MUNICIPAL_OFFICE, L.MUNICIPALITY, None, "", (INO,), OFFICE_HOURS, located=INO),
    # hikikomori agencies (J1)
    Fixed(ADULT_CENTER, N[ADULT_CENTER], "コウチケンヒキコモリチイキシエンセンター",
          K.HIKIKOMORI_CENTER, L.PREFECTURE, "7800850", "2丁目4-1 高知県保健衛生総合庁舎1階",
          None, OFFICE_HOURS, age_band=AgeBand.ADULT),
    Fixed(CHILD_CENTER, N[CHILD_CENTER], "コウチケンコドモノヒキコモリチイキシエンセンター",
          K.HIKIKOMORI_CENTER, L.PREFECTURE, "7800935", "2丁目13-2", None, NINE_TO_FIVE,
          age_band=AgeBand.CHILD,
          note="コーディネーターが1名のみで J6 の配置基準を満たさない例。"),
    Fixed(KOCHI_CITY_STATION, N[KOCHI_CITY_STATION], "コウチシヒキコモリシエンステーション",
          K.HIKIKOMORI_STATION, L.MUNICIPALITY, "7800822", "1丁目5-12 はりまやビル3階",
          (KOCHI_CITY,), SPLIT_HOURS, "特定非営利活動法人こうちピアネット"),
    Fixed(PROGRAMME, "いの町ひきこもりサポート事業", "イノチョウヒキコモリサポートジギョウ",
          K.HIKIKOMORI_PROGRAMME, L.MUNICIPALITY, None, "", (INO,),
          weekly("10:00", "16:00", (1, 3)), "社会福祉法人いの町社会福祉協議会", located=INO),
    # linked agencies (R7)
    Fixed(_linked("hello-work"), "ハローワーク高知", "ハローワークコウチ", K.HELLO_WORK,
          L.NATIONAL, "7800056", "2丁目10-5", NEAR_KOCHI, OFFICE_HOURS),
    Fixed(_linked("mental-health"), "高知県精神保健福祉センター",
          "コウチケンセイシンホケンフクシセンター", K.MENTAL_HEALTH_CENTER, L.PREFECTURE,
          "7800850", "2丁目4-1 高知県保健衛生総合庁舎2階", None, OFFICE_HOURS),
    Fixed(_linked("houkatsu"), "高知市東部地域包括支援センター",
          "コウチシトウブチイキホウカツシエンセンター", K.COMMUNITY_GENERAL_SUPPORT,
          L.MUNICIPALITY, "7800901", "2丁目3-18", (KOCHI_CITY,),
          OFFICE_HOURS + weekly("08:30", "12:30", (5,)), "社会福祉法人土佐あおぞら会"),
    Fixed(_linked("saposute"), "高知地域若者サポートステーション",
          "コウチチイキワカモノサポートステーション", K.YOUTH_SUPPORT_STATION, L.NATIONAL,
          "7800053", "1-20 駅前ビル2階", NEAR_KOCHI, weekly("10:00", "18:00", range(1, 6)),
          "特定非営利活動法人こうち若者サポートネット"),
    Fixed(_linked("debt"), "高知県立消費生活センター 多重債務相談窓口",
          "コウチケンリツショウヒセイカツセンター タジュウサイムソウダンマドグチ",
          K.DEBT_CONSULTATION, L.PREFECTURE, "7800870", "3丁目1-12", None,
          weekly("09:00", "16:00")),
    Fixed(_linked("houterasu"), "法テラス高知", "ホウテラスコウチ", K.LEGAL_SUPPORT, L.NATIONAL,
          "7800870", "1丁目10-3 本町ビル4階", None, NINE_TO_FIVE),
    Fixed(_linked("welfare-office"), "高知市福祉事務所", "コウチシフクシジムショ",
          K.WELFARE_OFFICE, L.MUNICIPALITY, "7800870", "5丁目1-40", (KOCHI_CITY,),
          OFFICE_HOURS),
    Fixed(_linked("suicide"), "高知県こころの電話相談", "コウチケンココロノデンワソウダン",
          K.SUICIDE_PREVENTION, L.PREFECTURE, "7800850", "2丁目4-1", None,
          weekly("09:00", "16:00")),
    Fixed(_linked("family"), "こうちひきこもり家族会 つくしの会",
          "コウチヒキコモリカゾクカイ ツクシノカイ", K.OTHER_LINKED, L.PRIVATE, "7800842",
          "2丁目1-8", None, weekly("13:00", "16:00", (5,))),
)

# Staff besides the cast (names from Faker): (title, qualifications, hikikomori coordinator).
FIXED_STAFF: dict[str, tuple[tuple[str, tuple[str, ...], bool], ...]] = {
    PREFECTURAL_OFFICE: (("課長補佐", (), False),),
    KOCHI_CITY_OFFICE: (("地域共生社会推進課 主事", ("social_worker",), False),),
    f"39.office.{INO}": (("保健師", ("public_health_nurse",), False),),
    # with the cast's センター長 (精神保健福祉士) and coordinator (社会福祉士): 3 coordinators
    ADULT_CENTER: (("ひきこもり支援コーディネーター", ("certified_psychologist",), True),
                   ("事務員", (), False)),
    CHILD_CENTER: (("ひきこもり支援コーディネーター", ("psychiatric_social_worker",), True),
                   ("事務員", (), False)),
    KOCHI_CITY_STATION: (("ひきこもり支援コーディネーター", ("public_health_nurse",), True),
                         ("ひきこもり支援コーディネーター", ("social_worker",), True),
                         ("ピアサポーター", (), False)),
    PROGRAMME: (("ひきこもり支援員", ("public_health_nurse",), True),),
    KOCHI_CITY_SELF_RELIANCE: (("就労支援員", ("career_consultant",), False),
                               ("家計改善支援員", (), False)),
}

PAIRING_NOTES = {ADULT_CENTER: "18歳以上の支援", CHILD_CENTER: "18歳未満の支援"}
# linked agencies in the networks (J7)
COUNCIL_LINKS = ("mental-health", "hello-work", "saposute", "houkatsu", "family")
CHILD_LINKS = ("mental-health", "saposute")
CITY_LINKS = ("houkatsu", "debt", "houterasu", "hello-work", "welfare-office", "saposute")
# fmt: on


def _cast_staff(key: str) -> list[StaffSpec]:
    return [
        StaffSpec(a.full_name, a.full_name_kana, a.staff_title, a.qualifications,
                  a.is_coordinator, a.username)
        for a in CAST
        if a.agency_key == key and a.staff_title
    ]  # fmt: skip


def kochi_plan(
    rng: random.Random, fake: Faker, kochi: Prefecture, places: dict[str, list[Place]]
) -> Plan:
    municipalities = list(
        Municipality.objects.filter(prefecture=kochi, abolished_on__isnull=True).order_by("code")
    )
    everywhere = tuple(m.code for m in municipalities)
    plan = Plan()

    def add(spec: AgencySpec) -> None:
        where = spec.municipality or KOCHI_CITY
        if not spec.postal_code:
            spec.postal_code, spec.address = random_address(rng, kochi.name, places.get(where, []))
        spec.phone = phone(rng, PHONE_AREA.get(where, "088"))
        if rng.random() < 0.6:
            spec.fax = phone(rng, PHONE_AREA.get(where, "088"))
        extra = [
            staff(fake, title, *q, coordinator=c) for title, q, c in FIXED_STAFF.get(spec.key, ())
        ]
        spec.staff = [*_cast_staff(spec.key), *spec.staff, *extra] or [staff(fake, "相談員")]
        plan.agencies.append(spec)

    for f in FIXED:
        postal, address = fixed_address(f.postal_code, f.street) if f.postal_code else ("", "")
        add(
            AgencySpec(
                f.key,
                f.name,
                f.kind,
                f.level,
                KOCHI,
                name_kana=f.kana,
                operator_prefecture=KOCHI if f.level == L.PREFECTURE else None,
                operator_municipality=f.located if f.level == L.MUNICIPALITY else None,
                municipality=f.located,
                commissioned_to=f.commissioned_to,
                age_band=f.age_band,
                postal_code=postal,
                address=address,
                area=everywhere if f.area is None else f.area,
                hours=f.hours,
                note=f.note,
            )
        )

    # Self-reliance agencies (J2): each welfare-office municipality has its own...
    self_reliance: list[str] = []
    for m in municipalities:
        if not m.has_welfare_office:
            continue
        key = f"39.sr.{m.code}"
        spec = AgencySpec(
            key,
            AGENCY_NAMES.get(key, f"{m.name}自立相談支援センター"),
            K.SELF_RELIANCE,
            L.MUNICIPALITY,
            KOCHI,
            name_kana=f"{m.name_kana}ジリツソウダンシエンセンター",
            operator_municipality=m.code,
            municipality=m.code,
            commissioned_to=f"社会福祉法人{m.name}社会福祉協議会",
            area=(m.code,),
            hours=OFFICE_HOURS,
        )
        if key == KOCHI_CITY_SELF_RELIANCE:
            spec.name_kana = "コウチシセイカツシエンソウダンセンター"
            spec.postal_code, spec.address = fixed_address("7800862", "2丁目1-40")
        else:
            if rng.random() < 0.25:
                spec.commissioned_to = ""  # run by the city itself
            spec.staff = [
                staff(fake, "主任相談支援員", "social_worker"),
                staff(fake, "相談支援員", *rng.sample(["care_worker", "other"], rng.randint(0, 1))),
            ]
            if rng.random() < 0.5:
                spec.staff.append(staff(fake, "就労支援員", "career_consultant"))
        add(spec)
        self_reliance.append(key)

    # ...and the prefecture runs one per 福祉保健所 region for the towns and villages.
    region_of = {code: slug for slug, *_, codes in REGIONS for code in codes}
    towns: dict[str, list[str]] = defaultdict(list)
    for m in municipalities:
        if not m.has_welfare_office:
            towns[region_of.get(m.code, REGIONS[-1][0])].append(m.code)
    serving: dict[str, str] = {}  # town code → the prefecture's agency
    for slug, region, reading, seat, _ in REGIONS:
        if not towns[slug]:
            continue
        key = f"39.sr.pref.{slug}"
        add(
            AgencySpec(
                key,
                f"高知県自立相談支援センター（{region}）",
                K.SELF_RELIANCE,
                L.PREFECTURE,
                KOCHI,
                name_kana=f"コウチケンジリツソウダンシエンセンター {reading}",
                operator_prefecture=KOCHI,
                municipality=seat,
                commissioned_to="社会福祉法人高知県社会福祉協議会",
                area=tuple(towns[slug]),
                hours=OFFICE_HOURS,
                staff=[staff(fake, "主任相談支援員", "social_worker"), staff(fake, "相談支援員")],
                note=f"{region}福祉保健所管内の町村（福祉事務所を設置していない町村）を担当。",
            )
        )
        self_reliance.append(key)
        serving.update(dict.fromkeys(towns[slug], key))

    # Pairings (J3): both centers with every self-reliance agency; the local ones together.
    for center in (ADULT_CENTER, CHILD_CENTER):
        plan.pairings += [(center, sr, PAIRING_NOTES[center]) for sr in self_reliance]
    plan.pairings.append((KOCHI_CITY_STATION, KOCHI_CITY_SELF_RELIANCE, "高知市内の連携"))
    if INO in serving:
        plan.pairings.append((PROGRAMME, serving[INO], "いの町内の連携"))

    # Networks (J7): each center's liaison council; the city agency's related-agency network.
    council = (CHILD_CENTER, KOCHI_CITY_STATION, PROGRAMME, *self_reliance, PREFECTURAL_OFFICE,
               KOCHI_CITY_OFFICE, *map(_linked, COUNCIL_LINKS))  # fmt: skip
    plan.networks = [
        NetworkSpec(
            "高知県ひきこもり支援連絡協議会",
            NetworkKind.LIAISON_COUNCIL,
            ADULT_CENTER,
            council,
            "年2回開催。医療・保健・福祉・教育・労働の関係機関で構成。",
        ),
        NetworkSpec(
            "高知県子どものひきこもり支援連絡協議会",
            NetworkKind.LIAISON_COUNCIL,
            CHILD_CENTER,
            (ADULT_CENTER, KOCHI_CITY_STATION, KOCHI_CITY_OFFICE, *map(_linked, CHILD_LINKS)),
        ),
        NetworkSpec(
            "高知市生活困窮者支援 関係機関ネットワーク",
            NetworkKind.RELATED_AGENCIES,
            KOCHI_CITY_SELF_RELIANCE,
            (
                KOCHI_CITY_STATION,
                ADULT_CENTER,
                CHILD_CENTER,
                KOCHI_CITY_OFFICE,
                *map(_linked, CITY_LINKS),
            ),
            "毎月第2水曜日に支援調整会議を開催。",
        ),
    ]
    plan.users = [
        UserSpec(a.username, a.full_name, a.full_name_kana, a.role, a.agency_key) for a in CAST
    ]
    return plan
