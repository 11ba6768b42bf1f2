#!/usr/bin/env python3
"""Merge Japanese translations waiting in tsunagi/locale/pending/*.po into the catalogue.

Work on several parts of tsunagi at once cannot share one django.po safely; each part writes
its new msgid/msgstr pairs to its own pending file, and this merges them (adding the entry, or
filling an empty or fuzzy one; an existing translation is kept) and compiles the .mo. It can be
run any number of times. `makemessages` later adds the source references.

    .venv/bin/python scripts/merge-translations.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "tsunagi" / "locale" / "ja" / "LC_MESSAGES" / "django.po"
PENDING = ROOT / "tsunagi" / "locale" / "pending"


def main() -> int:
    po = polib.pofile(str(CATALOGUE), wrapwidth=79)
    added = filled = 0
    for path in sorted(PENDING.glob("*.po")):
        for entry in polib.pofile(str(path)):
            if not entry.msgstr and not entry.msgstr_plural:
                continue
            current = po.find(entry.msgid, msgctxt=entry.msgctxt)
            if current is None:
                po.append(
                    polib.POEntry(
                        msgid=entry.msgid,
                        msgctxt=entry.msgctxt,
                        msgid_plural=entry.msgid_plural,
                        msgstr=entry.msgstr,
                        msgstr_plural=entry.msgstr_plural,
                    )
                )
                added += 1
            elif (not current.msgstr and not any(current.msgstr_plural.values())) or (
                "fuzzy" in current.flags
            ):
                current.msgstr = entry.msgstr
                current.msgstr_plural = entry.msgstr_plural
                if "fuzzy" in current.flags:
                    current.flags.remove("fuzzy")
                filled += 1
    po.save()
    print(f"merge-translations: {added} added, {filled} filled")
    return subprocess.call([sys.executable, str(ROOT / "scripts" / "compilemessages.py")])


if __name__ == "__main__":
    sys.exit(main())
