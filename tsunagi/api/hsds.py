"""Open Referral HSDS 3.x export and import of the public directory (M6).

Export: `format=json` answers a page of HSDS services (organization, location with address,
service_at_location, phones, schedules, service_areas nested); `format=csv` the tabular form, a
zip of one CSV per table and a datapackage.json. Import: a file in either form, validated
against the HSDS schema; the answer reports every rejected row (row, field, message in
Japanese); `dry_run` saves nothing.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from tsunagi.access.policy import Action, Denied, Kind, can
from tsunagi.directory import hsds
from tsunagi.directory.inputs import refuse_nul
from tsunagi.jurisdictions.models import Prefecture
from tsunagi.web.text import normalize_text

from .schemas import Error, ValidationErrorOut

router = Router(tags=["hsds"])

MAX_UPLOAD = 20 * 1024 * 1024


class RejectedOut(Schema):
    row: str
    field: str
    message: str


class ImportOut(Schema):
    dry_run: bool
    created: int
    updated: int
    rejected_rows: int
    rejected: list[RejectedOut]


def _prefecture(code: str, field: str = "prefecture") -> Prefecture | None:
    if not code:
        return None
    refuse_nul({field: code})
    found = Prefecture.objects.filter(code=normalize_text(code).zfill(2)).first()
    if found is None:
        raise ValidationError({field: _("Unknown prefecture code.")})
    return found


@router.get(
    "/export",
    response={200: Any, 401: Error, 422: ValidationErrorOut},
    summary="The public directory in Open Referral HSDS 3.0 (JSON or the tabular CSV zip)",
    description="`format=json` (default): a page of HSDS services, as the HSDS API lists them. "
    "`format=csv`: a zip of organizations.csv, services.csv, locations.csv, addresses.csv, "
    "service_at_locations.csv, phones.csv, schedules.csv, service_areas.csv and "
    "datapackage.json. `prefecture`: a prefecture code (39 for 高知県); all when empty. Only "
    "entries shown on the public pages are exported.",
    openapi_extra={
        "responses": {
            200: {
                "description": "HSDS JSON, or a zip (application/zip) with format=csv",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/zip": {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def export(request: HttpRequest, format: str = "json", prefecture: str = "") -> Any:
    if not can(request.user, Action.VIEW, Kind.DIRECTORY_ENTRY):
        raise Denied("directory")
    if format not in ("json", "csv"):
        raise ValidationError({"format": _("Choose json or csv.")})
    pref = _prefecture(prefecture)
    name = f"hsds-{pref.code if pref else 'all'}"
    if format == "csv":
        response = HttpResponse(hsds.export_csv_zip(pref), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
        return response
    response = JsonResponse(hsds.export_json(pref), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'inline; filename="{name}.json"'
    return response


@router.post(
    "/import",
    response={200: ImportOut, 401: Error, 403: Error, 422: ValidationErrorOut},
    summary="Import HSDS JSON or a zip of HSDS CSV files into the directory",
    description="Each service is checked against the HSDS schema and then as a directory "
    "entry; rejected rows are listed with the field and the reason, the others saved (an "
    "entry with the service's id is updated). `dry_run=true` saves nothing and reports what "
    "would happen. `prefecture` is used for services whose address names none.",
)
def import_file(
    request: HttpRequest,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    prefecture: Form[str] = "",
) -> Any:
    user = request.user
    if not can(user, Action.CREATE, Kind.DIRECTORY_ENTRY):
        raise Denied("directory import")
    if file.size is not None and file.size > MAX_UPLOAD:
        raise ValidationError({"file": _("The file is too large (20 MB at most).")})
    pref = _prefecture(prefecture)
    try:
        report = hsds.import_upload(
            user,
            file.name or "",
            file.read(),
            dry_run=dry_run,
            prefecture=pref,
            request=request,
        )
    except hsds.ImportFileError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    return report.as_dict()
