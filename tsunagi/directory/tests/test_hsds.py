"""Open Referral HSDS 3.x: the demo prefecture's export validates against the vendored schema,
the tabular CSV form, the round trip into an empty directory, and imports with bad rows."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.utils import translation

from tests.cast import make_cast
from tsunagi.accounts.models import Role
from tsunagi.demo.directory import build_directory
from tsunagi.directory import hsds
from tsunagi.directory.models import DirectoryEntry, EntryKind
from tsunagi.jurisdictions.models import Prefecture

pytestmark = pytest.mark.django_db

COMPARED = (
    "uuid", "kind", "name", "name_kana", "description", "prefecture_id", "municipality_id",
    "lead_department", "postal_code", "address", "access", "phone", "email", "website",
    "hours_note", "channels", "min_age", "max_age", "residence_required", "eligibility",
    "is_free", "cost", "accompaniment", "welcomes_silent", "mornings", "afternoons", "evenings",
    "is_public", "is_active", "verified_on",
)  # fmt: skip


def snapshot() -> dict[str, tuple]:
    out = {}
    for e in DirectoryEntry.objects.prefetch_related("area", "hours"):
        out[str(e.uuid)] = (
            tuple(getattr(e, f) if f != "channels" else tuple(e.channels) for f in COMPARED),
            tuple(sorted(m.code for m in e.area.all())),
            tuple((h.weekday, h.opens, h.closes) for h in e.hours.all()),
        )
    return out


@pytest.fixture
def kochi():
    return Prefecture.objects.get(code="39")


@pytest.fixture
def demo(kochi):
    build_directory(seed=20250401)
    return kochi


def test_the_demo_export_validates_against_the_hsds_schema(demo):
    exported = hsds.export_json(demo)

    assert exported["total_items"] == DirectoryEntry.objects.filter(is_public=True).count() > 34
    problems = [
        p
        for i, s in enumerate(exported["contents"])
        for p in hsds.schema_problems("service", s, str(i))
    ]
    assert problems == []
    first = exported["contents"][0]
    assert {"organization", "service_at_locations", "phones", "schedules", "service_areas"} <= set(
        first
    )
    assert first["service_at_locations"][0]["location"]["location_type"] == "physical"


def test_the_schema_rejects_what_hsds_does_not_allow():
    bad = {"id": "x", "name": "no status", "status": "open", "minimum_age": "twelve"}
    with translation.override("ja"):
        problems = hsds.schema_problems("service", bad, "1")
    fields = {p.field for p in problems}
    assert {"status", "minimum_age"} <= fields
    assert all(any("\u3040" <= ch <= "\u9fff" for ch in p.message) for p in problems)


def test_the_tabular_form_is_a_zip_of_one_csv_per_table(demo):
    content = hsds.export_csv_zip(demo)

    archive = zipfile.ZipFile(io.BytesIO(content))
    names = set(archive.namelist())
    assert {
        "organizations.csv", "services.csv", "locations.csv", "service_at_locations.csv",
        "phones.csv", "schedules.csv", "service_areas.csv", "datapackage.json",
    } <= names  # fmt: skip
    services = list(csv.DictReader(io.StringIO(archive.read("services.csv").decode())))
    assert len(services) == hsds.export_json(demo)["total_items"]
    assert {"id", "organization_id", "name", "status"} <= set(services[0])
    package = json.loads(archive.read("datapackage.json"))
    assert {r["path"] for r in package["resources"]} <= names


@pytest.mark.parametrize("form", ["json", "csv"])
def test_an_export_imported_into_an_empty_directory_gives_the_same_entries(demo, form):
    officer = make_cast().users[Role.PREFECTURAL_OFFICER]
    before = snapshot()
    content = (
        json.dumps(hsds.export_json(demo), ensure_ascii=False).encode()
        if form == "json"
        else hsds.export_csv_zip(demo)
    )
    DirectoryEntry.objects.all().delete()

    report = hsds.import_upload(officer, f"export.{form}", content)

    assert report.rejected == []
    assert report.created == len(before)
    assert snapshot() == before


def test_a_dry_run_saves_nothing_and_a_second_import_updates(demo):
    officer = make_cast().users[Role.PREFECTURAL_OFFICER]
    content = json.dumps(hsds.export_json(demo)).encode()
    count = DirectoryEntry.objects.count()

    report = hsds.import_upload(officer, "x.json", content, dry_run=True)

    assert report.updated == count and report.dry_run
    DirectoryEntry.objects.all().delete()
    report = hsds.import_upload(officer, "x.json", content, dry_run=True)
    assert report.created == count
    assert DirectoryEntry.objects.count() == 0


def test_bad_rows_are_reported_and_the_good_ones_saved(kochi):
    officer = make_cast().users[Role.PREFECTURAL_OFFICER]
    good = {
        "id": "7b1d0f6e-4a8e-4b59-9a53-2c1d1b2f0a11",
        "name": "居場所 あおぞら",
        "status": "active",
        "x_tsunagi": {"kind": EntryKind.IBASHO, "prefecture": "39", "municipality": "39201"},
    }
    ids = [f"7b1d0f6e-4a8e-4b59-9a53-2c1d1b2f0a{n}" for n in range(12, 17)]
    no_status = {"id": ids[0], "name": "状態なし"}
    bad_phone = {**good, "id": ids[1], "phones": [{"id": ids[2], "number": "12"}]}
    bad_area = {**good, "id": ids[3], "service_areas": [{"id": ids[4], "name": "架空村"}]}
    content = json.dumps([good, no_status, bad_phone, bad_area]).encode()

    with translation.override("ja"):
        report = hsds.import_upload(officer, "x.json", content)

    assert report.created == 1
    by_row = {p.row: p.field for p in report.rejected}
    assert by_row == {
        "サービス 2 件目": "status",
        "サービス 3 件目": "phone",
        "サービス 4 件目": "service_areas",
    }
    assert DirectoryEntry.objects.get().name == "居場所 あおぞら"


def test_a_file_that_is_not_hsds_is_refused_as_a_whole():
    officer = make_cast().users[Role.PREFECTURAL_OFFICER]
    with pytest.raises(hsds.ImportFileError):
        hsds.import_upload(officer, "x.txt", b"not json")
    with pytest.raises(hsds.ImportFileError):
        hsds.import_upload(officer, "x.json", b'{"hello": 1}')


def test_an_officer_of_another_prefecture_has_every_row_rejected(demo):
    cast = make_cast()
    content = json.dumps(hsds.export_json(demo)).encode()
    tokyo_pref = Prefecture.objects.get(code="13")
    from tsunagi.accounts.models import Membership
    from tsunagi.agencies.models import Agency, AgencyKind, OperatorLevel

    office = Agency.objects.create(
        name="東京都 福祉局", kind=AgencyKind.PREFECTURAL_OFFICE, prefecture=tokyo_pref,
        operator_level=OperatorLevel.PREFECTURE, operator_prefecture=tokyo_pref,
    )  # fmt: skip
    Membership.objects.create(user=cast.outsider, agency=office, role=Role.PREFECTURAL_OFFICER)

    report = hsds.import_upload(cast.outsider, "x.json", content, dry_run=True)

    assert report.created == report.updated == 0
    assert report.rejected_rows == hsds.export_json(demo)["total_items"]
