"""Access to the supporters' records through the selectors (rules S3, S5): lists and 404s."""

from __future__ import annotations

import pytest
from django.http import Http404

from tsunagi.access.policy import Kind, get_visible
from tsunagi.people.models import Person
from tsunagi.supporters import selectors as sel
from tsunagi.supporters import services as sv
from tsunagi.supporters.models import Dispatch, DispatchState, Supporter

from .factories import make_dispatch, make_world

pytestmark = pytest.mark.django_db


def test_s5_the_supporter_gets_404_after_the_stop() -> None:
    w = make_world()
    d = make_dispatch(w)
    sup = w.supporter_user
    assert get_visible(sup, Kind.DISPATCH, Dispatch.objects.all(), pk=d.pk) == d
    sv.stop(w.coordinator, d, requested_by="family", reason="家族の希望")
    with pytest.raises(Http404):
        get_visible(sup, Kind.DISPATCH, Dispatch.objects.all(), pk=d.pk)
    assert not sel.dispatches(sup).exists()
    # the coordinator still has it, with the reason
    assert get_visible(w.coordinator, Kind.DISPATCH, Dispatch.objects.all(), pk=d.pk)


def test_s4_lists_of_dispatches_by_office_and_supporter() -> None:
    w = make_world()
    d = make_dispatch(w)
    requested = make_dispatch(w, state=DispatchState.REQUESTED)
    assert set(sel.dispatches(w.coordinator)) == {d, requested}
    assert not sel.dispatches(w.other_coordinator).exists()
    assert not sel.dispatches(w.officer).exists()
    assert list(sel.dispatches(w.supporter_user)) == [d]
    assert not sel.dispatches(w.supporters[1].user).exists()


def test_s3_rosters_and_supporters_by_office() -> None:
    w = make_world()
    assert set(sel.roster(w.coordinator, w.city_office.pk).values_list("supporter", flat=True)) == {
        s.pk for s in w.supporters
    }
    # another office's roster is not the coordinator's to read
    assert not sel.roster(w.coordinator, w.other_office.pk).exists()
    assert set(sel.supporters(w.coordinator)) == set(w.supporters)
    assert set(sel.supporters(w.officer)) == set(w.supporters)
    assert not sel.supporters(w.center_staff).exists()
    with pytest.raises(Http404):
        get_visible(w.center_staff, Kind.SUPPORTER, Supporter.objects.all(), pk=w.supporter.pk)


def test_s7_the_coordinator_sees_their_offices_persons_only() -> None:
    w = make_world()
    center_person = Person.objects.create(agency=w.center, family_name="他", given_name="一")
    assert get_visible(w.coordinator, Kind.PERSON, Person.objects.all(), pk=w.person.pk)  # type: ignore[union-attr]
    with pytest.raises(Http404):
        get_visible(w.coordinator, Kind.PERSON, Person.objects.all(), pk=center_person.pk)
    with pytest.raises(Http404):
        get_visible(w.other_coordinator, Kind.PERSON, Person.objects.all(), pk=w.person.pk)  # type: ignore[union-attr]
