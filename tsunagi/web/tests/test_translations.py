"""The translation catalogues: complete, compiled, and used by the screens.

The .mo files are committed and built with `scripts/compilemessages.py` (polib), so these tests
need no gettext binary either.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_FILES = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def _name(path: Path) -> str:
    return str(path.relative_to(LOCALE_DIR))


def _catalogue(mo: polib.MOFile) -> tuple[dict[str, str], dict[tuple[str | None, str], Any]]:
    messages: dict[tuple[str | None, str], Any] = {}
    for entry in mo:
        if entry.msgid_plural:
            plural = tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items()))
            messages[(entry.msgctxt, entry.msgid)] = (entry.msgid_plural, plural)
        else:
            messages[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return dict(mo.metadata), messages


def test_there_is_a_japanese_catalogue():
    assert LOCALE_DIR / "ja" / "LC_MESSAGES" / "django.po" in PO_FILES


@pytest.mark.parametrize("po_path", PO_FILES, ids=_name)
def test_every_entry_is_translated_and_none_is_fuzzy(po_path: Path):
    po = polib.pofile(str(po_path))
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("po_path", PO_FILES, ids=_name)
def test_the_committed_mo_is_what_the_po_compiles_to(po_path: Path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{_name(mo_path)} is missing: run scripts/compilemessages.py"
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "django.mo"
        polib.pofile(str(po_path)).save_as_mofile(str(fresh))
        expected = _catalogue(polib.mofile(str(fresh)))
    assert _catalogue(polib.mofile(str(mo_path))) == expected, (
        f"{_name(mo_path)} is stale: run scripts/compilemessages.py"
    )


@pytest.mark.parametrize(
    ("english", "japanese"),
    [
        ("Agencies", "機関一覧"),
        ("Log in", "ログイン"),
        ("Self-reliance consultation support agency", "自立相談支援機関"),
        ("Hikikomori regional support center", "ひきこもり地域支援センター"),
        ("Designated city", "指定都市"),
        ("Consultation staff / coordinator", "相談支援員・コーディネーター"),
        ("Audit log", "監査ログ"),
        (
            "The user name or password is not correct.",
            "ユーザー名またはパスワードが正しくありません。",
        ),
    ],
)
def test_key_strings_are_japanese(english: str, japanese: str):
    with translation.override("ja"):
        assert translation.gettext(english) == japanese
    with translation.override("en"):
        assert translation.gettext(english) == english


def test_placeholders_and_plurals_survive_translation():
    with translation.override("ja"):
        message = translation.gettext(
            "J6: %(n)d hikikomori support coordinator(s); at least %(min)d are required."
        ) % {"n": 1, "min": 2}
        agencies = translation.ngettext("%(n)s agency", "%(n)s agencies", 3) % {"n": 3}
    assert message == "J6: ひきこもり支援コーディネーターが1名です。2名以上の配置が必要です。"
    assert agencies == "3件の機関"


def test_model_choices_translate_lazily():
    from tsunagi.accounts.models import Role
    from tsunagi.jurisdictions.models import LocalGovernmentKind

    with translation.override("ja"):
        assert str(Role.OPERATOR.label) == "運用管理者"
        assert str(LocalGovernmentKind.SPECIAL_WARD.label) == "特別区"


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_login_page_is_japanese_by_default(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "ログイン" in page
    assert "Log in" not in page


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_language_cookie_switches_the_login_page_to_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/accounts/login/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "ログイン" not in page


@pytest.mark.django_db
def test_a_failed_login_is_explained_in_japanese(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})

    assert response.status_code == 200
    assert "ユーザー名またはパスワードが正しくありません。" in response.content.decode()


def test_no_translated_text_hides_inside_an_f_string() -> None:
    """makemessages cannot see `_("…")` inside an f-string: the text would lose its Japanese at
    the next catalogue update. Translate first, then format."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"""f(["'])[^"'\n]*\{\s*(_|gettext|pgettext)\(""")
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []
