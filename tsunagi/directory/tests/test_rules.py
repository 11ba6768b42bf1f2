"""Pure rules of the directory: the stale flag and the R6 place matching (no database)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import translation

from tsunagi.directory import rules
from tsunagi.directory.models import EntryKind
from tsunagi.people.choices import GoingOut

TODAY = datetime.date(2025, 6, 1)


def place(pk: int, **kw) -> SimpleNamespace:
    values = dict(
        pk=pk,
        kind=EntryKind.IBASHO,
        name=f"place {pk}",
        name_kana="",
        municipality_id=1,
        min_age=None,
        max_age=None,
        residence_required=False,
        welcomes_silent=False,
        accompaniment=False,
        mornings=False,
        afternoons=False,
        evenings=False,
        is_free=True,
        served_ids=set(),
    )
    values.update(kw)
    return SimpleNamespace(**values)


def test_an_entry_verified_within_a_year_is_not_stale():
    assert not rules.stale(SimpleNamespace(verified_on=datetime.date(2024, 6, 1)), TODAY)
    assert not rules.stale(SimpleNamespace(verified_on=TODAY), TODAY)


def test_an_entry_not_verified_for_more_than_a_year_or_never_is_stale():
    assert rules.stale(SimpleNamespace(verified_on=datetime.date(2024, 5, 31)), TODAY)
    assert rules.stale(SimpleNamespace(verified_on=None), TODAY)


def test_a_year_before_29_february_is_28_february():
    assert rules.year_before(datetime.date(2024, 2, 29)) == datetime.date(2023, 2, 28)


def test_r6_a_person_who_cannot_talk_yet_gets_places_that_welcome_silence_first():
    needs = rules.Needs(silent=True, municipality_id=1)
    chatty = place(1, name="a talking circle")
    quiet = place(2, name="a quiet room", welcomes_silent=True)

    with translation.override("ja"):
        found = rules.match_places(needs, [chatty, quiet])

    assert [m.entry.pk for m in found] == [2, 1]
    assert found[0].rule == "R6"
    assert any("話" in r for r in found[0].reasons), found[0].reasons


def test_r6_mornings_only_leaves_out_places_closed_in_the_morning():
    needs = rules.Needs(times=frozenset({"mornings"}))
    evening = place(1, evenings=True)
    morning = place(2, mornings=True)
    unknown = place(3)  # no times recorded: kept, without a reason about time

    found = rules.match_places(needs, [evening, morning, unknown])

    assert [m.entry.pk for m in found] == [2, 3]


def test_r6_near_home_ranks_the_persons_town_then_the_towns_served():
    needs = rules.Needs(municipality_id=10, near_home=True)
    far = place(1, municipality_id=99)
    serving = place(2, municipality_id=99, served_ids={10})
    here = place(3, municipality_id=10)

    found = rules.match_places(needs, [far, serving, here])

    assert [m.entry.pk for m in found] == [3, 2, 1]


def test_r6_age_outside_eligibility_and_residence_elsewhere_are_left_out():
    needs = rules.Needs(age=52, municipality_id=10)
    youth = place(1, max_age=39)
    residents = place(2, municipality_id=20, residence_required=True)
    open_to_all = place(3, min_age=18)

    found = rules.match_places(needs, [youth, residents, open_to_all])

    assert [m.entry.pk for m in found] == [3]


def test_r6_accompaniment_counts_when_the_person_needs_it():
    needs = rules.Needs(accompaniment=True)
    alone = place(1)
    along = place(2, accompaniment=True)

    found = rules.match_places(needs, [alone, along])

    assert found[0].entry.pk == 2


def test_r6_wish_to_work_prefers_work_places_and_groups_are_not_places():
    needs = rules.Needs(wants_work=True)
    ibasho = place(1)
    work = place(2, kind=EntryKind.WORK_EXPERIENCE)
    family = place(3, kind=EntryKind.FAMILY_ASSOCIATION)

    found = rules.match_places(needs, [ibasho, work, family])

    assert [m.entry.pk for m in found] == [2, 1]


def test_r6_needs_are_read_from_the_assessment_and_the_persons_words():
    needs = rules.needs_from(
        age=24,
        municipality_id=7,
        going_out=GoingOut.HOME_ONLY,
        wishes="まだ人と話せないけど、午前中だけなら家の近くに行ってみたい",
    )

    assert needs.silent
    assert needs.times == frozenset({"mornings"})
    assert needs.near_home
    assert needs.accompaniment  # leaves the room but not the house: staff go along
    assert not needs.wants_work


def test_r6_a_person_hardly_leaving_the_room_is_taken_as_not_talking_yet():
    needs = rules.needs_from(age=30, municipality_id=None, going_out=GoingOut.ROOM_ONLY)

    assert needs.silent and needs.accompaniment and not needs.times
