"""The browser the tests drive: Debian's Chromium, in Japanese, on Tokyo time."""


def test_the_page_speaks_japanese_on_tokyo_time(page):
    page.set_content("<html lang='ja'><body><h1>つなぎ</h1></body></html>")

    assert page.evaluate("navigator.language") == "ja-JP"
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Tokyo"
    assert page.locator("h1").inner_text() == "つなぎ"
    assert page.locator("h1").bounding_box()["width"] > 0
