"""In a real browser, with no login: the public pages of the directory (rules M1, M6) pass the
axe-core accessibility check (no "serious" or "critical" violation) on the search page, the
prefecture's list and a municipality's page, on a desktop and on a 375 px phone; the keyboard
reaches the skip link first and the focus is visible; the search by a full-width postal code
leads to the municipality.

axe-core is bundled with the `axe-playwright-python` package (no internet at run time)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from tsunagi.demo.directory import build_directory

SEVERE = {"serious", "critical"}


@pytest.fixture
def directory(transactional_db: None, jurisdictions: None) -> None:
    cache.clear()
    build_directory(seed=1)


def severe_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(", ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v.get("impact") in SEVERE
    ]


@pytest.mark.parametrize("width", [1280, 375])
def test_m1_public_pages_have_no_serious_accessibility_violations(
    page: Page, live_server: Any, directory: None, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for path in ("/public/", "/public/p/39/", "/public/m/39201/"):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_have_count(1)
        assert page.locator("html").get_attribute("lang") == "ja"
        assert severe_violations(page) == [], path
        # one column on a phone: nothing wider than the screen
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)


def test_m1_keyboard_skip_link_and_search_by_full_width_postal_code(
    page: Page, live_server: Any, directory: None
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/public/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.get_by_role("textbox", name="郵便番号").fill("７８０－０８５０")
    page.get_by_role("button", name="検索").click()
    expect(page).to_have_url(live_server.url + "/public/m/39201/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("高知市")
    expect(page.get_by_role("heading", name="相談窓口", exact=True)).to_be_visible()
    assert severe_violations(page) == []


def test_the_check_itself_finds_a_serious_violation(page: Page) -> None:
    """The bundled axe-core runs offline and would report a missing label or alternative text."""
    page.set_content(
        '<html lang="ja"><body><main><h1>見出し</h1><img src="data:,">'
        '<input type="text"></main></body></html>'
    )
    found = severe_violations(page)
    assert any(v.startswith("image-alt") for v in found), found
    assert any(v.startswith("label") for v in found), found
