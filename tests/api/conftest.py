"""The API tests' world: agencies in 高知県 and 東京都, a named cast, and a client that talks JSON.

The cast has one user per role of access.md, all in 高知県, plus `nobody` (no membership, must
see nothing), `other_staff` (staff of another agency in the same prefecture) and
`tokyo_officer` (the prefectural officer of 東京都).

`api(user)` returns a client that has asked `POST /api/v1/auth/token` for a bearer token and
sends it with every request; `api(None)` sends no token at all.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tsunagi.accounts.models import Role, User
from tsunagi.agencies.models import AgencyKind
from tsunagi.jurisdictions.models import Municipality

from .factories import ApiClient, World, make_agency, make_user, token_for


@pytest.fixture
def api() -> Callable[[User | None], ApiClient]:
    def make(user: User | None) -> ApiClient:
        return ApiClient(token_for(user) if user is not None else None)

    return make


@pytest.fixture
def world(db: None) -> World:
    kochi_towns = list(
        Municipality.objects.filter(prefecture__code="39", has_welfare_office=False).values_list(
            "code", flat=True
        )
    )
    kochi_all = list(
        Municipality.objects.filter(prefecture__code="39").values_list("code", flat=True)
    )
    kochi_office = make_agency(
        "高知県 地域福祉部 地域福祉政策課", AgencyKind.PREFECTURAL_OFFICE, "39",
        name_kana="コウチケンチイキフクシセイサクカ",
    )  # fmt: skip
    center = make_agency(
        "高知県ひきこもり地域支援センター", AgencyKind.HIKIKOMORI_CENTER, "39",
        name_kana="コウチケンヒキコモリチイキシエンセンター", area=kochi_all,
    )  # fmt: skip
    city_office = make_agency(
        "高知市 健康福祉部", AgencyKind.MUNICIPAL_OFFICE, "39", city="39201",
        name_kana="コウチシケンコウフクシブ",
    )  # fmt: skip
    city_self_reliance = make_agency(
        "高知市生活支援相談センター", AgencyKind.SELF_RELIANCE, "39", city="39201",
        name_kana="コウチシセイカツシエンソウダンセンター", area=["39201"],
    )  # fmt: skip
    pref_self_reliance = make_agency(
        "高知県中央西福祉保健所 自立相談支援窓口", AgencyKind.SELF_RELIANCE, "39",
        name_kana="コウチケンチュウオウニシジリツソウダン", area=kochi_towns,
    )  # fmt: skip
    tokyo_office = make_agency("東京都 福祉局", AgencyKind.PREFECTURAL_OFFICE, "13")
    tokyo_self_reliance = make_agency(
        "千代田区くらしサポート", AgencyKind.SELF_RELIANCE, "13", city="13101", area=["13101"]
    )
    return World(
        kochi_office=kochi_office,
        center=center,
        city_office=city_office,
        city_self_reliance=city_self_reliance,
        pref_self_reliance=pref_self_reliance,
        tokyo_office=tokyo_office,
        tokyo_self_reliance=tokyo_self_reliance,
        staff=make_user("staff", center, Role.STAFF),
        manager=make_user("manager", center, Role.MANAGER),
        dispatch_coordinator=make_user("coordinator", city_office, Role.DISPATCH_COORDINATOR),
        supporter=make_user("supporter", city_office, Role.SUPPORTER),
        municipal_officer=make_user("municipal", city_office, Role.MUNICIPAL_OFFICER),
        prefectural_officer=make_user("prefectural", kochi_office, Role.PREFECTURAL_OFFICER),
        auditor=make_user("auditor", center, Role.AUDITOR),
        operator=make_user("operator", None, Role.OPERATOR),
        nobody=make_user("nobody"),
        other_staff=make_user("other-staff", city_self_reliance, Role.STAFF),
        tokyo_officer=make_user("tokyo-officer", tokyo_office, Role.PREFECTURAL_OFFICER),
    )
