"""Directory services: who may change entries, bad input in Japanese, versions, verification;
and the selectors others use (M1 windows, the public search)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation

from tests.cast import make_cast
from tsunagi.access.models import AuditEvent
from tsunagi.access.policy import Denied
from tsunagi.accounts.models import Role
from tsunagi.agencies.services import EditConflict
from tsunagi.directory import selectors, services
from tsunagi.directory.models import EntryKind
from tsunagi.jurisdictions.models import Municipality, Prefecture

from .factories import make_entry

pytestmark = pytest.mark.django_db
JAPANESE = "ぁ-んァ-ン一-龥"


@pytest.fixture
def cast():
    return make_cast()


def window_data(**changes):
    return {
        "kind": EntryKind.WINDOW,
        "name": "いの町 ひきこもり相談窓口",
        "name_kana": "いのちょう ひきこもりそうだんまどぐち",
        "prefecture": Prefecture.objects.get(code="39"),
        "municipality": Municipality.objects.get(code="39386"),
        "lead_department": "ほけん福祉課",
        "postal_code": "７８１－２１９２",
        "address": "１７００－１",
        "phone": "０８８－８９３－１１１５",
        "channels": ["phone", "visit"],
        **changes,
    }


def _messages(exc: pytest.ExceptionInfo, field: str) -> list[str]:
    return exc.value.message_dict[field]


def test_the_prefectural_officer_adds_a_window_normalised_and_logged(cast):
    officer = cast.users[Role.PREFECTURAL_OFFICER]

    entry = services.create_entry(
        officer, data=window_data(), hours=[(0, datetime.time(9), datetime.time(17))]
    )

    assert entry.postal_code == "781-2192"
    assert entry.phone == "088-893-1115"
    assert entry.name_kana == "イノチョウヒキコモリソウダンマドグチ"
    assert entry.hours.count() == 1
    event = AuditEvent.objects.get(action="directory_entry.created")
    assert not event.personal and event.record_id == str(entry.pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"postal_code": "78-12"}, "postal_code"),
        ({"phone": "12345"}, "phone"),
        ({"min_age": 40, "max_age": 18}, "max_age"),
        ({"min_age": 200}, "min_age"),
        ({"channels": ["fax"]}, "channels"),
        ({"municipality": None}, "municipality"),
        ({"municipality": "13101"}, "municipality"),
    ],
)
def test_bad_input_is_refused_with_a_japanese_message(cast, changes, field):
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    if isinstance(changes.get("municipality"), str):
        changes = {
            **changes,
            "municipality": Municipality.objects.get(code=changes["municipality"]),
        }
    with translation.override("ja"), pytest.raises(ValidationError) as exc:
        services.create_entry(officer, data=window_data(**changes))

    messages = _messages(exc, field)
    assert any(any("\u3040" <= ch <= "\u9fff" for ch in m) for m in messages), messages


def test_a_municipality_outside_the_prefecture_is_refused(cast):
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    with translation.override("ja"), pytest.raises(ValidationError) as exc:
        services.create_entry(
            officer,
            data=window_data(kind=EntryKind.IBASHO),
            area=[Municipality.objects.get(code="13101")],
        )
    assert "area" in exc.value.message_dict


def test_overlapping_hours_are_refused(cast):
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    t = datetime.time
    with pytest.raises(ValidationError) as exc:
        services.create_entry(
            officer, data=window_data(), hours=[(0, t(9), t(12)), (0, t(11), t(15))]
        )
    assert "hours" in exc.value.message_dict


@pytest.mark.parametrize("role", [Role.STAFF, Role.AUDITOR])
def test_roles_that_do_not_keep_the_directory_may_not_add(cast, role):
    with pytest.raises(Denied):
        services.create_entry(cast.users[role], data=window_data())


def test_a_supporter_does_not_even_see_the_directory(cast):
    """A supporter's world is their active dispatches (access.md): the directory answers as if
    it did not exist."""
    with pytest.raises(Http404):
        services.create_entry(cast.users[Role.SUPPORTER], data=window_data())


def test_the_municipal_officer_changes_their_towns_entry_but_not_another_towns(cast):
    municipal = cast.users[Role.MUNICIPAL_OFFICER]  # 高知市's office
    own = make_entry("高知市 ひきこもり相談窓口", EntryKind.WINDOW, "39201")
    other = make_entry("いの町 ひきこもり相談窓口", EntryKind.WINDOW, "39386")

    services.update_entry(municipal, own, data={"lead_department": "地域共生社会推進課"})
    with pytest.raises(Denied):
        services.update_entry(municipal, other, data={"lead_department": "x"})


def test_someone_without_a_role_sees_no_entry(cast):
    entry = make_entry()
    with pytest.raises(Http404):
        selectors.entry(cast.nobody, entry.pk)
    assert not selectors.entries(cast.nobody).exists()


def test_a_stale_version_is_refused_and_nothing_is_saved(cast):
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    entry = make_entry()
    services.update_entry(officer, entry, data={"name": "居場所 ひだまり（新）"}, version=1)

    with pytest.raises(EditConflict):
        services.update_entry(officer, entry, data={"name": "古い版からの変更"}, version=1)
    entry.refresh_from_db()
    assert entry.name == "居場所 ひだまり(新)" and entry.version == 2  # width-normalised


def test_verifying_records_today_and_who(cast):
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    entry = make_entry(verified_on=datetime.date(2020, 1, 1))
    assert selectors.stale_entries(officer).filter(pk=entry.pk).exists()

    services.verify_entry(officer, entry)

    entry.refresh_from_db()
    assert entry.verified_on == timezone.localdate() and entry.verified_by == officer
    assert not selectors.stale_entries(officer).filter(pk=entry.pk).exists()


def test_an_archived_entry_leaves_the_public_pages(cast):
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    entry = make_entry(is_public=True)
    town = Municipality.objects.get(code="39201")
    assert entry in selectors.public_entries(town)

    services.archive_entry(officer, entry)

    assert entry not in selectors.public_entries(town)


def test_m1_a_window_covers_its_town_and_the_towns_in_its_area():
    kochi = Prefecture.objects.get(code="39")
    make_entry("高知市 窓口", EntryKind.WINDOW, "39201")
    make_entry("中央西 合同窓口", EntryKind.WINDOW, None, area=("39386", "39387"))
    make_entry("非公開の窓口", EntryKind.WINDOW, "39402", is_public=False)
    make_entry("居場所", EntryKind.IBASHO, "39205")

    covered = selectors.municipalities_with_window(kochi.pk)

    codes = set(Municipality.objects.filter(pk__in=covered).values_list("code", flat=True))
    assert codes == {"39201", "39386", "39387"}


def test_m1_the_public_page_shows_the_towns_window_first_and_prefecture_wide_places():
    ino = Municipality.objects.get(code="39386")
    window = make_entry("いの町 窓口", EntryKind.WINDOW, "39386")
    wide = make_entry("県全域の家族会", EntryKind.FAMILY_ASSOCIATION, None)
    elsewhere = make_entry("高知市だけの居場所", EntryKind.IBASHO, "39201")
    serving = make_entry("いの町も対象の居場所", EntryKind.IBASHO, "39201", area=("39386",))
    linked = make_entry("ハローワーク", EntryKind.LINKED_AGENCY, "39386")

    shown = selectors.public_entries(ino)

    assert shown[0] == window
    assert wide in shown and serving in shown
    assert elsewhere not in shown and linked not in shown


def test_the_public_search_by_postal_code_finds_the_town():
    make_entry("いの町 窓口", EntryKind.WINDOW, "39386")

    found = selectors.search_public(postal_code="７８１－２１１０")

    assert found.municipality is not None and found.municipality.code == "39386"
    assert [e.name for e in found.entries] == ["いの町 窓口"]


def test_the_public_search_by_name_and_bad_postal_codes():
    town = selectors.search_public(municipality="いの町").municipality
    assert town is not None and town.code == "39386"
    with translation.override("ja"), pytest.raises(ValidationError) as exc:
        selectors.search_public(postal_code="12")
    assert "postal_code" in exc.value.message_dict
    with pytest.raises(ValidationError):
        selectors.search_public(municipality="存在しない村")
