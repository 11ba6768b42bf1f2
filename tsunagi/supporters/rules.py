"""The supporters' rules S1-S8 as plain functions over plain facts (seed 004 第3).

Nothing here reads the database: services and selectors gather the facts, these functions
decide, and one test per rule calls them directly.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tsunagi.people.rules import Finding

from .models import DispatchState, Requester

# --- S1 / S2: training and registration ---------------------------------------------------


def completion_findings(sessions: int, attended: int) -> list[Finding]:
    """Rule S1: a course is completed when every session was attended (a missed session can be
    excused with a note, e.g. made up at another session)."""
    if sessions == 0:
        return [
            Finding(
                "no_sessions",
                "S1",
                _("No sessions"),
                _("The course has no sessions yet; completion needs the sessions attended."),
            )
        ]
    if attended < sessions:
        return [
            Finding(
                "sessions_missed",
                "S1",
                _("Sessions missed"),
                _("Attended %(attended)d of %(sessions)d sessions.")
                % {"attended": attended, "sessions": sessions},
            )
        ]
    return []


def excusable(sessions: int, attended: int) -> bool:
    """Rule S1: one missed session may be excused (made up elsewhere); more may not."""
    return sessions > 0 and sessions - attended <= 1


def registration_findings(
    *, completed_basic: bool, consent_signed_on: datetime.date | None, explained: bool
) -> list[Finding]:
    """Rule S2: only a person who finished the training and signed the consent to act, after
    being told that their details go to the municipalities that dispatch supporters, is on the
    roster."""
    found = []
    if not completed_basic:
        found.append(
            Finding(
                "training",
                "S2",
                _("Training not completed"),
                _("Only people who completed the supporter training can be registered."),
            )
        )
    if consent_signed_on is None:
        found.append(
            Finding(
                "consent",
                "S2",
                _("No signed consent"),
                _("The signed consent to act as a supporter has not been recorded."),
            )
        )
    elif not explained:
        found.append(
            Finding(
                "explained",
                "S2",
                _("Not explained"),
                _(
                    "The consent must be signed after explaining that the supporter's details "
                    "are given to the municipalities that dispatch supporters."
                ),
            )
        )
    return found


# --- S4: matching ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """What the household asked for, as the matching reads it."""

    municipality_id: int | None
    postal_code: str = ""
    wants_sex: str = ""
    wants_peer: bool = False
    slots: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Candidate:
    """A supporter on the municipality's confirmed roster, as the matching reads them."""

    supporter_id: int
    name: str
    sex: str = ""
    peer: str = ""
    home_municipality_id: int | None = None
    postal_code: str = ""
    areas: frozenset[int] = frozenset()
    slots: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    visited_household_before: bool = False
    past_dispatches: int = 0
    active_dispatches: int = 0


@dataclass
class Ranked:
    candidate: Candidate
    score: int = 0
    reasons: list[tuple[int, str]] = field(default_factory=list)

    def add(self, points: int, reason: str) -> None:
        self.score += points
        self.reasons.append((points, reason))

    @property
    def explanation(self) -> list[dict[str, object]]:
        """The reasons as stored on the dispatch (rule S4: why this supporter)."""
        return [{"points": p, "reason": r, "rule": "S4"} for p, r in self.reasons]


