"""ETags from row versions, and the If-Match rules for PATCH and DELETE."""

from typing import Annotated

from fastapi import Header, Response

from app.core.errors import PreconditionFailed, PreconditionRequired

IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=500,
        description='The ETag you last read (e.g. `"3"`); the change is refused with 412 if the '
        "resource has changed since.",
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(if_match: str | None, version: int) -> None:
    """428 without If-Match, 412 when it names another version."""
    if if_match is None:
        raise PreconditionRequired(
            "send If-Match with the ETag you last read, so concurrent edits are not lost"
        )
    if if_match.strip() == "*":
        return
    for tag in if_match.split(","):
        value = tag.strip().removeprefix("W/").strip('"')
        if value == str(version):
            return
    raise PreconditionFailed(
        f"the resource is at version {version}, not the one in If-Match; read it again"
    )
