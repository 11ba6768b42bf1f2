#!/usr/bin/env python3
"""Compile every tsunagi/locale/*/LC_MESSAGES/*.po to the .mo beside it, with polib.

Django's `compilemessages` needs GNU gettext's msgfmt; this needs only the `polib` package (a dev
dependency), so neither developers nor CI need gettext installed. Like Django's command, it leaves
out fuzzy and untranslated entries; it says how many there were.

    .venv/bin/python scripts/compilemessages.py          # write the .mo files
    .venv/bin/python scripts/compilemessages.py --check  # exit 1 if a .mo is missing or stale

The .mo files are committed. `--check` compares the parsed catalogues, not the bytes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "tsunagi" / "locale"


def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def catalogue(mo: polib.MOFile) -> tuple[dict[str, str], dict[tuple[str | None, str], object]]:
    """The metadata and the messages of a compiled catalogue, for comparing two of them."""
    messages: dict[tuple[str | None, str], object] = {}
    for entry in mo:
        if entry.msgid_plural:
            plural = tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items()))
            messages[(entry.msgctxt, entry.msgid)] = (entry.msgid_plural, plural)
        else:
            messages[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return dict(mo.metadata), messages


def compiled(po_path: Path) -> polib.MOFile:
    """The catalogue that compiling `po_path` gives, read back from a temporary .mo."""
    with tempfile.TemporaryDirectory() as tmp:
        mo_path = Path(tmp) / "compiled.mo"
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        return polib.mofile(str(mo_path))


def is_current(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return False
    return catalogue(polib.mofile(str(mo_path))) == catalogue(compiled(po_path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="only check that every .mo matches its .po"
    )
    args = parser.parse_args(argv)

    paths = po_files()
    if not paths:
        print(f"no .po file under {LOCALE_DIR}", file=sys.stderr)
        return 1
    stale = []
    for po_path in paths:
        name = po_path.relative_to(ROOT)
        if args.check:
            if not is_current(po_path):
                stale.append(name)
            continue
        po = polib.pofile(str(po_path))
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
        skipped = len(po.untranslated_entries()) + len(po.fuzzy_entries())
        note = f", {skipped} untranslated or fuzzy left out" if skipped else ""
        print(f"{name}: {len(po.translated_entries())} messages{note}")
    if stale:
        for name in stale:
            print(
                f"{name}: the .mo is missing or does not match the .po; "
                "run scripts/compilemessages.py",
                file=sys.stderr,
            )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
