"""The world of the referral walkthroughs (scenarios.md A, B, C, G, I; rules J2–J5, R2–R8):
agencies of every kind the suggestions point at, each with its area, and a member of staff in
each agency that works in tsunagi. Linked agencies without an account (地域包括支援センター,
多重債務相談, 福祉事務所, 自殺対策の相談窓口) get referral letters.

All in 高知県:
- the prefecture's adult center and child center (J4), both covering the whole prefecture;
- 高知市 (a city with a welfare office): its self-reliance agency (J2), its hikikomori station,
  its welfare office and its community general support center;
- the prefecture's two self-reliance agencies for the towns and villages without a welfare
  office (J2): 中央西 for いの町 and the towns around it, 安芸 for the east;
- いの町 (a town without a welfare office): its hikikomori station;
- prefecture-wide windows: 多重債務相談 and the suicide-prevention window;
- 高知県ひきこもり家族会 is not in the registry (an introduction names it by its name).

Helpers talk to the HTTP API the way the walkthroughs do: `client_for(user)`, `answer(...)`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.utils import timezone

from tests.api.factories import API, JAPANESE, ApiClient, make_user, token_for
from tests.sharing import scan
from tsunagi.accounts.models import Role, User
from tsunagi.agencies.models import AgeBand, Agency, AgencyKind, OperatorLevel, Pairing
from tsunagi.jurisdictions.models import Municipality, Prefecture

KOCHI = "39"
KOCHI_CITY = "39201"  # 高知市: a core city with its own welfare office
INO = "39386"  # いの町: a town without a welfare office
EAST_TOWNS = ["39301", "39302", "39303", "39304", "39305", "39306", "39307"]  # 安芸 region


@dataclass
class ReferralWorld:
    adult_center: Agency
    child_center: Agency
    city_self_reliance: Agency
    west_self_reliance: Agency  # the prefecture's, for いの町 and the towns around it
    east_self_reliance: Agency  # the prefecture's, for the eastern towns
    city_station: Agency
    ino_station: Agency
    welfare_office: Agency
    community_support: Agency
    debt_window: Agency
    suicide_window: Agency
    center_staff: User  # adult center
    child_staff: User  # child center
    sr_staff: User  # 高知市's self-reliance agency
    west_sr_staff: User
    station_staff: User  # 高知市's hikikomori station
    ino_staff: User  # いの町's hikikomori station


def _agency(
    name: str,
    kind: str,
    *,
    city: str | None = None,
    area: list[str] | None = None,
    age_band: str = AgeBand.BOTH,
    name_kana: str = "",
) -> Agency:
    """An agency of 高知県, set up by the municipality `city` or else by the prefecture, serving
    `area` (a list of municipality codes; none for a prefecture-wide window)."""
    prefecture = Prefecture.objects.get(code=KOCHI)
    municipality = Municipality.objects.get(code=city) if city else None
    agency = Agency.objects.create(
        name=name,
        name_kana=name_kana,
        kind=kind,
        prefecture=prefecture,
        operator_level=OperatorLevel.MUNICIPALITY if city else OperatorLevel.PREFECTURE,
        operator_prefecture=None if city else prefecture,
        operator_municipality=municipality,
        municipality=municipality,
        age_band=age_band,
    )
    if area:
        agency.area.set(Municipality.objects.filter(code__in=area))
    return agency


def make_referral_world() -> ReferralWorld:
    everywhere = list(
        Municipality.objects.filter(prefecture__code=KOCHI).values_list("code", flat=True)
    )
    towns = set(
        Municipality.objects.filter(prefecture__code=KOCHI, has_welfare_office=False).values_list(
            "code", flat=True
        )
    )
    west = sorted(towns - set(EAST_TOWNS))
    hikikomori = AgencyKind.HIKIKOMORI_CENTER
    adult = _agency("高知県ひきこもり地域支援センター", hikikomori, area=everywhere,
                    age_band=AgeBand.ADULT)  # fmt: skip
    child = _agency("高知県こどもひきこもり相談センター", hikikomori, area=everywhere,
                    age_band=AgeBand.CHILD)  # fmt: skip
    city_sr = _agency("高知市生活支援相談センター", AgencyKind.SELF_RELIANCE, city=KOCHI_CITY,
                      area=[KOCHI_CITY])  # fmt: skip
    west_sr = _agency(
        "高知県中央西福祉保健所 自立相談支援窓口", AgencyKind.SELF_RELIANCE, area=west
    )
    east_sr = _agency("高知県安芸福祉保健所 自立相談支援窓口", AgencyKind.SELF_RELIANCE,
                      area=EAST_TOWNS)  # fmt: skip
    city_station = _agency("高知市ひきこもり支援ステーション", AgencyKind.HIKIKOMORI_STATION,
                           city=KOCHI_CITY, area=[KOCHI_CITY])  # fmt: skip
    ino_station = _agency("いの町ひきこもり支援ステーション", AgencyKind.HIKIKOMORI_STATION,
                          city=INO, area=[INO])  # fmt: skip
    welfare = _agency("高知市福祉事務所", AgencyKind.WELFARE_OFFICE, city=KOCHI_CITY,
                      area=[KOCHI_CITY])  # fmt: skip
    community = _agency("高知市地域包括支援センター", AgencyKind.COMMUNITY_GENERAL_SUPPORT,
                        city=KOCHI_CITY, area=[KOCHI_CITY])  # fmt: skip
    debt = _agency("高知県多重債務相談窓口", AgencyKind.DEBT_CONSULTATION)
    suicide = _agency("高知県こころの相談ダイヤル", AgencyKind.SUICIDE_PREVENTION)
    # J3: the prefecture pairs 高知市's self-reliance agency with the city's station.
    Pairing.objects.create(
        prefecture=city_sr.prefecture, hikikomori_agency=city_station, self_reliance_agency=city_sr
    )
    return ReferralWorld(
        adult_center=adult,
        child_center=child,
        city_self_reliance=city_sr,
        west_self_reliance=west_sr,
        east_self_reliance=east_sr,
        city_station=city_station,
        ino_station=ino_station,
        welfare_office=welfare,
        community_support=community,
        debt_window=debt,
        suicide_window=suicide,
        center_staff=make_user("center-staff", adult, Role.STAFF),
        child_staff=make_user("child-staff", child, Role.STAFF),
        sr_staff=make_user("sr-staff", city_sr, Role.STAFF),
        west_sr_staff=make_user("west-sr-staff", west_sr, Role.STAFF),
        station_staff=make_user("station-staff", city_station, Role.STAFF),
        ino_staff=make_user("ino-staff", ino_station, Role.STAFF),
    )


def manager_of(agency: Agency, username: str) -> User:
    return make_user(username, agency, Role.MANAGER)


ENGLISH_PHRASE = re.compile(r"[A-Za-z]{3,} [A-Za-z']{3,} [A-Za-z]{3,}")


def japanese(text: str) -> bool:
    """What staff read: Japanese, not an untranslated English sentence."""
    return bool(JAPANESE.search(text)) and not ENGLISH_PHRASE.search(text)


@contextmanager
def on_day(day: datetime.date, hour: int = 10) -> Iterator[None]:
    """Run the block as if it were `day`, from `hour` o'clock Japan time on: the whole system's
    clock (django.utils.timezone.now, and so localdate), so the API's "today", every timestamp
    and the bearer tokens agree. Make the API clients inside the block (tokens last 30 days)."""
    real_now = timezone.now
    start = real_now()
    target = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    with mock.patch("django.utils.timezone.now", lambda: target + (real_now() - start)):
        yield


# --- talking to the API ---------------------------------------------------------------------


def client_for(user: User) -> ApiClient:
    return ApiClient(token_for(user))


def answer(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    return response.json()


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return datetime.date(day.year - years, 3, 1)


def register(
    client: ApiClient,
    person: dict[str, Any],
    *,
    summary: str,
    problems: list[str],
    initiator: str = "person",
    channel: str = "phone",
    **contact: Any,
) -> tuple[dict[str, Any], int]:
    """A person registered and the first contact that opens their case: (person, case id)."""
    created = answer(client.post("/persons", person), 201)
    opened = answer(
        client.post(
            "/contacts",
            {
                "person": created["id"],
                "channel": channel,
                "initiator": initiator,
                "summary": summary,
                "problems": problems,
                "main_problem": problems[0],
                **contact,
            },
        ),
        201,
    )
    assert opened["case_opened"] is True
    return created, opened["case_id"]


def record_consent(
    client: ApiClient, person_id: int, agency: Agency, **extra: Any
) -> dict[str, Any]:
    """A signed paper consent naming `agency`, sent as a multipart form with its scan."""
    today = timezone.localdate()
    form = {
        "person": person_id,
        "given_by": "subject",
        "recipient_agency": agency.pk,
        "purpose": "相談支援のため",
        "kinds": ["identity", "situation"],
        "given_on": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=365)).isoformat(),
        "method": "signed_paper",
        "scan": scan(),
        **extra,
    }
    response = client.client.post(API + "/consents", form, headers=client._headers())
    body: dict[str, Any] = answer(response, 201)
    return body


def step_names(referral: dict[str, Any]) -> list[str]:
    return [s["step"] for s in referral["next_steps"]]
