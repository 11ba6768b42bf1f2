"""Suggestions resolved against the agency registry (rules J2, J3, J4, R7) and what was already
done about them: the case page's panel as `selectors.suggestions_for` builds it.

The registry is 高知県: the cast's prefectural center (both age bands, the whole prefecture) and
高知市's self-reliance agency, plus what each test adds. 高知市 runs a welfare office; いの町 and
佐川町 are towns without one (rule J2), served by the prefecture's agency (walkthrough G).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from tests.cast import Cast, _user, make_cast
from tests.people import make_person, yamada_household, years_ago
from tests.sharing import make_referral, receiver
from tsunagi.accounts.models import Role
from tsunagi.agencies.models import AgeBand, Agency, AgencyKind, OperatorLevel, Pairing
from tsunagi.jurisdictions.models import Municipality
from tsunagi.people import services as people
from tsunagi.people.models import Case, Person
from tsunagi.referrals import selectors, services, suggestions
from tsunagi.referrals.selectors import CaseSuggestion, SuggestionPanel

pytestmark = pytest.mark.django_db

KOCHI_CITY, INO_TOWN, SAKAWA_TOWN = "39201", "39386", "39402"


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    with translation.override("ja"):
        yield


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def town(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


def agency(name: str, kind: str, *, area: Sequence[str] = (), **extra: Any) -> Agency:
    """An agency of 高知県: the prefecture's own unless `operator_municipality` is given."""
    values: dict[str, Any] = {
        "operator_level": OperatorLevel.PREFECTURE,
        "operator_prefecture": town(KOCHI_CITY).prefecture,
    }
    if "operator_municipality" in extra:
        values = {"operator_level": OperatorLevel.MUNICIPALITY}
    created = Agency.objects.create(
        name=name, kind=kind, prefecture=town(KOCHI_CITY).prefecture, **values, **extra
    )
    created.area.set(Municipality.objects.filter(code__in=area))
    return created


def prefectures_self_reliance() -> Agency:
    """The self-reliance agency the prefecture runs for its towns and villages (J2)."""
    return agency(
        "高知県中央西福祉保健所 自立相談支援機関",
        AgencyKind.SELF_RELIANCE,
        area=[INO_TOWN, SAKAWA_TOWN],
    )


def live_in(person: Person, code: str | None) -> Person:
    Person.objects.filter(pk=person.pk).update(
        municipality=town(code) if code else None, address="1-1"
    )
    person.refresh_from_db()
    return person


def panel(user: Any, case: Case) -> SuggestionPanel:
    return selectors.suggestions_for(user, Case.objects.get(pk=case.pk))


def item(found: SuggestionPanel, code: str) -> CaseSuggestion:
    hit = next((i for i in found.active if i.code == code), None)
    assert hit is not None, f"{code} not active; got {[i.code for i in found.active]}"
    return hit


def names(hit: CaseSuggestion) -> list[str]:
    return [r.agency.name for r in hit.agencies]


def yamada(cast: Cast, code: str | None = KOCHI_CITY) -> tuple[Any, Person, Case]:
    """Walkthrough A at the center: the intake checklist (hikikomori, income, debt, care) gives
    economic need and compound problems for the household (rule R2)."""
    staff = cast.users[Role.STAFF]
    _household, mother, son, case = yamada_household(staff, cast.center)
    live_in(mother, code)
    return staff, live_in(son, code), case


# --- J2: the responsible self-reliance agency ----------------------------------------------------


def test_j2_r2_names_the_self_reliance_agency_of_the_persons_city(cast: Cast) -> None:
    prefectures_self_reliance()  # present, but 高知市 runs its own
    staff, _son, case = yamada(cast)
    assert town(KOCHI_CITY).has_welfare_office
    r2 = item(panel(staff, case), "R2")
    assert names(r2) == ["高知市自立相談支援機関"]
    assert r2.agencies[0].reason.startswith("J2")
    assert "福祉事務所" in r2.agencies[0].reason
    assert r2.unresolved == [] and r2.taken == []
    assert r2.suggestion.rule == "R2" and "自立相談支援機関" in r2.suggestion.reason


