"""Logs: JSON lines in production, readable lines in development; one access line per request,
tagged with the request id."""

import logging
import re
import sys
import time
from typing import Any

from asgi_correlation_id import CorrelationIdFilter
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("cohesion.access")

# Path segments that are credentials (a personal calendar feed's token), masked in the log.
_SECRET_PATHS = (re.compile(r"(/calendar/)[^/]+(\.ics)$"),)


def loggable_path(path: str) -> str:
    """``path`` with credential segments masked."""
    for pattern in _SECRET_PATHS:
        path = pattern.sub(r"\1***\2", path)
    return path


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    """Send every logger's records to stderr, as JSON lines unless told otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(CorrelationIdFilter(uuid_length=32, default_value="-"))
    handler.addFilter(_drop_colour)
    if json:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
                rename_fields={
                    "asctime": "time",
                    "levelname": "level",
                    "name": "logger",
                    "correlation_id": "request_id",
                },
            )
        )
    else:
        handler.setFormatter(ReadableFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def _drop_colour(record: logging.LogRecord) -> bool:
    """uvicorn attaches an ANSI-coloured copy of some messages; no log line should carry it."""
    record.__dict__.pop("color_message", None)
    return True


# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_ACCESS_FIELDS = ("method", "path", "status", "duration_ms")


class ReadableFormatter(logging.Formatter):
    """One plain line a person reads in a terminal: time, level, logger, message, then the
    record's extra fields as ``key=value``; an access record reads ``GET /path 200 3.1 ms``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        extra = {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD_ATTRIBUTES and key != "correlation_id"
        }
        if record.name == access_log.name and all(key in extra for key in _ACCESS_FIELDS):
            record.msg, record.args = (
                (
                    f"{extra.pop('method')} {extra.pop('path')} {extra.pop('status')} "
                    f"{extra.pop('duration_ms')} ms"
                ),
                None,
            )
        line = super().format(record)
        request_id = getattr(record, "correlation_id", "-")
        if request_id and request_id != "-":
            extra["request_id"] = request_id
        if extra:
            line += " " + " ".join(f"{key}={value}" for key, value in extra.items())
        return line


class AccessLogMiddleware:
    """Log method, path (never the query string: it may hold a cursor or a token),
    status and duration of every request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": loggable_path(scope["path"]),
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                },
            )
