"""`/api/v1/hsds/export` and `/api/v1/hsds/import`: the public directory in HSDS 3.0, JSON and
the tabular CSV zip; imports with a report of rejected rows, a dry run, and who may import."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tsunagi.directory import hsds
from tsunagi.directory.models import DirectoryEntry, EntryKind
from tsunagi.directory.tests.factories import make_entry

from .factories import API, assert_error, field_errors

pytestmark = pytest.mark.django_db


def upload(api, user, content: bytes, name: str = "hsds.json", **form):
    client = api(user)
    return client.client.post(
        f"{API}/hsds/import",
        {"file": SimpleUploadedFile(name, content), **form},
        headers=client._headers(),
    )


def test_the_export_is_hsds_json_of_public_entries(world, api):
    make_entry("公開の居場所", EntryKind.IBASHO, "39201", phone="088-823-0001")
    make_entry("非公開", EntryKind.IBASHO, "39201", is_public=False)

    response = api(world.staff).get("/hsds/export", prefecture="39")

    assert response.status_code == 200
    body = response.json()
    assert [s["name"] for s in body["contents"]] == ["公開の居場所"]
    assert hsds.schema_problems("service", body["contents"][0], "1") == []


def test_the_csv_export_is_a_zip(world, api):
    make_entry()
    response = api(world.staff).get("/hsds/export", format="csv")

    assert response["Content-Type"] == "application/zip"
    assert "services.csv" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_bad_export_parameters_answer_422_and_nobody_403(world, api):
    assert field_errors(api(world.staff).get("/hsds/export", format="xml"), "format")
    assert field_errors(api(world.staff).get("/hsds/export", prefecture="99"), "prefecture")
    assert_error(api(world.nobody).get("/hsds/export"), 403)


def test_import_with_a_dry_run_and_then_for_real(world, api):
    make_entry("居場所 ひだまり")
    content = json.dumps(hsds.export_json()).encode()
    DirectoryEntry.objects.all().delete()

    dry = upload(api, world.prefectural_officer, content, dry_run="true").json()
    assert dry == {"dry_run": True, "created": 1, "updated": 0, "rejected_rows": 0, "rejected": []}
    assert not DirectoryEntry.objects.exists()

    done = upload(api, world.prefectural_officer, content).json()
    assert done["created"] == 1
    assert DirectoryEntry.objects.get().name == "居場所 ひだまり"


def test_rejected_rows_are_reported_in_japanese(world, api):
    content = json.dumps([{"id": "not-a-uuid", "name": "x", "status": "open"}]).encode()

    body = upload(api, world.prefectural_officer, content).json()

    assert body["rejected_rows"] == 1
    fields = {r["field"] for r in body["rejected"]}
    assert {"id", "status"} <= fields
    assert all(r["row"] == "サービス 1 件目" for r in body["rejected"])


def test_a_file_that_is_not_hsds_answers_422(world, api):
    assert field_errors(upload(api, world.prefectural_officer, b"hello", "x.txt"), "file")


def test_roles_that_do_not_keep_the_directory_may_not_import(world, api):
    for user in (world.staff, world.auditor, world.nobody):
        assert_error(upload(api, user, b"[]"), 403)