def test_j2_walkthrough_g_a_town_without_a_welfare_office_gets_the_prefectures_agency(
    cast: Cast,
) -> None:
    """Walkthrough G: a person of いの町 assessed by the town's hikikomori station."""
    ino = town(INO_TOWN)
    assert ino.kind == "town" and not ino.has_welfare_office  # the loaded jurisdictions
    prefectures = prefectures_self_reliance()
    station = agency(
        "いの町ひきこもり支援ステーション",
        AgencyKind.HIKIKOMORI_STATION,
        area=[INO_TOWN],
        operator_municipality=ino,
    )
    staff = _user("ino_staff", station, Role.STAFF)
    _household, mother, son, case = yamada_household(staff, station)
    live_in(mother, INO_TOWN)
    live_in(son, INO_TOWN)

    r2 = item(panel(staff, case), "R2")
    assert [r.agency for r in r2.agencies] == [prefectures]
    assert r2.agencies[0].reason.startswith("J2")
    assert "福祉事務所を設置していない" in r2.agencies[0].reason
    assert cast.self_reliance not in [r.agency for r in r2.agencies]


def test_j2_a_town_with_no_prefectural_agency_registered_is_unresolved(cast: Cast) -> None:
    staff, _son, case = yamada(cast, SAKAWA_TOWN)
    r2 = item(panel(staff, case), "R2")
    assert r2.agencies == []
    assert len(r2.unresolved) == 1 and r2.unresolved[0].startswith("J2")


def test_j2_no_municipality_on_the_address_leaves_it_unresolved(cast: Cast) -> None:
    staff, _son, case = yamada(cast, None)
    r2 = item(panel(staff, case), "R2")
    assert r2.agencies == []
    assert r2.unresolved and "市区町村" in r2.unresolved[0]


# --- J3 / J4: the hikikomori agencies for a self-reliance agency and an age ----------------------


def _at_self_reliance(cast: Cast, age: int, code: str = KOCHI_CITY) -> tuple[Any, Case]:
    """A person in a hikikomori state without a plan at 高知市's self-reliance agency (R3a)."""
    sr = receiver(cast)
    person = make_person(sr, cast.self_reliance, "佐藤", "健", birth_date=years_ago(age))
    live_in(person, code)
    case = people.open_case(sr, person, {"problems": ["hikikomori", "housing"]})
    return sr, case


def test_j3_the_paired_hikikomori_agency_comes_first_at_a_self_reliance_agency(
    cast: Cast,
) -> None:
    station = agency(
        "高知市ひきこもり支援ステーション",
        AgencyKind.HIKIKOMORI_STATION,
        area=[KOCHI_CITY],
        operator_municipality=town(KOCHI_CITY),
    )
    sr, case = _at_self_reliance(cast, 35)
    # without a pairing the nearest comes first: the city's station, then the center
    assert names(item(panel(sr, case), "R3a")) == [station.name, cast.center.name]

    Pairing.objects.create(
        prefecture=cast.center.prefecture,
        hikikomori_agency=cast.center,
        self_reliance_agency=cast.self_reliance,
    )
    r3a = item(panel(sr, case), "R3a")
    assert names(r3a) == [cast.center.name, station.name]  # each once
    assert r3a.agencies[0].reason.startswith("J3")
    assert r3a.suggestion.action == suggestions.INTRODUCE


def test_j3_a_pairing_outside_the_age_band_is_left_out(cast: Cast) -> None:
    child_center = agency(
        "高知県子どものひきこもり支援センター",
        AgencyKind.HIKIKOMORI_CENTER,
        area=[KOCHI_CITY],
        age_band=AgeBand.CHILD,
    )
    Pairing.objects.create(
        prefecture=cast.center.prefecture,
        hikikomori_agency=child_center,
        self_reliance_agency=cast.self_reliance,
    )
    sr, case = _at_self_reliance(cast, 35)
    assert child_center.name not in names(item(panel(sr, case), "R3a"))


