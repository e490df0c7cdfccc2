"""The report's format: ``?format=`` when given, else the best match of ``Accept``."""

from typing import Annotated

from fastapi import Depends, Header, Query

from app.core.errors import NotAcceptable
from app.reports.schemas import MEDIA_TYPES, ReportFormat

BY_MEDIA = {media.split(";")[0]: fmt for fmt, media in MEDIA_TYPES.items()}
# Markdown is also asked for as text/plain (e.g. by curl users pasting into minutes).
BY_MEDIA["text/plain"] = ReportFormat.md


def _accepted(header: str) -> list[tuple[float, int, str]]:
    """(quality, order, media range) of an Accept header, best first; q=0 left out."""
    ranges = []
    for order, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media and quality > 0:
            ranges.append((-quality, order, media.lower()))
    return sorted(ranges)


def negotiate(accept: str | None) -> ReportFormat:
    """HTML for a browser, ``*/*`` or no ``Accept``; ``406`` when nothing asked for is made."""
    if not accept:
        return ReportFormat.html
    for _, _, media in _accepted(accept):
        if media in BY_MEDIA:
            return BY_MEDIA[media]
        if media in ("*/*", "text/*"):
            return ReportFormat.html
        if media == "application/*":
            return ReportFormat.pdf
    raise NotAcceptable(
        "the report is made as "
        + ", ".join(m.split(";")[0] for m in MEDIA_TYPES.values())
        + "; ask for one in Accept or with ?format="
    )


def report_format(
    format_: Annotated[
        ReportFormat | None,
        Query(
            alias="format",
            description="html, pdf, xlsx or md. Without it, the `Accept` header decides "
            "(HTML by default).",
        ),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> ReportFormat:
    return format_ or negotiate(accept)


FormatDep = Annotated[ReportFormat, Depends(report_format)]
