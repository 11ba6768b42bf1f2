"""Open Referral Human Services Data Specification (HSDS) 3.x: export and import of the public
directory (M6: so that other directories can use the data).

Each directory entry is one HSDS `service` (its id is the entry's uuid) provided by one
`organization`, delivered at one `location` (with its `address`) through one
`service_at_location`, with its `phones`, weekly `schedules` and `service_areas` (one per
municipality served, its `uri` naming the local-government code). What HSDS has no field for
(the kind of entry, 同行, welcomes people who cannot talk yet, the times of day, the lead
department, the ways to get in touch) travels in the extension property `x_tsunagi` of the
service (HSDS tables allow additional properties), so that an export imported elsewhere gives the
same entries back.

Two forms: JSON (a page of compiled services, like the HSDS API's service list) and the tabular
form (a zip of one CSV file per table with a `datapackage.json`). Both are validated against the
HSDS schema vendored under `hsds_schema/` (see its NOTICE.md); nothing is fetched at run time.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import uuid as uuidlib
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tsunagi.access.policy import Denied
from tsunagi.jurisdictions.models import Municipality, Prefecture

from . import services
from .inputs import nul_message, nul_path
from .models import Channel, DirectoryEntry, EntryKind
from .selectors import _with_parts

SCHEMA_DIR = Path(__file__).parent / "hsds_schema"
HSDS_VERSION = "3.0"
TABLES = (
    "organization",
    "service",
    "location",
    "address",
    "service_at_location",
    "phone",
    "schedule",
    "service_area",
)
# Tables the schema refers to that tsunagi neither writes nor reads: any JSON object.
OTHER_TABLES = (
    "accessibility",
    "attribute",
    "contact",
    "cost_option",
    "funding",
    "language",
    "metadata",
    "organization_identifier",
    "program",
    "required_document",
)
# What an upload may hold (a zip is checked against its declared sizes before anything is
# decompressed, then while reading, in case the declared sizes lie).
MAX_MEMBERS = 100
MAX_MEMBER_SIZE = 20 * 1024 * 1024
MAX_TOTAL_SIZE = 50 * 1024 * 1024
MAX_DEPTH = 32
CSV_ENCODINGS = ("utf-8-sig", "cp932")
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TZ = "+09:00"
LG_URI = "urn:jp:lg-code:"
EXTENSION = "x_tsunagi"
EXTENSION_FIELDS = (
    "kind",
    "lead_department",
    "channels",
    "residence_required",
    "is_free",
    "accompaniment",
    "welcomes_silent",
    "mornings",
    "afternoons",
    "evenings",
    "hours_note",
    "prefecture",
    "municipality",
)


# ---------------------------------------------------------------------------------- schema


@cache
def table_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.json").read_text("utf-8"))
    return schema


@cache
def _registry() -> Registry:
    resources = [
        (
            f"{name}.json",
            Resource.from_contents(table_schema(name), default_specification=DRAFT202012),
        )
        for name in TABLES
    ]
    resources += [
        (f"{name}.json", DRAFT202012.create_resource({"type": "object"})) for name in OTHER_TABLES
    ]
    return Registry().with_resources(resources)


@cache
def validator(table: str) -> Draft202012Validator:
    return Draft202012Validator(
        table_schema(table), registry=_registry(), format_checker=FormatChecker()
    )


@dataclass
class Problem:
    """One rejected row: where, which field, why (in Japanese)."""

    row: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"row": self.row, "field": self.field, "message": self.message}


def _schema_message(error: Any) -> str:
    kind = error.validator
    if kind == "required":
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else ""
        return _("A required field is missing: %(field)s") % {"field": missing}
    if kind == "type":
        return _("Wrong type of value: expected %(type)s.") % {"type": error.validator_value}
    if kind == "enum":
        return _("Not one of the allowed values: %(values)s") % {
            "values": ", ".join(map(str, error.validator_value))
        }
    if kind == "format":
        return _("Not a valid %(format)s.") % {"format": error.validator_value}
    return _("Does not follow the HSDS schema: %(message)s") % {"message": error.message}


def schema_problems(table: str, record: Any, row: str) -> list[Problem]:
    """Rule-by-rule check of one record against the HSDS schema of `table`."""
    out = []
    for error in sorted(validator(table).iter_errors(record), key=lambda e: list(e.path)):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required" and "'" in str(error.message):
            path = ".".join(filter(None, [path, str(error.message).split("'")[1]]))
        out.append(Problem(row=row, field=path, message=_schema_message(error)))
    return out


# ---------------------------------------------------------------------------------- export


def _id(entry_uuid: uuidlib.UUID, part: str) -> str:
    return str(uuidlib.uuid5(entry_uuid, part))


def _time(value: datetime.time) -> str:
    return f"{value:%H:%M}{TZ}"


def service_of(entry: DirectoryEntry) -> dict[str, Any]:
    """One entry as a compiled HSDS service (organization, location, phones … nested)."""
    sid = str(entry.uuid)
    org_id = _id(entry.uuid, "organization")
    loc_id = _id(entry.uuid, "location")
    sal_id = _id(entry.uuid, "service_at_location")
    organization: dict[str, Any] = {
        "id": org_id,
        "name": entry.agency.name if entry.agency_id and entry.agency else entry.name,
        "description": entry.description or entry.name,
    }
    if entry.email:
        organization["email"] = entry.email
    if entry.website:
        organization["website"] = entry.website
    location: dict[str, Any] = {
        "id": loc_id,
        "location_type": "physical",
        "organization_id": org_id,
        "name": entry.name,
    }
    if entry.access:
        location["transportation"] = entry.access
    if entry.address or entry.postal_code:
        location["addresses"] = [
            {
                "id": _id(entry.uuid, "address"),
                "location_id": loc_id,
                "address_1": entry.address,
                "city": entry.municipality.name if entry.municipality else "",
                "state_province": entry.prefecture.name,
                "postal_code": entry.postal_code,
                "country": "JP",
                "address_type": "physical",
            }
        ]
    service: dict[str, Any] = {
        "id": sid,
        "organization_id": org_id,
        "name": entry.name,
        "description": entry.description,
        "status": "active" if entry.is_active else "inactive",
    }
    optional = {
        "alternate_name": entry.name_kana,
        "url": entry.website,
        "email": entry.email,
        "fees_description": entry.cost,
        "eligibility_description": entry.eligibility,
        "assured_date": entry.verified_on.isoformat() if entry.verified_on else "",
    }
    service.update({k: v for k, v in optional.items() if v})
    if entry.min_age is not None:
        service["minimum_age"] = entry.min_age
    if entry.max_age is not None:
        service["maximum_age"] = entry.max_age
    service["phones"] = (
        [{"id": _id(entry.uuid, "phone"), "service_id": sid, "number": entry.phone}]
        if entry.phone
        else []
    )
    service["schedules"] = [
        {
            "id": _id(entry.uuid, f"schedule:{h.weekday}:{h.opens:%H%M}"),
            "service_id": sid,
            "freq": "WEEKLY",
            "byday": BYDAY[h.weekday],
            "opens_at": _time(h.opens),
            "closes_at": _time(h.closes),
        }
        for h in entry.hours.all()
    ]
    service["service_areas"] = [
        {
            "id": _id(entry.uuid, f"area:{m.code}"),
            "service_id": sid,
            "name": m.name,
            "uri": f"{LG_URI}{m.lg_code}",
        }
        for m in entry.area.all()
    ]
    service["service_at_locations"] = [
        {"id": sal_id, "service_id": sid, "location_id": loc_id, "location": location}
    ]
    service["organization"] = organization
    ext: dict[str, Any] = {k: getattr(entry, k) for k in EXTENSION_FIELDS[:11]}
    ext["prefecture"] = entry.prefecture.code
    ext["municipality"] = entry.municipality.code if entry.municipality else None
    service[EXTENSION] = ext
    return service


def public_queryset(prefecture: Prefecture | None = None) -> Any:
    qs = DirectoryEntry.objects.filter(is_public=True, is_active=True)
    if prefecture is not None:
        qs = qs.filter(prefecture=prefecture)
    return _with_parts(qs).order_by("prefecture__code", "kind", "name_kana", "name", "pk")


def export_json(prefecture: Prefecture | None = None) -> dict[str, Any]:
    """The public directory as a page of HSDS services (the shape of the HSDS API's list)."""
    contents = [service_of(e) for e in public_queryset(prefecture)]
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def _table_rows(services_: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Compiled services → one list of flat rows per HSDS table (the tabular form)."""
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    for s in services_:
        org = s.get("organization") or {}
        if org:
            rows["organization"].append(org)
        for p in s.get("phones") or []:
            rows["phone"].append(p)
        for h in s.get("schedules") or []:
            rows["schedule"].append(h)
        for a in s.get("service_areas") or []:
            rows["service_area"].append(a)
        for sal in s.get("service_at_locations") or []:
            loc = sal.get("location") or {}
            rows["service_at_location"].append(sal)
            if loc:
                rows["location"].append(loc)
                rows["address"].extend(loc.get("addresses") or [])
        rows["service"].append(s)
    return rows


def _columns(table: str) -> list[str]:
    props = table_schema(table)["properties"]
    cols = [k for k, v in props.items() if v.get("type") != "array" and "$ref" not in v]
    return [*cols, EXTENSION] if table == "service" else cols


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def export_csv_zip(prefecture: Prefecture | None = None) -> bytes:
    """The tabular form: a zip of one CSV per table and a datapackage.json describing them."""
    rows = _table_rows(export_json(prefecture)["contents"])
    buffer = io.BytesIO()
    resources = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            schema = table_schema(table)
            cols = _columns(table)
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(cols)
            for row in rows[table]:
                writer.writerow([_cell(row.get(c)) for c in cols])
            archive.writestr(schema["path"], text.getvalue())
            resources.append(
                {
                    "name": table,
                    "path": schema["path"],
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "schema": {
                        "fields": [{"name": c, "type": _field_type(table, c)} for c in cols]
                    },
                }
            )
        package = {
            "name": "tsunagi-directory",
            "title": "tsunagi directory (Open Referral HSDS 3.0)",
            "profile": "tabular-data-package",
            "resources": resources,
        }
        archive.writestr("datapackage.json", json.dumps(package, ensure_ascii=False, indent=2))
    return buffer.getvalue()


def _field_type(table: str, column: str) -> str:
    spec = table_schema(table)["properties"].get(column, {})
    if column == EXTENSION:
        return "object"
    return str(spec.get("datapackage_type") or spec.get("type") or "string")


# ---------------------------------------------------------------------------------- import


@dataclass
class ImportReport:
    dry_run: bool
    created: int = 0
    updated: int = 0
    rejected: list[Problem] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({p.row for p in self.rejected})

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "rejected_rows": self.rejected_rows,
            "rejected": [p.as_dict() for p in self.rejected],
        }


class ImportFileError(ValueError):
    """The file as a whole cannot be read (the message is for the user)."""


def _services_from_json(data: Any) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return list(data["contents"])
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and "id" in data:
        return [data]
    raise ImportFileError(_("The file is not an HSDS service list."))


def _depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (counted without recursion)."""
    deepest = 0
    stack: list[tuple[int, Any]] = [(1, value)]
    while stack:
        level, item = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                break
            inner = item.values() if isinstance(item, dict) else item
            stack.extend((level + 1, v) for v in inner)
    return deepest


def _loads(text: str) -> Any:
    """JSON text → data, or None when it cannot be read (also for nesting so deep that the
    parser would exhaust the stack, and numbers too long to convert)."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data


def read_upload(name: str, content: bytes) -> tuple[list[tuple[str, Any]], list[Problem]]:
    """(row label, compiled service) pairs from a JSON file or a zip of CSV files, and the
    problems of rows of other tables that could not be attached. Raises ImportFileError (with
    a message for the user) for a file that cannot be read as a whole."""
    if zipfile.is_zipfile(io.BytesIO(content)):
        try:
            return _services_from_zip(content)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
            raise ImportFileError(_("The zip file is damaged and cannot be read.")) from exc
        except (NotImplementedError, RuntimeError) as exc:
            # an unsupported compression method, or a member protected by a password
            raise ImportFileError(
                _("The zip file cannot be read (encrypted or compressed in an unsupported way).")
            ) from exc
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _("The file is neither HSDS JSON nor a zip of HSDS CSV files.")
        ) from exc
    data = _loads(text)
    if data is None:
        raise ImportFileError(_("The file is neither HSDS JSON nor a zip of HSDS CSV files."))
    if _depth(data) > MAX_DEPTH:
        raise ImportFileError(_("The JSON is nested too deeply to be an HSDS service list."))
    services_ = _services_from_json(data)
    return [(_("service %(n)s") % {"n": i + 1}, s) for i, s in enumerate(services_)], []


def _typed(table: str, row: dict[str, str]) -> dict[str, Any]:
    props = table_schema(table)["properties"]
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue
        if key == EXTENSION:
            if value.strip() == "null":
                continue
            loaded = _loads(value)
            out[key] = loaded if loaded is not None and _depth(loaded) <= MAX_DEPTH else value
            continue
        if props.get(key, {}).get("type") == "number":
            try:
                number = float(value)
                out[key] = int(number) if number.is_integer() else number
            except ValueError:
                out[key] = value  # the schema check reports it
            continue
        out[key] = value
    return out


def _check_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The members of the zip by file name, refused (ImportFileError) before anything is
    decompressed when there are too many or their declared sizes are too large (a zip bomb)."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ImportFileError(
            _("The zip holds too many files (%(n)s at most).") % {"n": MAX_MEMBERS}
        )
    if any(i.file_size > MAX_MEMBER_SIZE for i in infos) or (
        sum(i.file_size for i in infos) > MAX_TOTAL_SIZE
    ):
        raise ImportFileError(
            _(
                "The files in the zip are too large once unpacked (%(member)s MB per file, "
                "%(total)s MB in all, at most)."
            )
            % {"member": MAX_MEMBER_SIZE // 2**20, "total": MAX_TOTAL_SIZE // 2**20}
        )
    return {i.filename.rsplit("/", 1)[-1]: i for i in infos if not i.is_dir()}


def _member_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member's content, read in pieces and stopped at the size limit whatever its header
    declares."""
    chunks = []
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_MEMBER_SIZE:
                raise ImportFileError(
                    _("%(file)s is too large once unpacked (%(member)s MB at most).")
                    % {"file": info.filename, "member": MAX_MEMBER_SIZE // 2**20}
                )
            chunks.append(chunk)
    return b"".join(chunks)


def _decode_csv(content: bytes, path: str) -> str:
    """CSV text in UTF-8 (with or without a BOM) or Shift_JIS (cp932, what Excel writes in
    Japan); anything else is refused with the file's name."""
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("%(file)s cannot be read: save it as CSV in UTF-8 or Shift_JIS.") % {"file": path}
    )


def _read_csv(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], path: str
) -> Iterator[tuple[int, dict[str, str]]]:
    if path not in members:
        return
    text = _decode_csv(_member_bytes(archive, members[path]), path)
    reader = csv.DictReader(io.StringIO(text))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise ImportFileError(
            _(
                "%(file)s, line %(line)s cannot be read as CSV (a cell too long, or a quote "
                "not closed)."
            )
            % {"file": path, "line": reader.reader.line_num}
        ) from exc


def _services_from_zip(content: bytes) -> tuple[list[tuple[str, Any]], list[Problem]]:
    problems: list[Problem] = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = _check_members(archive)
        tables: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for table in TABLES:
            path = table_schema(table)["path"]
            tables[table] = [
                (f"{path}:{line}", _typed(table, row))
                for line, row in _read_csv(archive, members, path)
            ]
    if not tables["service"]:
        raise ImportFileError(_("The zip has no services.csv."))
    # Rows of the other tables are checked on their own, then attached to their service.
    for table in TABLES:
        if table == "service":
            continue
        kept = []
        for label, row in tables[table]:
            found = schema_problems(table, row, label)
            problems.extend(found)
            if not found:
                kept.append((label, row))
        tables[table] = kept
    orgs = {r["id"]: r for _l, r in tables["organization"]}
    addresses: dict[str, list[dict[str, Any]]] = {}
    for _l, a in tables["address"]:
        addresses.setdefault(a.get("location_id", ""), []).append(a)
    locations = {}
    for _l, loc in tables["location"]:
        if loc["id"] in addresses:
            loc = {**loc, "addresses": addresses[loc["id"]]}
        locations[loc["id"]] = loc

    def by_service(table: str) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for _l, r in tables[table]:
            out.setdefault(r.get("service_id", ""), []).append(r)
        return out

    phones, schedules, areas = (
        by_service("phone"),
        by_service("schedule"),
        by_service("service_area"),
    )
    sals = by_service("service_at_location")
    out = []
    for label, s in tables["service"]:
        sid = s.get("id", "")
        compiled = dict(s)
        if s.get("organization_id") in orgs:
            compiled["organization"] = orgs[s["organization_id"]]
        compiled["phones"] = phones.get(sid, [])
        compiled["schedules"] = schedules.get(sid, [])
        compiled["service_areas"] = areas.get(sid, [])
        compiled["service_at_locations"] = [
            {**sal, "location": locations[sal["location_id"]]}
            if sal.get("location_id") in locations
            else sal
            for sal in sals.get(sid, [])
        ]
        out.append((label, compiled))
    return out, problems


def _uuid(value: str) -> uuidlib.UUID:
    try:
        return uuidlib.UUID(str(value))
    except ValueError:
        return uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"hsds:{value}")