def test_j4_the_age_band_filters_centers(cast: Cast) -> None:
    child = agency(
        "高知県子ども・若者ひきこもりセンター",
        AgencyKind.HIKIKOMORI_CENTER,
        area=[KOCHI_CITY],
        age_band=AgeBand.CHILD,
    )
    adult = agency(
        "高知県成人ひきこもりセンター",
        AgencyKind.HIKIKOMORI_CENTER,
        area=[KOCHI_CITY],
        age_band=AgeBand.ADULT,
    )
    sr, young_case = _at_self_reliance(cast, 16)
    young = item(panel(sr, young_case), "R3a")
    assert child in [r.agency for r in young.agencies]
    assert adult not in [r.agency for r in young.agencies]
    assert all(r.reason.startswith("J4") for r in young.agencies)

    older = make_person(sr, cast.self_reliance, "高橋", "誠", birth_date=years_ago(30))
    live_in(older, KOCHI_CITY)
    older_case = people.open_case(sr, older, {"problems": ["hikikomori"]})
    grown = item(panel(sr, older_case), "R3a")
    assert adult in [r.agency for r in grown.agencies]
    assert child not in [r.agency for r in grown.agencies]
    # the cast's center serves both bands, so it is there for either age
    assert cast.center in [r.agency for r in young.agencies + grown.agencies]


def test_j5_the_handover_names_the_adult_center_of_the_area(cast: Cast) -> None:
    child = agency(
        "高知県子どものひきこもり支援センター",
        AgencyKind.HIKIKOMORI_CENTER,
        area=[KOCHI_CITY],
        age_band=AgeBand.CHILD,
    )
    adult = agency(
        "高知県成人ひきこもりセンター",
        AgencyKind.HIKIKOMORI_CENTER,
        area=[KOCHI_CITY],
        age_band=AgeBand.ADULT,
    )
    staff = _user("child_staff", child, Role.STAFF)
    today = timezone.localdate()
    birthday = today + timedelta(days=60)
    pupil = make_person(
        staff, child, "中村", "翔", birth_date=birthday.replace(year=birthday.year - 18)
    )
    live_in(pupil, KOCHI_CITY)
    case = people.open_case(staff, pupil, {"problems": ["hikikomori"]})
    j5 = item(panel(staff, case), "J5")
    assert j5.suggestion.due == birthday
    assert adult in [r.agency for r in j5.agencies]
    assert child not in [r.agency for r in j5.agencies]
    assert all(r.reason.startswith("J5") for r in j5.agencies)


# --- R7: linked systems by area ------------------------------------------------------------------


def test_r7_linked_systems_are_resolved_by_area(cast: Cast) -> None:
    staff, _son, case = yamada(cast)
    people.record_assessment(
        staff,
        case,
        {"debt": True, "household_member_needs_care": True, "mental_health": "concern"},
    )
    city_kind = AgencyKind.COMMUNITY_GENERAL_SUPPORT
    ours = agency("高知市中央地域包括支援センター", city_kind, area=[KOCHI_CITY])
    agency("いの町地域包括支援センター", city_kind, area=[INO_TOWN])
    debt = agency(
        "高知市消費生活センター（多重債務相談）",
        AgencyKind.DEBT_CONSULTATION,
        municipality=town(KOCHI_CITY),
    )
    mental = agency("高知県立精神保健福祉センター", AgencyKind.MENTAL_HEALTH_CENTER)

    found = panel(staff, case)
    care = item(found, "R7:elderly_care")
    assert [r.agency for r in care.agencies] == [ours]
    assert care.agencies[0].reason == "高知市を担当しています。"
    assert care.suggestion.for_names == ("山田 花子",)

    by_debt = item(found, "R7:debt")
    assert [r.agency for r in by_debt.agencies] == [debt]
    assert by_debt.agencies[0].reason == "高知市にあります。"
    # the rule's second target (法テラス) has no office registered: said so, in Japanese
    assert len(by_debt.unresolved) == 1 and "高知市" in by_debt.unresolved[0]

    health = item(found, "R7:mental_health")
    assert mental in [r.agency for r in health.agencies]
    assert "都道府県全域" in health.agencies[0].reason


# --- never the own agency; what was done ---------------------------------------------------------


