"""A small named cast for screen tests: one user per role in 高知県, a colleague and an outsider
in 東京都, and `nobody`, who has an account but no role and must see nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from tsunagi.accounts.models import Membership, Role, User
from tsunagi.agencies.models import Agency, AgencyKind, OpeningHours, OperatorLevel, StaffMember
from tsunagi.jurisdictions.models import Municipality, Prefecture

PASSWORD = "cast-password-2025"


@dataclass
class Cast:
    center: Agency
    self_reliance: Agency
    office: Agency
    city_office: Agency
    tokyo_agency: Agency
    users: dict[Role, User]
    nobody: User
    outsider: User


def _user(username: str, agency: Agency | None, role: Role) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, full_name=username)
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


def make_cast() -> Cast:
    kochi = Prefecture.objects.get(code="39")
    tokyo = Prefecture.objects.get(code="13")
    kochi_city = Municipality.objects.get(code="39201")

    def agency(name: str, kind: str, prefecture: Prefecture = kochi, **extra: object) -> Agency:
        return Agency.objects.create(
            name=name, kind=kind, prefecture=prefecture, operator_level=OperatorLevel.PREFECTURE,
            operator_prefecture=prefecture, **extra,
        )  # fmt: skip

    office = agency("高知県 地域福祉政策課", AgencyKind.PREFECTURAL_OFFICE)
    center = agency(
        "高知県ひきこもり地域支援センター",
        AgencyKind.HIKIKOMORI_CENTER,
        name_kana="コウチケンヒキコモリチイキシエンセンター",
        municipality=kochi_city,
    )
    center.area.set(Municipality.objects.filter(prefecture=kochi))
    StaffMember.objects.create(agency=center, name="土佐 花子", is_coordinator=True,
                               qualifications=["social_worker"])  # fmt: skip
    for day in range(5):
        OpeningHours.objects.create(agency=center, weekday=day, opens=time(9), closes=time(17))
    self_reliance = Agency.objects.create(
        name="高知市自立相談支援機関", kind=AgencyKind.SELF_RELIANCE, prefecture=kochi,
        operator_level=OperatorLevel.MUNICIPALITY, operator_municipality=kochi_city,
    )  # fmt: skip
    self_reliance.area.set([kochi_city])
    city_office = Agency.objects.create(
        name="高知市 健康福祉部", kind=AgencyKind.MUNICIPAL_OFFICE, prefecture=kochi,
        operator_level=OperatorLevel.MUNICIPALITY, operator_municipality=kochi_city,
    )  # fmt: skip
    tokyo_agency = agency("東京都の自立相談支援機関", AgencyKind.SELF_RELIANCE, tokyo)
    users = {
        Role.STAFF: _user("staff", center, Role.STAFF),
        Role.MANAGER: _user("manager", center, Role.MANAGER),
        Role.DISPATCH_COORDINATOR: _user("coordinator", city_office, Role.DISPATCH_COORDINATOR),
        Role.SUPPORTER: _user("supporter", city_office, Role.SUPPORTER),
        Role.MUNICIPAL_OFFICER: _user("municipal", city_office, Role.MUNICIPAL_OFFICER),
        Role.PREFECTURAL_OFFICER: _user("prefectural", office, Role.PREFECTURAL_OFFICER),
        Role.AUDITOR: _user("auditor", center, Role.AUDITOR),
        Role.OPERATOR: _user("operator", None, Role.OPERATOR),
    }
    nobody = User.objects.create_user(username="nobody", password=PASSWORD)
    outsider = _user("outsider", tokyo_agency, Role.STAFF)
    return Cast(center, self_reliance, office, city_office, tokyo_agency, users, nobody, outsider)