def _weekday(byday: str) -> list[int]:
    return [BYDAY.index(d.strip()[-2:]) for d in byday.split(",") if d.strip()[-2:] in BYDAY]


def _clock(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text[:5])


EXTENSION_TEXT = ("kind", "lead_department", "hours_note")
EXTENSION_CODES = ("prefecture", "municipality")
EXTENSION_FLAGS = (
    "residence_required",
    "is_free",
    "accompaniment",
    "welcomes_silent",
    "mornings",
    "afternoons",
    "evenings",
)


def _extension(service: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The extension object `x_tsunagi` of a service, each field checked for its type (text,
    true/false, a list of texts), and the field messages of what is wrong (a rejected row)."""
    raw = service.get(EXTENSION)
    errors: dict[str, list[str]] = {}
    if raw is None:
        return {}, errors
    if not isinstance(raw, dict):
        errors[EXTENSION] = [_("Write x_tsunagi as a JSON object.")]
        return {}, errors
    for key in EXTENSION_TEXT:
        if raw.get(key) is not None and not isinstance(raw[key], str):
            errors[f"{EXTENSION}.{key}"] = [_("Write this as text.")]
    for key in EXTENSION_CODES:
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            errors[f"{EXTENSION}.{key}"] = [_("Write the code as text (for example 39201).")]
    for key in EXTENSION_FLAGS:
        if key in raw and not isinstance(raw[key], bool):
            errors[f"{EXTENSION}.{key}"] = [_("Write true or false.")]
    channels = raw.get("channels", [])
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        errors[f"{EXTENSION}.channels"] = [
            _(
                "Write the ways to get in touch as a list of texts "
                "(phone, visit, online, home_visit)."
            )
        ]
    return raw, errors


def entry_data(
    service: dict[str, Any], default_prefecture: Prefecture | None
) -> tuple[dict[str, Any], list[Municipality], list[services.Period], str]:
    """A compiled HSDS service → (entry fields, area served, weekly hours, uuid text).
    Raises ValidationError with field messages when it cannot be placed."""
    ext, errors = _extension(service)
    if errors:
        raise ValidationError(errors)
    location: dict[str, Any] = {}
    for sal in service.get("service_at_locations") or []:
        if isinstance(sal.get("location"), dict):
            location = sal["location"]
            break
    address = (location.get("addresses") or [{}])[0]
    prefecture = None
    if ext.get("prefecture"):
        prefecture = Prefecture.objects.filter(code=str(ext["prefecture"]).zfill(2)).first()
    if prefecture is None and address.get("state_province"):
        prefecture = Prefecture.objects.filter(name=address["state_province"]).first()
    prefecture = prefecture or default_prefecture
    if prefecture is None:
        errors.setdefault("prefecture", []).append(
            _("The prefecture could not be told (name it in the address or choose one).")
        )
        raise ValidationError(errors)
    town = None
    if ext.get("municipality"):
        town = Municipality.objects.filter(code=ext["municipality"]).first()
    elif address.get("city"):
        town = Municipality.objects.filter(prefecture=prefecture, name=address["city"]).first()
    area: list[Municipality] = []
    for item in service.get("service_areas") or []:
        uri = str(item.get("uri") or "")
        m = None
        if uri.startswith(LG_URI):
            m = Municipality.objects.filter(lg_code=uri[len(LG_URI) :]).first()
        elif item.get("name"):
            m = Municipality.objects.filter(prefecture=prefecture, name=item["name"]).first()
        if m is None:
            errors.setdefault("service_areas", []).append(
                _("Unknown municipality in the area served: %(name)s")
                % {"name": item.get("name") or uri}
            )
        else:
            area.append(m)
    hours: list[services.Period] = []
    for sched in service.get("schedules") or []:
        try:
            opens, closes = _clock(sched["opens_at"]), _clock(sched["closes_at"])
        except (KeyError, TypeError, ValueError):
            continue  # a schedule without clock times (a note) has no weekly row
        hours.extend((day, opens, closes) for day in _weekday(str(sched.get("byday") or "")))
    phones = service.get("phones") or []
    kind = ext.get("kind") or EntryKind.LINKED_AGENCY
    data: dict[str, Any] = {
        "kind": kind,
        "name": service.get("name", ""),
        "name_kana": service.get("alternate_name", ""),
        "description": service.get("description", ""),
        "prefecture": prefecture,
        "municipality": town,
        "postal_code": address.get("postal_code", ""),
        "address": address.get("address_1", ""),
        "access": location.get("transportation", ""),
        "phone": phones[0].get("number", "") if phones else "",
        "email": service.get("email", ""),
        "website": service.get("url", ""),
        "min_age": service.get("minimum_age"),
        "max_age": service.get("maximum_age"),
        "eligibility": service.get("eligibility_description", ""),
        "cost": service.get("fees_description", ""),
        "is_active": service.get("status", "active") == "active",
        "channels": [c for c in ext.get("channels", []) if c in Channel.values],
    }
    for key in EXTENSION_FIELDS[1:11]:
        if key in ext and key != "channels":
            data[key] = ext[key]
    for key in ("min_age", "max_age"):
        if isinstance(data[key], float) and data[key].is_integer():
            data[key] = int(data[key])
        if data[key] is not None and not isinstance(data[key], int):
            errors.setdefault(key, []).append(_("Enter an age between 0 and 120."))
    if errors:
        raise ValidationError(errors)
    return data, area, hours, str(service.get("id", ""))


def _verified(service: dict[str, Any]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(service.get("assured_date", ""))[:10])
    except ValueError:
        return None


class _DryRun(Exception):
    pass


def import_upload(
    actor: Any,
    name: str,
    content: bytes,
    *,
    dry_run: bool = False,
    prefecture: Prefecture | None = None,
    request: Any = None,
) -> ImportReport:
    """Import HSDS JSON or a zip of HSDS CSV files. Every service is checked against the HSDS
    schema, then as a directory entry (the same checks as typing it in); rejected rows are
    reported with the field and the reason and the others saved, unless `dry_run`, which saves
    nothing and reports what would happen. An entry with the service's id is updated."""
    items, problems = read_upload(name, content)
    report = ImportReport(dry_run=dry_run, rejected=list(problems))
    seen: dict[str, str] = {}  # service id → the row that first had it
    try:
        with transaction.atomic():
            for label, service in items:
                sid = service.get("id") if isinstance(service, dict) else None
                if isinstance(sid, str) and sid in seen:
                    # the first row with an id is taken, a later one reported (not overwriting)
                    report.rejected.append(
                        Problem(
                            label,
                            "id",
                            _("This id appears more than once in the file (first in %(row)s).")
                            % {"row": seen[sid]},
                        )
                    )
                    continue
                if isinstance(sid, str):
                    seen[sid] = label
                _import_one(actor, label, service, report, prefecture, request)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _import_one(
    actor: Any,
    label: str,
    service: Any,
    report: ImportReport,
    prefecture: Prefecture | None,
    request: Any,
) -> None:
    where = nul_path(service)
    if where is not None:
        # a NUL character cannot be stored (nor looked up): the row is refused before the database
        report.rejected.append(Problem(label, where or "__all__", nul_message()))
        return
    found = schema_problems("service", service, label)
    if found:
        report.rejected.extend(found)
        return
    try:
        with transaction.atomic():
            data, area, hours, sid = entry_data(service, prefecture)
            key = _uuid(sid)
            existing = DirectoryEntry.objects.filter(uuid=key).first()
            if existing is None:
                entry = services.create_entry(
                    actor,
                    data={**data, "is_public": True},
                    area=area,
                    hours=hours,
                    uuid=key,
                    source=f"hsds:{sid}"[:100],
                    request=request,
                )
                report.created += 1
            else:
                # an update keeps the entry's is_public: an import never makes a hidden entry
                # public (nor an entry hidden by the officers shown again)
                entry = services.update_entry(
                    actor, existing, data=data, area=area, hours=hours, request=request
                )
                report.updated += 1
            verified = _verified(service)
            if verified != entry.verified_on:
                DirectoryEntry.objects.filter(pk=entry.pk).update(verified_on=verified)
    except ValidationError as exc:
        for fname, messages in exc.message_dict.items():
            report.rejected.extend(Problem(label, fname, str(m)) for m in messages)
    except (Denied, Http404):
        report.rejected.append(
            Problem(label, "prefecture", _("You may not change the entries of this area."))
        )
