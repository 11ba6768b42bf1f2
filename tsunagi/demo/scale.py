"""Synthetic agencies and staff users in all 47 prefectures, for the benchmark (`--scale N`).

Agency i of a prefecture is of kind `KINDS[i % len(KINDS)]` and depends only on (seed,
prefecture, i): a larger scale adds to a smaller one instead of reshuffling it. User i of the
prefecture works at agency i (every fifth one as its manager) and is its first staff member.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence

from faker import Faker

from tsunagi.accounts.models import Role
from tsunagi.agencies.models import HIKIKOMORI_KINDS, AgeBand, AgencyKind, OperatorLevel
from tsunagi.jurisdictions.models import CITY_KINDS, LocalGovernmentKind, Municipality, Prefecture

from .cast import DEMO_USER_PREFIX
from .specs import (
    NINE_TO_FIVE,
    OFFICE_HOURS,
    SPLIT_HOURS,
    AgencySpec,
    Hours,
    Place,
    Plan,
    StaffSpec,
    UserSpec,
    person,
    phone,
    random_address,
    staff,
    weekly,
)

K, L = AgencyKind, OperatorLevel
# kind → (set up by, where: "city" | "town" | "capital", name, reading). In the templates p is
# the prefecture, m the municipality, s its stem (高知市 → 高知), q a quarter (東部); k = reading.
# fmt: off
KINDS: dict[str, tuple[str, str, str, str]] = {
    K.SELF_RELIANCE: (L.MUNICIPALITY, "city", "{m}自立相談支援センター",
                      "{mk}ジリツソウダンシエンセンター"),
    K.HIKIKOMORI_STATION: (L.MUNICIPALITY, "city", "{m}ひきこもり支援ステーション",
                           "{mk}ヒキコモリシエンステーション"),
    K.COMMUNITY_GENERAL_SUPPORT: (L.MUNICIPALITY, "city", "{m}{q}地域包括支援センター",
                                  "{mk}{qk}チイキホウカツシエンセンター"),
    K.HIKIKOMORI_CENTER: (L.PREFECTURE, "capital", "{p}ひきこもり地域支援センター",
                          "{pk}ヒキコモリチイキシエンセンター"),
    K.HELLO_WORK: (L.NATIONAL, "city", "ハローワーク{s}", "ハローワーク{sk}"),
    K.HIKIKOMORI_PROGRAMME: (L.MUNICIPALITY, "town", "{m}ひきこもりサポート事業",
                             "{mk}ヒキコモリサポートジギョウ"),
    K.YOUTH_SUPPORT_STATION: (L.NATIONAL, "city", "{s}地域若者サポートステーション",
                              "{sk}チイキワカモノサポートステーション"),
    K.DEBT_CONSULTATION: (L.PREFECTURE, "capital", "{p}消費生活センター 多重債務相談窓口",
                          "{pk}ショウヒセイカツセンター"),
    K.WELFARE_OFFICE: (L.MUNICIPALITY, "city", "{m}福祉事務所", "{mk}フクシジムショ"),
    K.MENTAL_HEALTH_CENTER: (L.PREFECTURE, "capital", "{p}精神保健福祉センター",
                             "{pk}セイシンホケンフクシセンター"),
    K.PUBLIC_HEALTH_CENTER: (L.PREFECTURE, "city", "{p}{s}保健所", "{pk}{sk}ホケンジョ"),
    K.SUICIDE_PREVENTION: (L.PREFECTURE, "capital", "{p}こころの電話相談",
                           "{pk}ココロノデンワソウダン"),
    K.LEGAL_SUPPORT: (L.NATIONAL, "capital", "法テラス{s}", "ホウテラス{sk}"),
    K.DISABILITY_EMPLOYMENT_LIFE: (L.PRIVATE, "city", "{s}障害者就業・生活支援センター",
                                   "{sk}ショウガイシャシュウギョウセイカツシエンセンター"),
}
QUARTERS = (("東部", "トウブ"), ("西部", "セイブ"), ("南部", "ナンブ"), ("北部", "ホクブ"),
            ("中央", "チュウオウ"))
QUALIFICATIONS = ("social_worker", "psychiatric_social_worker", "public_health_nurse",
                  "certified_psychologist", "career_consultant", "care_worker", "nurse")
HOURS: tuple[Hours, ...] = (OFFICE_HOURS, NINE_TO_FIVE, SPLIT_HOURS,
                            weekly("10:00", "18:00", range(1, 6)))
# fmt: on
ORDER = tuple(KINDS)
IS_CITY = {*CITY_KINDS, LocalGovernmentKind.SPECIAL_WARD}


def _stem(name: str, kana: str) -> tuple[str, str]:
    """高知市 → 高知 (ハローワーク高知); a ward, town or village keeps its name."""
    if name.endswith("市") and kana.endswith("シ"):
        return name[:-1], kana[:-1]
    return name, kana


def _agency(
    rng: random.Random,
    fake: Faker,
    pref: Prefecture,
    munis: list[Municipality],
    places: dict[str, list[Place]],
    i: int,
    names: Counter[str],
) -> tuple[AgencySpec, UserSpec]:
    cities = [m for m in munis if m.kind in IS_CITY] or munis
    towns = [m for m in munis if m.kind not in IS_CITY] or cities
    kind = ORDER[i % len(ORDER)]
    level, where, name_template, kana_template = KINDS[kind]
    muni = {"city": rng.choice(cities), "town": rng.choice(towns), "capital": cities[0]}[where]
    stem, stem_kana = _stem(muni.name, muni.name_kana)
    quarter, quarter_kana = rng.choice(QUARTERS)
    words = {"p": pref.name, "pk": pref.name_kana, "m": muni.name, "mk": muni.name_kana,
             "s": stem, "sk": stem_kana, "q": quarter, "qk": quarter_kana}  # fmt: skip
    name = name_template.format(**words)
    names[name] += 1
    if names[name] > 1:
        name = f"{name}（{names[name]}）"

    if where == "capital" and level == L.PREFECTURE:
        area = tuple(m.code for m in munis)
    elif level == L.NATIONAL:
        others = [m.code for m in munis if m.code != muni.code]
        area = (muni.code, *rng.sample(others, min(len(others), rng.randint(0, 3))))
    else:
        area = (muni.code,)

    hikikomori = kind in HIKIKOMORI_KINDS
    key = f"scale.{pref.code}.{i + 1:03d}"
    username = f"{DEMO_USER_PREFIX}{pref.code}-{i + 1:03d}"
    user_name, user_kana = person(fake)
    team = [StaffSpec(user_name, user_kana, "相談支援員", ("social_worker",), hikikomori, username)]
    for _ in range(rng.randint(0, 3)):
        qualifications = rng.sample(QUALIFICATIONS, rng.randint(0, 2))
        team.append(staff(fake, "相談員", *qualifications, coordinator=hikikomori))
    postal, address = random_address(rng, pref.name, places.get(muni.code, []))
    commission = f"社会福祉法人{muni.name}社会福祉協議会" if rng.random() < 0.4 else ""
    spec = AgencySpec(
        key,
        name,
        kind,
        level,
        pref.code,
        name_kana=kana_template.format(**words),
        operator_prefecture=pref.code if level == L.PREFECTURE else None,
        operator_municipality=muni.code if level == L.MUNICIPALITY else None,
        municipality=muni.code,
        commissioned_to="" if level == L.NATIONAL else commission,
        age_band=rng.choice(list(AgeBand)) if kind == K.HIKIKOMORI_CENTER else AgeBand.BOTH,
        postal_code=postal,
        address=address,
        phone=phone(rng, f"0{rng.randint(11, 99)}"),
        area=area,
        hours=rng.choice(HOURS),
        staff=team,
    )
    role = Role.MANAGER if i % 5 == 0 else Role.STAFF
    return spec, UserSpec(username, user_name, user_kana, role, key)


def scale_plan(
    seed: int,
    fake: Faker,
    scale: int,
    prefectures: Sequence[Prefecture],
    municipalities: dict[int, list[Municipality]],
    places: dict[str, list[Place]],
) -> Plan:
    """`scale` agencies of assorted kinds and `scale` staff users in each prefecture, with the
    prefecture's pairings (J3) between them."""
    plan = Plan()
    for pref in prefectures:
        munis = municipalities.get(pref.pk, [])
        if not munis:
            continue
        names: Counter[str] = Counter()
        specs = []
        for i in range(scale):
            rng = random.Random(f"{seed}:{pref.code}:{i}")
            fake.seed_instance(rng.getrandbits(32))
            spec, user = _agency(rng, fake, pref, munis, places, i, names)
            specs.append(spec)
            plan.users.append(user)
        plan.agencies += specs
        self_reliance = [s.key for s in specs if s.kind == K.SELF_RELIANCE]
        hikikomori = [s.key for s in specs if s.kind in HIKIKOMORI_KINDS]
        plan.pairings += [(h, s, "") for h in hikikomori for s in self_reliance]
    return plan
