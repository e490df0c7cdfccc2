"""Routes to import a plan from a file and export one to a file."""

from enum import StrEnum
from typing import Annotated, Any

from fastapi import File, Form, Query, Request, Response, UploadFile, status

from app.auth import policy
from app.auth.deps import CurrentPrincipal
from app.core import responses, uploads
from app.core.db import SessionDep
from app.core.errors import Unprocessable
from app.core.i18n import Lang
from app.core.models import Id
from app.core.resources import tagged
from app.core.routes import api_router
from app.core.schemas import Day, Keep
from app.core.state import app_state
from app.networks.deps import NetworkForRead
from app.plans import inference
from app.plans.deps import ValidPlan
from app.plans.schemas import (
    PlanImported,
)
from app.plans.transfer.csvfile import parse_csv, to_csv
from app.plans.transfer.document import parse_json, to_json, walk
from app.plans.transfer.markdown import to_markdown
from app.plans.transfer.store import create_from_document, load_document
from app.plans.transfer.translate import translate_from_document
from app.plans.transfer.xlsx import parse_xlsx, to_xlsx

router = api_router(tags=["plans"])

# --- import and export --------------------------------------------------------------------

IMPORT_FORMATS = {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
EXPORT_MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    md = "md"


def _file_format(upload: UploadFile) -> str:
    name = (upload.filename or "").lower()
    for suffix, kind in IMPORT_FORMATS.items():
        if name.endswith(suffix):
            return kind
    content_type = (upload.content_type or "").split(";")[0].strip()
    by_type = {"application/json": "json", "text/csv": "csv", EXPORT_MEDIA["xlsx"]: "xlsx"}
    if content_type in by_type:
        return by_type[content_type]
    raise Unprocessable(
        "say what the file is: name it .json, .csv or .xlsx",
        errors=[{"loc": ["body", "file"], "msg": "unknown file type", "type": "file_type"}],
    )


@router.post(
    "/networks/{network_id}/plans/import",
    summary="Import a plan from JSON, CSV or XLSX",
    description="Upload `file` (.json in the tree shape of GET /plans/{id}/export?format=json; "
    ".csv or .xlsx with columns aspiration, objective_code, objective, action, measure, "
    "responsible_group, milestone, due, and optional ones, see docs/plans.md). CSV and XLSX "
    "need the form fields `title`, `period_start` and `period_end`. The whole file is checked "
    "first: any problem is a 422 listing every bad row and column, and nothing is written. "
    "A table's measure without target columns gets the target its text states ('A minimum "
    "of 5 …' → at least 5); each such measure is listed in `inferred`.\n\n"
    "**Another language**: with `plan_id` and `lang` (a language the network offers other "
    "than its default), the file is the plan in that language: its text is written as that "
    "language's translation of the plan's items, matched by objective code and by position "
    "under each objective (`200`, `translated` says what was matched; a file item with no "
    "counterpart is a 422 and nothing is written).\n\n" + uploads.describe(),
    status_code=status.HTTP_201_CREATED,
    response_model=PlanImported,
    responses={
        200: {"model": PlanImported, "description": "Translations added to plan `plan_id`."},
        **responses.UPLOAD_CREATE,
    },
)
async def import_network_plan(
    request: Request,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    lang: Lang,
    file: Annotated[UploadFile, File(description="The plan: .json, .csv or .xlsx.")],
    title: Annotated[Keep[str], Form(max_length=300, description="Title (CSV/XLSX).")] = None,
    aim: Annotated[Keep[str], Form(max_length=10_000, description="Aim (CSV/XLSX).")] = None,
    period_start: Annotated[Keep[Day], Form(description="Period start (CSV/XLSX).")] = None,
    period_end: Annotated[Keep[Day], Form(description="Period end (CSV/XLSX).")] = None,
    plan_id: Annotated[
        Id | None,
        Query(description="The plan this file translates (with `lang`, not the default)."),
    ] = None,
) -> PlanImported:
    # Refuse callers who may not write plans before reading what they sent.
    policy.authorize_plan_write(principal, network)
    served = lang.write(network)
    if plan_id is None and not served.is_default:
        raise Unprocessable(
            f"a file in {served.language} (not the network's default, {served.default}) is a "
            "translation of an existing plan: name it with plan_id",
            errors=[{"loc": ["query", "plan_id"], "msg": "required with lang", "type": "missing"}],
        )
    kind = _file_format(file)
    raw = await file.read()
    reader = app_state(request).uploads
    inferred: list[dict[str, Any]] = []
    if kind == "json":
        document = await reader.parse(parse_json, raw, caps=reader.caps)
    else:
        missing = [
            name
            for name, value in (
                ("title", title),
                ("period_start", period_start),
                ("period_end", period_end),
            )
            if not value
        ]
        if missing:
            raise Unprocessable(
                f"a {kind.upper()} plan needs the form fields {', '.join(missing)}",
                errors=[
                    {"loc": ["body", name], "msg": "required", "type": "missing"}
                    for name in missing
                ],
            )
        assert title and period_start and period_end
        parse = parse_csv if kind == "csv" else parse_xlsx
        document = await reader.parse(
            parse,
            raw,
            title=title,
            period_start=period_start,
            period_end=period_end,
            aim=aim,
            caps=reader.caps,
        )
        inferred = inference.infer_targets(
            [(node.code, m) for _, _, node in walk(document) for m in node.measures]
        )
    if plan_id is not None:
        plan, summary = await translate_from_document(
            session, principal, network, document, plan_id=plan_id, language=served.language
        )
        response.status_code = status.HTTP_200_OK
        body = {**plan.model_dump(), **served.texts(plan), "translated": {**summary}}
        body["translated"]["language"] = served.language
        return lang.answer(tagged(response, PlanImported.model_validate(body)))
    plan = await create_from_document(session, principal, network, document)
    tagged(response, plan, f"/api/v1/plans/{plan.id}")
    return PlanImported.model_validate({**plan.model_dump(), "inferred": inferred})


@router.get(
    "/plans/{plan_id}/export",
    summary="Export a plan as JSON, CSV, XLSX or Markdown (re-importable, except Markdown)",
    description="The plan's **content** (objectives, actions, measures and their targets, "
    "milestones, partners' roles) in the networks' own table layout, for editing and importing "
    "again. It holds no values, statuses or ratings: for a status report to take into a "
    "meeting (ratings, reasons, readings against targets, charts, attention list) use "
    "`GET /api/v1/plans/{plan_id}/report`.",
    response_class=Response,
    responses={
        200: {
            "description": "The plan file.",
            "content": {media.split(";")[0]: {} for media in EXPORT_MEDIA.values()},
        },
        **responses.READ,
    },
)
async def export_plan(
    found: ValidPlan,
    session: SessionDep,
    lang: Lang,
    export_format: Annotated[
        ExportFormat, Query(alias="format", description="json, csv, xlsx or md.")
    ] = ExportFormat.json,
) -> Response:
    served = lang.read(found.network)
    document = await load_document(session, found.plan, served=served)
    body: bytes
    if export_format is ExportFormat.json:
        body = to_json(document)
    elif export_format is ExportFormat.csv:
        body = to_csv(document)
    elif export_format is ExportFormat.xlsx:
        body = to_xlsx(document)
    else:
        body = to_markdown(document).encode()
    filename = f"plan-{found.plan.id}.{export_format.value}"
    return Response(
        body,
        media_type=EXPORT_MEDIA[export_format.value],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            **served.content_headers(),
        },
    )
