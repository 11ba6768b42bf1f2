"""The review fixes of issue 8 beyond `test_review.py`: who may name which towns in an entry's
area served (C6) and which agency an entry may name (C7), what the HSDS import reads and
refuses (E11-E18), the public search's and the API's answers to bad input (F20, F21), and the
public prefecture page's count of current municipalities."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from tests.cast import Cast, make_cast
from tsunagi.accounts.models import Role
from tsunagi.directory import hsds, selectors, services
from tsunagi.directory.models import DirectoryEntry, EntryKind
from tsunagi.jurisdictions.models import LocalGovernmentKind, Municipality, Prefecture

pytestmark = pytest.mark.django_db

SERVICE_ID = "0c6f5a3e-9f4b-4d51-8d0e-5b8d5c1f2a22"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def cast() -> Cast:
    return make_cast()


def _service(**extra: Any) -> dict[str, Any]:
    return {
        "id": SERVICE_ID,
        "name": "居場所 ひだまり",
        "status": "active",
        "x_tsunagi": {"kind": EntryKind.IBASHO, "prefecture": "39", "municipality": "39201"},
        **extra,
    }


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _services_csv(encoding: str = "utf-8", description: str = "説明") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["id", "organization_id", "name", "description", "status", "x_tsunagi"])
    ext = json.dumps({"kind": "ibasho", "prefecture": "39", "municipality": "39201"})
    writer.writerow([SERVICE_ID, "", "居場所 ひだまり", description, "active", ext])
    return text.getvalue().encode(encoding)


def _import(cast: Cast, content: bytes, name: str = "hsds.json", **kw: Any) -> hsds.ImportReport:
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    return hsds.import_upload(officer, name, content, prefecture=_kochi(), **kw)


def _kochi() -> Prefecture:
    return Prefecture.objects.get(code="39")


def _town(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


# --- C6: the area served names only towns the user may keep entries of ---------------------


def test_c6_municipal_officer_cannot_add_another_town_on_update(cast: Cast) -> None:
    officer = cast.users[Role.MUNICIPAL_OFFICER]  # 高知市
    kochi_city, nankoku = _town("39201"), _town("39204")
    entry = services.create_entry(
        officer,
        data={"kind": EntryKind.WINDOW, "name": "高知市の窓口", "prefecture": _kochi(),
              "municipality": kochi_city},
        area=[kochi_city],
    )  # fmt: skip
    with pytest.raises(ValidationError) as info, translation.override("ja"):
        services.update_entry(officer, entry, data={}, area=[kochi_city, nankoku])
    assert "南国市" in info.value.message_dict["area"][0]
    assert list(entry.area.values_list("code", flat=True)) == ["39201"]


def test_c6_prefectural_officer_names_any_town_of_the_prefecture(cast: Cast) -> None:
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    area = [_town("39201"), _town("39204")]
    entry = services.create_entry(
        officer,
        data={"kind": EntryKind.WINDOW, "name": "共同の窓口", "prefecture": _kochi()},
        area=area,
    )
    assert sorted(entry.area.values_list("code", flat=True)) == ["39201", "39204"]
    # a municipal officer editing it keeps the towns already named
    municipal = cast.users[Role.MUNICIPAL_OFFICER]
    entry.municipality = area[0]
    entry.save()
    services.update_entry(municipal, entry, data={"name": "高知市と南国市の窓口"}, area=area)


def test_c6_hsds_import_by_a_municipal_officer_naming_another_town_is_a_rejected_row(
    cast: Cast,
) -> None:
    service = _service(
        service_areas=[
            {
                "id": "5d1e9a4c-2b7f-4c3a-9e8d-1f2a3b4c5d6e",
                "service_id": SERVICE_ID,
                "name": "南国市",
                "uri": "urn:jp:lg-code:392049",
            }
        ]
    )
    officer = cast.users[Role.MUNICIPAL_OFFICER]
    report = hsds.import_upload(officer, "x.json", json.dumps([service]).encode())
    assert report.created == 0 and report.rejected_rows == 1
    assert report.rejected[0].field == "area"


# --- C7: the agency named is one of the entry's prefecture -----------------------------------


def test_c7_agency_of_another_prefecture_is_refused(cast: Cast) -> None:
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    with pytest.raises(ValidationError) as info:
        services.create_entry(
            officer,
            data={"kind": EntryKind.LINKED_AGENCY, "name": "東京の機関", "prefecture": _kochi(),
                  "agency": cast.tokyo_agency},
        )  # fmt: skip
    assert "agency" in info.value.message_dict
    entry = services.create_entry(
        officer,
        data={"kind": EntryKind.LINKED_AGENCY, "name": "センター", "prefecture": _kochi(),
              "agency": cast.center},
    )  # fmt: skip
    assert entry.agency_id == cast.center.pk


# --- E11-E18: the HSDS import ----------------------------------------------------------------


def test_e11_csv_in_shift_jis_is_read(cast: Cast) -> None:
    report = _import(cast, _zip({"services.csv": _services_csv("cp932")}), "hsds.zip")
    assert (report.created, report.rejected_rows) == (1, 0)
    assert DirectoryEntry.objects.get().name == "居場所 ひだまり"


def test_e11_csv_in_utf8_with_bom_is_read(cast: Cast) -> None:
    content = _zip({"services.csv": b"\xef\xbb\xbf" + _services_csv()})
    assert _import(cast, content, "hsds.zip").created == 1


def test_e11_csv_in_neither_encoding_is_refused_in_japanese(cast: Cast) -> None:
    content = _zip({"services.csv": _services_csv().replace("説明".encode(), b"\x81\x7f\xff")})
    with pytest.raises(hsds.ImportFileError) as info, translation.override("ja"):
        _import(cast, content, "hsds.zip")
    assert "services.csv" in str(info.value) and "Shift_JIS" in str(info.value)


def test_e12_deeply_nested_json_is_refused(cast: Cast) -> None:
    with pytest.raises(hsds.ImportFileError):
        _import(cast, b"[" * 200_000 + b"]" * 200_000)
    nested: Any = "x"
    for _level in range(200):  # parses, but is no service list
        nested = [nested]
    with pytest.raises(hsds.ImportFileError):
        _import(cast, json.dumps([_service(x_other=nested)]).encode())


def test_e13_zip_with_too_many_members_is_refused(cast: Cast) -> None:
    files = {f"extra{i}.txt": b"" for i in range(hsds.MAX_MEMBERS + 1)}
    files["services.csv"] = _services_csv()
    with pytest.raises(hsds.ImportFileError):
        _import(cast, _zip(files), "hsds.zip")


def test_e14_member_larger_than_declared_is_stopped_at_the_limit(
    cast: Cast, monkeypatch: Any
) -> None:
    monkeypatch.setattr(hsds, "MAX_MEMBER_SIZE", 50)
    monkeypatch.setattr(hsds, "MAX_TOTAL_SIZE", 10**9)
    monkeypatch.setattr(
        hsds, "_check_members", lambda archive: {i.filename: i for i in archive.infolist()}
    )  # fmt: skip  (as if the header lied about the size)
    with pytest.raises(hsds.ImportFileError):
        _import(cast, _zip({"services.csv": _services_csv()}), "hsds.zip")


def test_e15_huge_csv_cell_is_refused_with_the_file_and_line(cast: Cast) -> None:
    content = _zip({"services.csv": _services_csv(description="あ" * 200_000)})
    with pytest.raises(hsds.ImportFileError) as info, translation.override("ja"):
        _import(cast, content, "hsds.zip")
    assert "services.csv" in str(info.value) and "2" in str(info.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("channels", "phone"),
        ("channels", [1, 2]),
        ("accompaniment", "yes"),
        ("is_free", 1),
        ("hours_note", ["月"]),
        ("kind", 3),
        ("municipality", {"code": "39201"}),
    ],
)
def test_e16_extension_fields_of_the_wrong_type_are_rejected_rows(
    cast: Cast, key: str, value: Any
) -> None:
    service = _service()
    service["x_tsunagi"][key] = value
    with translation.override("ja"):
        report = _import(cast, json.dumps([service]).encode())
    assert report.created == 0 and report.rejected_rows == 1
    problem = report.rejected[0]
    assert problem.field == f"x_tsunagi.{key}"
    assert not problem.message.isascii()  # Japanese


def test_e16_extension_not_an_object_is_a_rejected_row(cast: Cast) -> None:
    report = _import(cast, json.dumps([_service(x_tsunagi=[1])]).encode())
    assert report.rejected_rows == 1 and report.rejected[0].field == "x_tsunagi"


def test_e17_duplicate_id_is_a_rejected_row_naming_the_first(cast: Cast) -> None:
    report = _import(cast, json.dumps([_service(), _service(name="二つ目")]).encode())
    assert (report.created, report.updated, report.rejected_rows) == (1, 0, 1)
    first_label = hsds.read_upload("x.json", json.dumps([_service()]).encode())[0][0][0]
    assert report.rejected[0].field == "id" and first_label in report.rejected[0].message
    assert DirectoryEntry.objects.get().name == "居場所 ひだまり"


def test_e18_update_keeps_a_hidden_entry_hidden(cast: Cast) -> None:
    assert _import(cast, json.dumps([_service()]).encode()).created == 1
    entry = DirectoryEntry.objects.get()
    assert entry.is_public
    DirectoryEntry.objects.filter(pk=entry.pk).update(is_public=False)
    report = _import(cast, json.dumps([_service(name="新しい名前")]).encode())
    assert report.updated == 1
    entry.refresh_from_db()
    assert entry.name == "新しい名前" and entry.is_public is False


def test_e18_hsds_api_import_of_a_bad_zip_answers_422(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.users[Role.PREFECTURAL_OFFICER])
    broken = bytearray(_zip({"services.csv": _services_csv()}))
    broken[40] ^= 0xFF
    broken[41] ^= 0xFF
    upload = io.BytesIO(bytes(broken))
    upload.name = "hsds.zip"
    answer = client.post("/api/v1/hsds/import", {"file": upload, "dry_run": "true"})
    assert answer.status_code == 422


# --- F20, F21: bad input answers 4xx -------------------------------------------------------


@pytest.mark.parametrize(
    "query", [{"postal_code": "1" * 5000}, {"municipality": "高知\x00"}, {"municipality": "  "}]
)
def test_f20_public_search_refused_shows_the_form_with_japanese_errors(
    query: dict[str, str],
) -> None:
    answer = Client(raise_request_exception=True).get("/public/", query)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'role="alert"' in page and "<form" in page


def test_f21_nul_in_public_paths_is_404() -> None:
    client = Client(raise_request_exception=True)
    for path in ("/public/p/%00/", "/public/p/3%009/", "/public/m/%00/", "/public/m/39%00201/"):
        assert client.get(path).status_code == 404, path


def test_f21_nul_in_the_api_answers_422_with_a_japanese_message(cast: Cast) -> None:
    client = Client(raise_request_exception=True, HTTP_ACCEPT_LANGUAGE="ja")
    client.force_login(cast.users[Role.PREFECTURAL_OFFICER])
    entry = services.create_entry(
        cast.users[Role.PREFECTURAL_OFFICER],
        data={"kind": EntryKind.IBASHO, "name": "居場所", "prefecture": _kochi()},
    )
    answers = [
        client.get("/api/v1/directory", {"q": "居\x00"}),
        client.get("/api/v1/directory/stale", {"prefecture": "3\x009"}),
        client.get("/api/v1/hsds/export", {"prefecture": "\x00"}),
        client.patch(
            f"/api/v1/directory/{entry.pk}",
            json.dumps({"area": ["39201\x00"]}),
            content_type="application/json",
        ),
        client.post(
            "/api/v1/directory",
            json.dumps({"kind": "ibasho", "name": "居場所", "prefecture_code": "3\x009"}),
            content_type="application/json",
        ),
    ]
    assert [a.status_code for a in answers] == [422] * 5
    body = answers[0].json()
    assert "NUL" in json.dumps(body, ensure_ascii=False)


def test_f21_nul_in_service_fields_is_refused(cast: Cast) -> None:
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    with pytest.raises(ValidationError) as info:
        services.create_entry(
            officer,
            data={"kind": EntryKind.IBASHO, "name": "居場所", "prefecture": _kochi(),
                  "eligibility": "誰でも\x00"},
        )  # fmt: skip
    assert "eligibility" in info.value.message_dict
    with pytest.raises(ValidationError):
        selectors.entries(officer, {"municipality": "高知\x00"})


def test_f21_nul_in_an_imported_extension_is_a_rejected_row(cast: Cast) -> None:
    service = _service()
    service["x_tsunagi"]["prefecture"] = "3\x009"
    report = _import(cast, json.dumps([service]).encode())
    assert report.rejected_rows == 1
    assert report.rejected[0].field == "x_tsunagi.prefecture"


# --- the public prefecture page counts current municipalities ------------------------------


def test_m1_abolished_town_named_in_a_window_area_is_not_counted(cast: Cast) -> None:
    kochi = _kochi()
    old = Municipality.objects.create(
        code="39999", lg_code="399990", prefecture=kochi, name="旧町",
        kind=LocalGovernmentKind.TOWN, abolished_on=datetime.date(2006, 1, 1),
    )  # fmt: skip
    entry = DirectoryEntry.objects.create(
        kind=EntryKind.WINDOW, name="窓口", prefecture=kochi, municipality=_town("39201")
    )
    entry.area.set([old, _town("39201")])
    assert selectors.municipalities_with_window(kochi.pk) == {_town("39201").pk}


def test_f21_nul_on_the_officers_screens_is_refused_not_a_500(cast: Cast) -> None:
    client = Client(raise_request_exception=True)
    client.force_login(cast.users[Role.PREFECTURAL_OFFICER])
    for query in ({"q": "\x00"}, {"municipality": "高知\x00"}, {"page": "\x00"}):
        assert client.get("/directory/", query).status_code < 500
    answer = client.post(
        "/directory/new/",
        {"kind": "ibasho", "name": "居場所\x00", "prefecture": str(_kochi().pk),
         "description": "説明\x00"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert not DirectoryEntry.objects.exists()
