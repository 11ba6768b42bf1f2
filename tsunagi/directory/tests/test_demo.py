"""The demo directory of 高知県: a window for each of the 34 municipalities (walkthrough H),
places and groups, some entries unverified for over a year; idempotent, and reset."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tsunagi.demo.directory import build_directory, directory_counts, reset_directory
from tsunagi.directory import rules, selectors
from tsunagi.directory.models import PLACE_KINDS, DirectoryEntry
from tsunagi.jurisdictions.models import Municipality, Prefecture

pytestmark = pytest.mark.django_db


def test_m1_every_municipality_of_the_demo_prefecture_has_named_a_window():
    kochi = Prefecture.objects.get(code="39")
    build_directory(seed=1)

    towns = Municipality.objects.filter(prefecture=kochi, abolished_on__isnull=True)
    assert towns.count() == 34
    assert selectors.municipalities_with_window(kochi.pk) == set(towns.values_list("pk", flat=True))
    assert all(e.lead_department for e in DirectoryEntry.objects.filter(kind="window"))


def test_the_demo_has_places_groups_and_stale_entries_and_is_idempotent():
    first = build_directory(seed=1)
    again = build_directory(seed=1)

    assert first["directory entries"] > 45 and not again
    entries = list(DirectoryEntry.objects.all())
    assert sum(e.kind in PLACE_KINDS for e in entries) >= 12
    assert any(e.welcomes_silent for e in entries)
    assert any(rules.stale(e, timezone.localdate()) for e in entries)
    assert directory_counts()["consultation windows"] >= 34


def test_the_same_seed_gives_the_same_entries_and_reset_removes_them():
    build_directory(seed=7)
    before = sorted(DirectoryEntry.objects.values_list("uuid", "name", "phone"))
    reset_directory()
    assert not DirectoryEntry.objects.exists()
    build_directory(seed=7)
    assert sorted(DirectoryEntry.objects.values_list("uuid", "name", "phone")) == before
