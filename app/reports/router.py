"""Routes for the plan report and the network report."""

from datetime import date
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query, Response

from app.auth.deps import CurrentPrincipal
from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang, Served
from app.core.routing import CohesionRoute
from app.core.schemas import Day
from app.networks.deps import NetworkForRead
from app.plans.deps import ValidPlan
from app.reports import service
from app.reports.deps import FormatDep
from app.reports.renderers import html, md, pdf, xlsx
from app.reports.schemas import MEDIA_TYPES, NetworkReport, PlanReport, ReportFormat

router = APIRouter(tags=["reports"], route_class=CohesionRoute)

REPORT_OR_EXPORT = (
    "Use `/report` for people: a document to read, print or take into a meeting, with the "
    "ratings, reasons, values against targets, what needs attention and charts; it cannot "
    "be imported. Use `/plans/{plan_id}/export` for the plan's content itself (objectives, "
    "actions, measures, milestones) to edit and import again."
)


def _content(what: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": f"The {what} in the format asked for (`?format=` or `Accept`): "
            "a self-contained HTML page (inline CSS and SVG charts, no script, printable "
            "on A4), an A4 PDF, an XLSX workbook, or Markdown.",
            "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
        },
        **responses.problems(401, 404, 406, 422),
    }


def _file(body: bytes, fmt: ReportFormat, name: str, served: Served | None = None) -> Response:
    disposition = "inline" if fmt is ReportFormat.html else "attachment"
    language = served.content_headers() if served is not None else {}
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={
            **language,
            "Content-Disposition": f'{disposition}; filename="{name}.{fmt.value}"',
            "Vary": "Accept, Accept-Language" if served is not None else "Accept",
            # The report's HTML needs nothing from anywhere: say so to the browser.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:",
        },
    )


async def _render(report: PlanReport | NetworkReport, fmt: ReportFormat) -> bytes:
    """Lay the report out; the CPU-heavy formats run in a worker thread."""
    if fmt is ReportFormat.md:
        text = md.plan(report) if isinstance(report, PlanReport) else md.network(report)
        return text.encode()
    if fmt is ReportFormat.xlsx:
        make = xlsx.plan if isinstance(report, PlanReport) else xlsx.network
        return await to_thread.run_sync(make, report)  # type: ignore[arg-type]
    if fmt is ReportFormat.pdf:
        printed = pdf.plan if isinstance(report, PlanReport) else pdf.network
        return await to_thread.run_sync(printed, report)  # type: ignore[arg-type]
    page = html.plan if isinstance(report, PlanReport) else html.network
    document: str = await to_thread.run_sync(page, report)  # type: ignore[arg-type]
    return document.encode()


@router.get(
    "/plans/{plan_id}/report",
    operation_id="get_plan_report",
    summary="The plan's report for a steering committee: HTML, PDF, XLSX or Markdown",
    description="Network, plan, period, `as_of`; the headline rating with its reasons and "
    "evidence coverage; per objective (in plan order) the owner, rating, reasons, actions "
    "done, milestones and each measure's value against its target; what needs attention; "
    "what changed since `since`; the latest check-ins; the partners' roles; charts of the "
    "readings against targets, of the milestones across the period and of the ratings. "
    "The numbers are those of `/plans/{plan_id}/progress`.\n\n" + REPORT_OR_EXPORT,
    response_class=Response,
    responses=_content("plan report"),
)
async def get_plan_report(
    found: ValidPlan,
    session: SessionDep,
    report_format: FormatDep,
    lang: Lang,
    as_of: Annotated[
        Day | None,
        Query(
            description="The date to judge against (YYYY-MM-DD); by default as "
            "`/progress`: today, or the period end once the period is over."
        ),
    ] = None,
    since: Annotated[
        Day | None,
        Query(
            description="List what happened from this day on (e.g. the last steering "
            "meeting); by default the 30 days before `as_of`."
        ),
    ] = None,
) -> Response:
    served = lang.read(found.network)
    report = await service.plan_report(session, found, as_of, since, served)
    body = await _render(report, report_format)
    name = f"plan-{report.plan_id}-report-{report.as_of}"
    return _file(body, report_format, name, served)


@router.get(
    "/networks/{network_id}/report",
    operation_id="get_network_report",
    summary="The network's report: every readable member network's active plans",
    description="The roll-up of `/networks/{network_id}/progress` across the network and "
    "its descendants: each network's active plans with rating, reasons and coverage, and "
    "each plan's most severe items needing attention, as HTML, PDF, XLSX or Markdown.\n\n"
    + REPORT_OR_EXPORT,
    response_class=Response,
    responses=_content("network report"),
)
async def get_network_report(
    network: NetworkForRead,
    session: SessionDep,
    principal: CurrentPrincipal,
    report_format: FormatDep,
    as_of: Annotated[
        Day | None,
        Query(
            description="The date to judge every plan at (YYYY-MM-DD); by default each "
            "plan at today, or at its period end once its period is over."
        ),
    ] = None,
) -> Response:
    report = await service.network_report(session, principal, network, as_of)
    body = await _render(report, report_format)
    day: date | str = report.as_of or "today"
    return _file(body, report_format, f"network-{report.network_id}-report-{day}")
