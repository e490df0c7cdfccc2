"""Helpers for the example values the OpenAPI document shows (each domain's ``examples.py``)."""

from typing import Any


def stamp(day: str, time: str = "09:30:00") -> str:
    """An RFC 3339 UTC timestamp, e.g. ``stamp("2026-09-14")``."""
    return f"{day}T{time}Z"


def record(
    id: int,
    *,
    version: int = 1,
    created: str = "2026-09-01",
    updated: str | None = None,
    deleted: bool | None = None,
) -> dict[str, Any]:
    """The record fields every stored object carries (``deleted``: include ``deleted_at``)."""
    fields: dict[str, Any] = {
        "id": id,
        "version": version,
        "created_at": stamp(created),
        "updated_at": stamp(updated or created, "14:05:00"),
    }
    if deleted is not None:
        fields["deleted_at"] = stamp(updated or created, "14:05:00") if deleted else None
    return fields
