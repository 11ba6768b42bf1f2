"""Small steps shared by the browser walkthroughs of the referral issue (A end to end, C): the
world of agencies of `tests.referral_world` with staff who log in through the login screen, and
a locator for a field by its Japanese label."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.api.factories import PASSWORD
from tests.referral_world import ReferralWorld, make_referral_world
from tsunagi.accounts.models import User

# The staff who appear on the timelines, with names a person would have.
NAMES = {
    "center-staff": "土佐 花子",
    "sr-staff": "高知 次郎",
    "station-staff": "桂 三郎",
}


def world_with_names() -> ReferralWorld:
    world = make_referral_world()
    for username, name in NAMES.items():
        User.objects.filter(username=username).update(full_name=name)
    return world


def log_in(page: Page, base: str, username: str) -> None:
    """A fresh login as `username` (cookies of an earlier user are dropped)."""
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("navigation", name="メインメニュー")).to_be_visible()


def field(where: Page | Locator, label: str) -> Locator:
    """The input labelled exactly `label` (a required field's label ends in 必須)."""
    return where.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*必須)?\s*$"))