def test_j2_own_agency_is_never_suggested(cast: Cast) -> None:
    sr, case = _at_self_reliance(cast, 40)
    people.record_assessment(sr, case, {"no_food": True})
    found = panel(sr, case)
    urgent = item(found, "R8:urgent")
    assert all(r.agency != cast.self_reliance for i in found.active for r in i.agencies)
    # its own kind of agency is the target, and the only one registered is itself
    assert any("自立相談支援機関" in why for why in urgent.unresolved)
    resolved, why = selectors.resolve_target(
        suggestions.SELF_RELIANCE, town(KOCHI_CITY), 40, cast.self_reliance
    )
    assert resolved == [] and why


def test_r2_taken_shows_an_existing_referral_and_not_a_cancelled_one(cast: Cast) -> None:
    staff, _son, case = yamada(cast)
    referral = make_referral(staff, case, cast.self_reliance)
    r2 = item(panel(staff, case), "R2")
    assert r2.taken == ["高知市自立相談支援機関へのつなぎ：下書き"]

    services.cancel_referral(staff, referral, reason="本人と話し合って見送り")
    assert item(panel(staff, case), "R2").taken == []


def test_r3a_taken_shows_an_introduction(cast: Cast) -> None:
    sr, case = _at_self_reliance(cast, 35)
    services.record_introduction(
        sr,
        case,
        {
            "target_kind": "family_association",
            "to_name": "高知ひきこもり家族会",
            "what_given": "家族会のチラシ",
            "rule": "R3a",
        },
    )
    r3a = item(panel(sr, case), "R3a")
    assert r3a.taken == ["このルールによる紹介が記録されています。"]
    services.record_introduction(
        sr,
        case,
        {
            "target_kind": "hikikomori_agency",
            "to_agency": cast.center,
            "what_given": "センターの案内",
            "rule": "R3a",
        },
    )
    r3a = item(panel(sr, case), "R3a")
    assert any(cast.center.name in t and "紹介" in t for t in r3a.taken)


def test_r2_dismissed_suggestions_are_set_apart_until_restored(cast: Cast) -> None:
    staff, _son, case = yamada(cast)
    dismissal = services.dismiss_suggestion(staff, case, "R2", reason="本人が今は望んでいない")
    found = panel(staff, case)
    assert "R2" not in [i.code for i in found.active]
    [set_aside] = [i for i in found.dismissed if i.code == "R2"]
    assert set_aside.dismissal == dismissal
    assert names(set_aside) == ["高知市自立相談支援機関"]  # still resolved, for the record

    services.restore_suggestion(staff, dismissal)
    found = panel(staff, case)
    assert "R2" in [i.code for i in found.active]
    assert not [i for i in found.dismissed if i.code == "R2"]


# --- R6: places of the directory ----------------------------------------------------------------


def test_r6_places_come_from_the_directory_with_their_reasons(cast: Cast) -> None:
    """Rule R6: a son who goes out only at home, would try a place 「午前中だけ」 and cannot talk
    with people yet is shown the directory's places that fit, each with its reasons, and an
    introduction to one of them is offered by name."""
    from tsunagi.directory.models import DirectoryEntry, EntryKind

    staff, _son, case = yamada(cast)
    people.record_assessment(
        staff,
        case,
        {
            "assessed_on": timezone.localdate(),
            "going_out": "home_only",
            "wishes": "午前中だけなら行ってみたい。まだ人と話せない",
        },
    )
    kochi = town(KOCHI_CITY)
    quiet = DirectoryEntry.objects.create(
        kind=EntryKind.IBASHO, name="しずかな居場所", prefecture=kochi.prefecture,
        municipality=kochi, welcomes_silent=True, mornings=True, accompaniment=True,
    )  # fmt: skip
    DirectoryEntry.objects.create(
        kind=EntryKind.WORK_EXPERIENCE, name="夜の就労体験", prefecture=kochi.prefecture,
        municipality=kochi, evenings=True,
    )  # fmt: skip
    hit = item(panel(staff, case), "R6")
    assert [m.entry for m in hit.places] == [quiet]  # not open in the morning: left out
    assert hit.agencies == []  # the directory answers; no agency fallback
    reasons = " ".join(hit.places[0].reasons)
    assert "話すことが難しい方も歓迎" in reasons
    page = cast_client(staff).get(f"/referrals/cases/{case.pk}/suggestions/")
    assert "しずかな居場所" in page.content.decode()


def cast_client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
