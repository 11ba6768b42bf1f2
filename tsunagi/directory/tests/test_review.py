"""Review of issue 8 (directory, public pages, HSDS): problems found by a second reader, each as
a failing test marked xfail(strict=True) until it is fixed (then drop the mark)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import zipfile
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from tests.cast import make_cast
from tsunagi.access.policy import Denied
from tsunagi.accounts.models import Role
from tsunagi.directory import hsds, selectors, services
from tsunagi.directory.models import DirectoryEntry, EntryKind
from tsunagi.jurisdictions.models import Municipality, Prefecture

pytestmark = pytest.mark.django_db

SERVICE_ID = "7b1d0f6e-4a8e-4b59-9a53-2c1d1b2f0a11"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _good_service(**extra: Any) -> dict[str, Any]:
    return {
        "id": SERVICE_ID,
        "name": "居場所 あおぞら",
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
    writer.writerow(["id", "organization_id", "name", "description", "status"])
    writer.writerow([SERVICE_ID, "", "居場所 あおぞら", description, "active"])
    return text.getvalue().encode(encoding)


def _refused_cleanly(
    content: bytes, name: str = "hsds.zip", officer: Any = None
) -> hsds.ImportReport | None:
    """The import either refuses the file as a whole (ImportFileError → 422 with a Japanese
    message) or reports rejected rows; any other exception would be a 500."""
    officer = officer or make_cast().users[Role.PREFECTURAL_OFFICER]
    kochi = Prefecture.objects.get(code="39")
    try:
        return hsds.import_upload(officer, name, content, dry_run=True, prefecture=kochi)
    except hsds.ImportFileError:
        return None


# --- (4) HSDS import: bad files answer 4xx with a Japanese report, never a 500 -----------------


def test_review_hsds_csv_in_shift_jis_is_refused_or_read_not_a_500() -> None:
    content = _zip({"services.csv": _services_csv("cp932")})
    _refused_cleanly(content)


def test_review_hsds_deeply_nested_json_is_refused_not_a_500() -> None:
    _refused_cleanly(b"[" * 200_000 + b"]" * 200_000, "hsds.json")


def test_review_hsds_corrupt_zip_member_is_refused_not_a_500() -> None:
    good = _zip({"services.csv": _services_csv()})
    # flip the first byte of the stored data of the member (a bad CRC / bad deflate stream)
    archive = zipfile.ZipFile(io.BytesIO(good))
    info = archive.infolist()[0]
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    broken = bytearray(good)
    broken[start] ^= 0xFF
    broken[start + 1] ^= 0xFF
    _refused_cleanly(bytes(broken))


def test_review_hsds_csv_with_a_huge_cell_is_refused_not_a_500() -> None:
    content = _zip({"services.csv": _services_csv(description="あ" * 200_000)})
    _refused_cleanly(content)


def test_review_hsds_zip_bomb_is_refused_before_it_is_decompressed(monkeypatch: Any) -> None:
    # 64 MB of one repeated row compresses to well under 1 MB
    row = f"{SERVICE_ID},,居場所,説明,active\n".encode()
    bomb = b"id,organization_id,name,description,status\n" + row * (64 * 1024 * 1024 // len(row))
    content = _zip({"services.csv": bomb})
    assert len(content) < 1024 * 1024

    def refuse(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> bytes:
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if info.file_size > 20 * 1024 * 1024:
            raise AssertionError("a 64 MB member was decompressed")
        return original(self, name, *args, **kwargs)

    original = zipfile.ZipFile.read
    monkeypatch.setattr(zipfile.ZipFile, "read", refuse)
    assert _refused_cleanly(content) is None  # refused as a whole, with a Japanese message


def test_review_hsds_extension_channels_not_a_list_is_a_rejected_row() -> None:
    service = _good_service()
    service["x_tsunagi"]["channels"] = 5
    report = _refused_cleanly(json.dumps([service]).encode(), "hsds.json")
    assert report is not None and report.rejected_rows == 1


def test_review_hsds_extension_text_field_of_wrong_type_is_a_rejected_row() -> None:
    service = _good_service()
    service["x_tsunagi"]["lead_department"] = {"name": "福祉課"}
    report = _refused_cleanly(json.dumps([service]).encode(), "hsds.json")
    assert report is not None and report.rejected_rows == 1


def test_review_hsds_duplicate_ids_in_one_file_are_reported() -> None:
    first = _good_service()
    second = _good_service(name="別の居場所")
    report = _refused_cleanly(json.dumps([first, second]).encode(), "hsds.json")
    assert report is not None
    assert report.created == 1 and report.updated == 0
    assert report.rejected_rows == 1


# --- (2) who may change an entry ------------------------------------------------------------


def test_review_manager_cannot_create_a_window_in_another_prefecture() -> None:
    cast = make_cast()
    manager = cast.users[Role.MANAGER]
    chiyoda = Municipality.objects.get(code="13101")
    with pytest.raises(Denied):
        services.create_entry(
            manager,
            data={
                "kind": EntryKind.WINDOW,
                "name": "千代田区ひきこもり相談窓口",
                "prefecture": chiyoda.prefecture,
                "municipality": chiyoda,
                "agency": cast.center,
                "phone": "03-0000-0000",
            },
        )
    page = Client().get("/public/m/13101/").content.decode()
    assert "千代田区ひきこもり相談窓口" not in page


def test_review_municipal_officer_cannot_claim_another_towns_window_through_the_area() -> None:
    cast = make_cast()
    officer = cast.users[Role.MUNICIPAL_OFFICER]  # 高知市
    kochi_city = Municipality.objects.get(code="39201")
    nankoku = Municipality.objects.get(code="39204")
    with contextlib.suppress(Denied, ValidationError):  # refused: what the fix should do
        services.create_entry(
            officer,
            data={
                "kind": EntryKind.WINDOW,
                "name": "高知市ひきこもり相談窓口",
                "prefecture": kochi_city.prefecture,
                "municipality": kochi_city,
                "phone": "088-823-0000",
            },
            area=[kochi_city, nankoku],
        )
    assert nankoku.pk not in selectors.municipalities_with_window(kochi_city.prefecture_id)
    page = Client().get(f"/public/m/{nankoku.code}/").content.decode()
    assert "高知市ひきこもり相談窓口" not in page


def test_review_manager_cannot_move_their_agencys_entry_to_another_prefecture() -> None:
    cast = make_cast()
    manager = cast.users[Role.MANAGER]
    kochi_city = Municipality.objects.get(code="39201")
    entry = DirectoryEntry.objects.create(
        kind=EntryKind.IBASHO,
        name="センターの居場所",
        prefecture=kochi_city.prefecture,
        municipality=kochi_city,
        agency=cast.center,
    )
    chiyoda = Municipality.objects.get(code="13101")
    with pytest.raises(Denied):
        services.update_entry(
            manager, entry, data={"prefecture": chiyoda.prefecture, "municipality": chiyoda}
        )


# --- (3) the public pages' cache ------------------------------------------------------------


def test_review_cache_an_evicted_generation_does_not_bring_back_an_archived_entry(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from tsunagi.directory import caching

    cast = make_cast()
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    kochi_city = Municipality.objects.get(code="39201")
    entry = services.create_entry(
        officer,
        data={
            "kind": EntryKind.WINDOW,
            "name": "高知市ひきこもり相談窓口",
            "prefecture": kochi_city.prefecture,
            "municipality": kochi_city,
        },
    )
    cache.clear()
    client = Client()
    url = f"/public/m/{kochi_city.code}/"
    assert "高知市ひきこもり相談窓口" in client.get(url).content.decode()  # cached (gen 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.archive_entry(officer, entry)
    assert "高知市ひきこもり相談窓口" not in client.get(url).content.decode()
    assert "高知市ひきこもり相談窓口" not in client.get(url).content.decode()
    cache.delete(caching.GENERATION_KEY)  # evicted
    assert "高知市ひきこもり相談窓口" not in client.get(url).content.decode()


# --- (5) bad input answers 4xx, never a 500 -------------------------------------------------


@pytest.mark.parametrize("query", [{"postal_code": "1" * 5000}, {"municipality": "高知\x00"}])
def test_review_public_search_with_a_value_the_form_refuses_is_400(query: dict[str, str]) -> None:
    answer = Client(raise_request_exception=True).get("/public/", query)
    assert answer.status_code == 400


def test_review_nul_bytes_answer_4xx_not_500() -> None:
    cast = make_cast()
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    anonymous = Client(raise_request_exception=False)
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    statuses = {
        "public prefecture": anonymous.get("/public/p/%00/").status_code,
        "api list q": client.get("/api/v1/directory?q=%00").status_code,
        "api list prefecture": client.get("/api/v1/directory?prefecture=%00").status_code,
        "api list municipality": client.get("/api/v1/directory?municipality=%00").status_code,
        "hsds export": client.get("/api/v1/hsds/export?prefecture=%00").status_code,
        "api create": client.post(
            "/api/v1/directory",
            json.dumps(
                {
                    "kind": "ibasho",
                    "name": "居場所",
                    "description": "説明\x00",
                    "prefecture_code": "39",
                    "municipality_code": "39201",
                }
            ),
            content_type="application/json",
        ).status_code,
    }
    assert {k: v for k, v in statuses.items() if v >= 500} == {}
    service = _good_service(name="居場所\x00")
    report = _refused_cleanly(json.dumps([service]).encode(), "hsds.json", officer)
    assert report is not None and report.rejected_rows == 1


# --- imported text in the officers' exports -------------------------------------------------


def test_review_export_does_not_turn_an_entrys_name_into_a_formula() -> None:
    from openpyxl import load_workbook

    cast = make_cast()
    formula = '=HYPERLINK("http://example.invalid/","確認")'
    service = _good_service(name=formula)
    officer = cast.users[Role.PREFECTURAL_OFFICER]
    report = hsds.import_upload(officer, "x.json", json.dumps([service]).encode())
    assert report.created == 1
    client = Client()
    client.force_login(officer)
    answer = client.get("/directory/", {"format": "xlsx"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type != "f" for c in cells)
    text = client.get("/directory/", {"format": "csv"}).content.decode("utf-8-sig")
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