def _digits(postal_code: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", postal_code) if c.isdecimal())


def rank(need: Need, candidates: Iterable[Candidate]) -> list[Ranked]:
    """Rule S4: rank the supporters who may be matched by area and distance, availability, the
    sex asked for, peer experience and past dispatches, each step with its reason.

    Distance is read from the postal codes (no map data is used): the same postal code, then
    the same first three digits (the same delivery area), then the same municipality."""
    ranked = []
    for c in candidates:
        r = Ranked(c)
        if need.municipality_id is not None and need.municipality_id in c.areas:
            r.add(30, _("Covers the household's municipality"))
        elif need.municipality_id is not None:
            r.add(-40, _("The household's municipality is not among the areas they cover"))
        home, theirs = _digits(need.postal_code), _digits(c.postal_code)
        if len(home) == 7 and home == theirs:
            r.add(20, _("Lives in the same neighbourhood (same postal code)"))
        elif len(home) == 7 and len(theirs) == 7 and home[:3] == theirs[:3]:
            r.add(15, _("Lives nearby (same postal delivery area)"))
        elif need.municipality_id is not None and c.home_municipality_id == need.municipality_id:
            r.add(10, _("Lives in the same municipality"))
        if need.slots:
            common = need.slots & c.slots
            if common:
                r.add(
                    min(15, 5 * len(common)),
                    _("Available at %(n)d of the times that suit the household")
                    % {"n": len(common)},
                )
            else:
                r.add(-15, _("Not available at the times that suit the household"))
        if need.wants_sex:
            if c.sex == need.wants_sex:
                r.add(20, _("The sex the household asked for"))
            else:
                r.add(-50, _("Not the sex the household asked for"))
        if need.wants_peer:
            if c.peer:
                r.add(20, _("Peer supporter, as asked"))
            else:
                r.add(-10, _("Not a peer supporter (one was asked for)"))
        elif c.peer:
            r.add(5, _("Peer supporter (lived experience)"))
        if need.languages:
            missing = need.languages - c.languages
            if missing:
                r.add(-30, _("Does not speak a language the household needs"))
            else:
                r.add(10, _("Speaks the household's language"))
        if c.visited_household_before:
            r.add(10, _("Has supported this household before"))
        if c.past_dispatches:
            r.add(
                min(10, 2 * c.past_dispatches),
                _("%(n)d past dispatches") % {"n": c.past_dispatches},
            )
        if c.active_dispatches:
            r.add(
                -8 * c.active_dispatches,
                _("Already on %(n)d active dispatches") % {"n": c.active_dispatches},
            )
        ranked.append(r)
    return sorted(ranked, key=lambda r: (-r.score, r.candidate.name, r.candidate.supporter_id))


# --- S4 / S5: the dispatch's steps --------------------------------------------------------


@dataclass(frozen=True)
class DispatchFacts:
    state: str
    requested_by: str = ""
    person_wish: str = ""
    supporter_chosen: bool = False
    supporter_registered: bool = False
    supporter_confirmed: bool = False
    purpose: str = ""
    activity_plan: str = ""
    activities: str = ""
    person_consent_on: datetime.date | None = None
    supporter_consent_on: datetime.date | None = None


def request_findings(requested_by: str, person_wish: str) -> list[Finding]:
    """Rule S4: a dispatch starts only when the person or the family asks for it, and the
    person's wish is recorded."""
    found = []
    if requested_by not in (Requester.PERSON, Requester.FAMILY):
        found.append(
            Finding(
                "requester",
                "S4",
                _("Who asked"),
                _("A dispatch starts only when the person or the family asks for it."),
            )
        )
    if not person_wish.strip():
        found.append(
            Finding(
                "wish",
                "S4",
                _("The person's wish"),
                _("Write what the person wishes from a supporter, in their words."),
            )
        )
    return found


def start_findings(d: DispatchFacts) -> list[Finding]:
    """Rule S4: before the first visit the municipality has chosen a confirmed supporter,
    written the purpose, the activity plan and the activities, and has the consent of both the
    person and the supporter. Each finding names what is missing."""
    found = request_findings(d.requested_by, d.person_wish)
    if not d.supporter_chosen:
        found.append(Finding("supporter", "S4", _("Supporter"), _("Choose a supporter.")))
    elif not (d.supporter_registered and d.supporter_confirmed):
        found.append(
            Finding(
                "confirmed",
                "S3",
                _("Supporter not confirmed"),
                _(
                    "The supporter must be on the roster with a signed consent and confirmed "
                    "again by this municipality."
                ),
            )
        )
    for code, value, label in (
        ("purpose", d.purpose, pgettext("dispatch", "Purpose")),
        ("activity_plan", d.activity_plan, pgettext("dispatch", "Activity plan")),
        ("activities", d.activities, pgettext("dispatch", "Activities")),
    ):
        if not value.strip():
            found.append(
                Finding(code, "S4", label, _("Write the %(what)s.") % {"what": label.lower()})
            )
    if d.person_consent_on is None:
        found.append(
            Finding(
                "person_consent",
                "S4",
                _("Person's consent"),
                _("Record the person's (or family's) consent to the dispatch plan."),
            )
        )
    if d.supporter_consent_on is None:
        found.append(
            Finding(
                "supporter_consent",
                "S4",
                _("Supporter's consent"),
                _("Record the supporter's consent to the dispatch plan."),
            )
        )
    return found


# step → (states it may start from, state it leads to)
STEPS: dict[str, tuple[frozenset[str], str]] = {
    "match": (frozenset({DispatchState.REQUESTED, DispatchState.MATCHED}), DispatchState.MATCHED),
    "start": (frozenset({DispatchState.MATCHED}), DispatchState.ACTIVE),
    "stop": (frozenset({DispatchState.ACTIVE, DispatchState.MATCHED}), DispatchState.STOPPED),
    "end": (frozenset({DispatchState.ACTIVE}), DispatchState.ENDED),
    "cancel": (
        frozenset({DispatchState.REQUESTED, DispatchState.MATCHED}),
        DispatchState.CANCELLED,
    ),
}

EDITABLE_STATES = frozenset({DispatchState.REQUESTED, DispatchState.MATCHED})


def step_allowed(step: str, state: str) -> bool:
    starts, _to = STEPS[step]
    return state in starts


# --- S5 / S6: visits ------------------------------------------------------------------------


def visit_findings(
    *,
    state: str,
    visited_on: datetime.date | None,
    today: datetime.date,
    starts_on: datetime.date | None,
    duration_minutes: int | None,
) -> dict[str, str]:
    """Rules S5/S6: a visit is recorded only on an active dispatch (a stopped one takes no
    more visits), on a day from the dispatch's start up to today, lasting 1 minute to 12 hours.
    Answers field → message."""
    errors: dict[str, str] = {}
    if state != DispatchState.ACTIVE:
        errors["dispatch"] = (
            _("This dispatch has been stopped: no visit can be recorded.")
            if state == DispatchState.STOPPED
            else _("Visits can be recorded only while the dispatch is active.")
        )
    if visited_on is None:
        errors["visited_on"] = _("Enter the date of the visit.")
    elif visited_on > today:
        errors["visited_on"] = _("The date of the visit is in the future.")
    elif starts_on is not None and visited_on < starts_on:
        errors["visited_on"] = _("The visit is before the dispatch started.")
    if duration_minutes is None or not 1 <= duration_minutes <= 720:
        errors["duration_minutes"] = _("Enter the duration in minutes (1 to 720).")
    return errors


# --- S8: incidents --------------------------------------------------------------------------


def closure_findings(steps: int, summary: str) -> list[Finding]:
    """Rule S8: an incident is closed after at least one follow-up step, with a summary of how
    it was resolved."""
    found = []
    if steps == 0:
        found.append(
            Finding(
                "steps",
                "S8",
                _("No follow-up"),
                _("Record at least one follow-up step before closing the incident."),
            )
        )
    if not summary.strip():
        found.append(
            Finding(
                "summary",
                "S8",
                _("Summary"),
                _("Write how the incident was resolved."),
            )
        )
    return found


def slots_label(slots: Sequence[str]) -> list[str]:
    from .models import Slot

    labels = dict(Slot.choices)
    return [str(labels.get(s, s)) for s in slots]
