"""The navigation: each role sees only what it may use (the access module decides)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tsunagi.access.policy import Action, Kind, Role, can, is_operator, roles


@dataclass(frozen=True)
class NavItem:
    label: Any
    url: str
    active: bool


# (label, url name, the permission that shows it)
MENU = (
    (_("Home"), "web:home", None),
    (_("Consultation records"), "people:list", (Action.VIEW, Kind.PERSON)),
    (_("Referrals"), "referrals:list", (Action.VIEW, Kind.REFERRAL)),
    (_("Meetings"), "meetings:list", (Action.VIEW, Kind.MEETING)),
    (_("Plan reviews due"), "plans:reviews", (Action.VIEW, Kind.PLAN)),
    (_("Information sharing"), "consent:grants", (Action.VIEW, Kind.GRANT)),
    (_("Agencies"), "agencies:list", (Action.VIEW, Kind.AGENCY)),
    (_("Municipalities"), "jurisdictions:list", (Action.VIEW, Kind.MUNICIPALITY)),
    (_("Pairings"), "agencies:pairings", (Action.VIEW, Kind.PAIRING)),
    (_("Users"), "accounts:users", (Action.CREATE, Kind.USER)),
    (_("Municipal progress"), "oversight:progress", (Action.VIEW, Kind.MUNICIPAL_STRUCTURE)),
    # the operator of a national installation: counts per prefecture only (M5)
    (_("National progress"), "oversight:national", is_operator),
    (_("Audit log"), "access:log", (Action.VIEW, Kind.AUDIT_EVENT)),
    (_("Statistics"), "figures:index", (Action.VIEW, Kind.STATISTICS)),
    (_("Training courses"), "supporters:courses", (Action.CREATE, Kind.TRAINING)),
    (_("Supporters"), "supporters:list", (Action.CREATE, Kind.SUPPORTER)),
    (_("Supporter roster"), "supporters:roster", (Action.CHANGE, Kind.ROSTER)),
    (_("Dispatches"), "supporters:dispatches", (Action.CHANGE, Kind.ROSTER)),
    # Kind.AGENCY: the registry readers (a supporter may read entries but needs no menu row)
    (_("Directory"), "directory:list", (Action.VIEW, Kind.AGENCY)),
)


# A supporter's world is their active dispatches (access.md): their menu is their own view.
SUPPORTER_MENU = (
    (_("Home"), "web:home", None),
    (_("My visits"), "supporters:mine", None),
    (_("My details"), "supporters:me", None),
)


def menu_for(user: Any, path: str) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    menu = SUPPORTER_MENU if roles(user) == {Role.SUPPORTER} else MENU
    for label, name, permission in menu:
        if callable(permission):
            if not permission(user):
                continue
        elif permission is not None and not can(user, permission[0], permission[1]):
            continue
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        items.append(NavItem(label, url, active))
    return items
