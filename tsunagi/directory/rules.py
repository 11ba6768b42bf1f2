"""Rules of the directory, as pure functions (no database): which entries are stale, and which
places match a person (rule R6).

The reasons shown to staff come from here (English msgids, Japanese in the catalogue).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tsunagi.people.choices import GoingOut

from .models import PLACE_KINDS, EntryKind

WORK_KINDS = frozenset(
    {
        EntryKind.WORK_EXPERIENCE,
        EntryKind.WORK_READINESS,
        EntryKind.CERTIFIED_TRAINING,
        EntryKind.AGRICULTURE_WELFARE,
        EntryKind.VOLUNTEERING,
    }
)
TIMES = ("mornings", "afternoons", "evenings")


def year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def stale(entry: Any, today: datetime.date) -> bool:
    """An entry not verified for a year (or never) is flagged: its contacts and hours may be
    out of date (issue 8: "entries that have not been verified for a year are flagged")."""
    verified = getattr(entry, "verified_on", None)
    return verified is None or verified < year_before(today)


def stale_reason(entry: Any, today: datetime.date) -> str:
    if getattr(entry, "verified_on", None) is None:
        return _("Never verified.")
    return _("Not verified for more than a year (last verified on %(day)s).") % {
        "day": entry.verified_on.isoformat()
    }


@dataclass(frozen=True)
class Needs:
    """What the person's assessment and wishes say about a place to go (rule R6)."""

    age: int | None = None
    municipality_id: int | None = None
    silent: bool = False  # cannot talk with others yet
    times: frozenset[str] = frozenset()  # e.g. {"mornings"}: only then; empty: any time
    near_home: bool = False
    accompaniment: bool = False  # wants (or needs) staff to go along on a first visit
    wants_work: bool = False
    kinds: frozenset[str] = frozenset(PLACE_KINDS)


@dataclass
class PlaceMatch:
    entry: Any
    score: int
    reasons: list[str] = field(default_factory=list)
    rule: str = "R6"


_SILENT = re.compile(r"話せ(ない|ず)|話すのが|会話(が|は)?(苦手|でき|難し|無理)|しゃべれ|無言|喋れ")
_MORNING = re.compile(r"午前|朝")
_AFTERNOON = re.compile(r"午後|昼")
_EVENING = re.compile(r"夕方|夜")
_ONLY = re.compile(r"だけ|のみ|しか")
_NEAR = re.compile(r"近く|近所|家から近|遠くは|遠出")
_WORK = re.compile(r"働|仕事|就労|就職|アルバイト|バイト")
_ALONG = re.compile(r"同行|一緒に|ついて(きて|来て)")


def needs_from(
    *,
    age: int | None,
    municipality_id: int | None,
    going_out: str = "",
    wishes: str = "",
    notes: str = "",
) -> Needs:
    """Rule R6: read the needs from the assessment (how far the person goes out) and from the
    person's wishes in their own words (for example 「午前中だけなら」「まだ人と話せない」
    「家の近く」)."""
    text = f"{wishes}\n{notes}"
    withdrawn = going_out in (GoingOut.HOME_ONLY, GoingOut.ROOM_ONLY)
    times: set[str] = set()
    if _ONLY.search(text):
        for name, pattern in (
            ("mornings", _MORNING),
            ("afternoons", _AFTERNOON),
            ("evenings", _EVENING),
        ):
            if pattern.search(text):
                times.add(name)
    return Needs(
        age=age,
        municipality_id=municipality_id,
        silent=bool(_SILENT.search(text)) or going_out == GoingOut.ROOM_ONLY,
        times=frozenset(times),
        near_home=bool(_NEAR.search(text)) or withdrawn or going_out == GoingOut.NEIGHBOURHOOD,
        accompaniment=bool(_ALONG.search(text)) or withdrawn,
        wants_work=bool(_WORK.search(text)),
    )


def _served(entry: Any, areas: Mapping[int, Iterable[int]] | None) -> set[int]:
    if areas is not None:
        return set(areas.get(entry.pk, ()))
    return set(getattr(entry, "served_ids", ()) or ())


def match_places(
    needs: Needs,
    entries: Iterable[Any],
    areas: Mapping[int, Iterable[int]] | None = None,
) -> list[PlaceMatch]:
    """Rule R6: the places that fit the person, best first, each with its reasons.

    Left out: places the person is too young or too old for, places for residents of another
    area, places not open at the only time the person can go. Ranked by: welcomes people who
    cannot talk yet (when they cannot), near home, staff can go along on a first visit, work
    places for a person who wishes to work. `areas` maps entry id → municipality ids served
    (else the entry's `served_ids`)."""
    matches = []
    for entry in entries:
        if entry.kind not in needs.kinds:
            continue
        if needs.age is not None and (
            (entry.min_age is not None and needs.age < entry.min_age)
            or (entry.max_age is not None and needs.age > entry.max_age)
        ):
            continue
        served = _served(entry, areas)
        here = needs.municipality_id is not None and needs.municipality_id == entry.municipality_id
        serves = needs.municipality_id is not None and needs.municipality_id in served
        if entry.residence_required and needs.municipality_id is not None and not (here or serves):
            continue
        open_times = {t for t in TIMES if getattr(entry, t, False)}
        if needs.times and open_times and not (needs.times & open_times):
            continue
        score = 0
        reasons: list[str] = []
        if needs.silent:
            if entry.welcomes_silent:
                score += 4
                reasons.append(_("Welcomes people who cannot talk yet."))
            else:
                score -= 2
        if needs.times and needs.times & open_times:
            score += 2
            reasons.append(
                _("Open when the person can go (%(times)s).")
                % {"times": "、".join(_time_label(t) for t in sorted(needs.times & open_times))}
            )
        if here:
            score += 3 if needs.near_home else 2
            reasons.append(_("In the person's municipality."))
        elif serves:
            score += 2 if needs.near_home else 1
            reasons.append(_("Serves the person's municipality."))
        elif needs.near_home:
            score -= 1
        if entry.accompaniment:
            score += 2 if needs.accompaniment else 1
            reasons.append(_("Staff can go along on the first visit."))
        if needs.wants_work and entry.kind in WORK_KINDS:
            score += 2
            reasons.append(_("A step towards the work the person wishes for."))
        if needs.age is not None and (entry.min_age is not None or entry.max_age is not None):
            reasons.append(_("The person's age is within who may use it."))
        if getattr(entry, "is_free", False):
            reasons.append(_("Free of charge."))
        matches.append(PlaceMatch(entry=entry, score=score, reasons=reasons))
    matches.sort(key=lambda m: (-m.score, m.entry.name_kana or m.entry.name, m.entry.pk or 0))
    return matches


def _time_label(name: str) -> str:
    return {
        "mornings": _("mornings"),
        "afternoons": _("afternoons"),
        "evenings": _("evenings"),
    }[name]
