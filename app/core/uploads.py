"""Uploaded documents: read off the event loop, in a child process, within documented caps.

A file of a few kilobytes can expand to millions of shared strings, rows or cells, and reading
it on the event loop would stall every other request for as long as it takes. So every parser
of an uploaded document runs through ``DocumentParser.parse``: in a child process forked from
a forkserver (preloaded with the app, so a fork costs milliseconds), waited for from a worker
thread, and killed once ``upload_parse_seconds`` have passed. A child process, not a thread:
a pure-Python parser holds the GIL, and a thread cannot be stopped at its time limit.

Inside the child the cheap checks come first (``check_workbook`` streams every part of an XLSX
archive through expat, counting shared strings, rows, columns, cells and string lengths and
stopping at the first cap; ``check_json`` bounds nesting and items), then the parser itself
counts rows and cells as it reads (``TableBounds``). A document over a cap is refused with
``413`` whose detail names the setting. The caps are settings (``UPLOAD_*`` in core.config)
and are described in docs/uploads.md.
"""

import asyncio
import io
import json
import logging
import multiprocessing
import os
import re
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar
from xml.parsers import expat

from anyio import to_thread

from app.core.config import Settings
from app.core.errors import AppError, PayloadTooLarge, ServiceUnavailable, Unprocessable

log = logging.getLogger("cohesion.uploads")

T = TypeVar("T")


@dataclass(frozen=True)
class UploadCaps:
    """What an uploaded document may be and expand to; each field is a setting (see
    ``SETTING``)."""

    bytes: int
    unpacked_bytes: int
    rows: int
    columns: int
    cells: int
    shared_strings: int
    string_length: int
    json_depth: int
    json_items: int
    seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "UploadCaps":
        return cls(**{cap: getattr(settings, name) for cap, name in SETTING.items()})


SETTING = {
    "bytes": "max_upload_bytes",
    "unpacked_bytes": "upload_max_unpacked_bytes",
    "rows": "upload_max_rows",
    "columns": "upload_max_columns",
    "cells": "upload_max_cells",
    "shared_strings": "upload_max_shared_strings",
    "string_length": "upload_max_string_length",
    "json_depth": "upload_max_json_depth",
    "json_items": "upload_max_json_items",
    "seconds": "upload_parse_seconds",
}

DEFAULT_CAPS = UploadCaps.from_settings(Settings.model_construct())


class UploadTooLarge(PayloadTooLarge):
    """A document over one of the caps; the detail names the setting."""

    def __init__(self, what: str, cap: str) -> None:
        detail = f"{what} (cap: {SETTING[cap]})"
        super().__init__(detail, errors=[{"loc": ["file"], "msg": detail, "type": "upload_cap"}])


def _over(what: str, cap: str) -> UploadTooLarge:
    return UploadTooLarge(what, cap)


# --- checks run before and while parsing ---------------------------------------------------


def check_size(raw: bytes, caps: UploadCaps) -> None:
    if len(raw) > caps.bytes:
        raise _over(f"the file is larger than {caps.bytes:,} bytes", "bytes")


class TableBounds:
    """Counts a table's rows and cells as they are read and refuses one past the caps: rows
    (after the header), columns holding a value, cells, and the length of each value."""

    def __init__(self, caps: UploadCaps, noun: str = "table") -> None:
        self.caps = caps
        self.noun = noun
        self.rows = -1  # the header is not counted
        self.cells = 0

    def row(self, values: Sequence[str]) -> list[str]:
        """``values`` cut to the column cap (refused if a value lies beyond it)."""
        caps = self.caps
        self.rows += 1
        if self.rows > caps.rows:
            raise _over(f"the {self.noun} has more than {caps.rows:,} rows", "rows")
        self.cells += len(values)
        if self.cells > caps.cells:
            raise _over(f"the {self.noun} has more than {caps.cells:,} cells", "cells")
        if any(values[caps.columns :]):
            raise _over(f"the {self.noun} has more than {caps.columns:,} columns", "columns")
        if any(len(value) > caps.string_length for value in values):
            raise _over(
                f"a value in the {self.noun} is longer than {caps.string_length:,} characters",
                "string_length",
            )
        return list(values[: caps.columns])


_COLUMN = re.compile(r"[A-Za-z]{1,3}")


def _column_number(ref: str) -> int:
    letters = _COLUMN.match(ref)
    number = 0
    for letter in letters.group().upper() if letters else "":
        number = number * 26 + ord(letter) - 64
    return number


class _WorkbookScan:
    """expat handlers counting what an XLSX part expands to (names are ``namespace}local``).
    A string's length is counted over a shared string (``si``, all its runs), an inline string
    (``is``) or a cell value (``v``)."""

    def __init__(self, caps: UploadCaps) -> None:
        self.caps = caps
        self.shared_strings = 0
        self.cells = 0
        self.rows = 0
        self.column = 0
        self.text = 0
        self.in_text = 0

    def part(self) -> expat.XMLParserType:
        self.rows = 0
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.doctype
        return parser

    def start(self, name: str, attrs: dict[str, str]) -> None:
        caps, local = self.caps, name.rpartition("}")[2]
        if local == "si":
            self.shared_strings += 1
            if self.shared_strings > caps.shared_strings:
                what = f"the workbook has more than {caps.shared_strings:,} shared strings"
                raise _over(what, "shared_strings")
        elif local == "row":
            self.rows += 1
            self.column = 0
            if self.rows > caps.rows + 1:
                raise _over(f"a sheet has more than {caps.rows:,} rows", "rows")
        elif local == "c":
            self.cells += 1
            if self.cells > caps.cells:
                raise _over(f"the workbook has more than {caps.cells:,} cells", "cells")
            ref = attrs.get("r")
            self.column = _column_number(ref) if ref else self.column + 1
        if local in _TEXT:
            if local != "si" and self.column > caps.columns:
                raise _over(f"a sheet has a value beyond column {caps.columns}", "columns")
            if not self.in_text:
                self.text = 0
            self.in_text += 1

    def end(self, name: str) -> None:
        if name.rpartition("}")[2] in _TEXT:
            self.in_text -= 1

    def characters(self, data: str) -> None:
        if not self.in_text:
            return
        self.text += len(data)
        if self.text > self.caps.string_length:
            what = f"a string in the workbook is longer than {self.caps.string_length:,} characters"
            raise _over(what, "string_length")

    def doctype(self, *_: Any) -> None:
        raise Unprocessable(
            "not an XLSX workbook: it declares a DTD",
            errors=[{"loc": ["file"], "msg": "declares a DTD", "type": "file_type"}],
        )


_TEXT = frozenset({"si", "is", "v"})


def check_workbook(raw: bytes, caps: UploadCaps) -> None:
    """Refuse an XLSX (any OOXML zip) that expands past the caps, before a parser reads it:
    the archive's unpacked size, then every part streamed through expat, stopping at the first
    cap. What is not a zip or not XML is left for the parser to refuse in its own words."""
    check_size(raw, caps)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError):
        return
    scan = _WorkbookScan(caps)
    with archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > caps.unpacked_bytes:
            raise _over(
                f"the workbook unpacks to more than {caps.unpacked_bytes:,} bytes", "unpacked_bytes"
            )
        for info in infos:
            parser = scan.part()
            try:
                # zipfile stops at each entry's declared size, so the sum above bounds the work.
                with archive.open(info) as stream:
                    while chunk := stream.read(1 << 16):
                        parser.Parse(chunk, False)
                    parser.Parse(b"", True)
            except (expat.ExpatError, zipfile.BadZipFile, NotImplementedError, ValueError):
                continue  # not XML (an image) or a broken entry: the parser decides


def check_json(raw: bytes, caps: UploadCaps) -> None:
    """Refuse JSON nested deeper than the cap, with more items (array elements and object
    members, counted together) or longer strings. Invalid JSON is left for the parser."""
    check_size(raw, caps)
    deep = _over(f"the JSON is nested more than {caps.json_depth} deep", "json_depth")
    try:
        value = json.loads(raw)
    except RecursionError:
        raise deep from None
    except ValueError:
        return
    if not isinstance(value, dict | list):
        return
    items = 0
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > caps.json_depth:
            raise deep
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        items += len(node)
        if items > caps.json_items:
            raise _over(f"the JSON has more than {caps.json_items:,} items", "json_items")
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif isinstance(child, str) and len(child) > caps.string_length:
                what = f"a string in the JSON is longer than {caps.string_length:,} characters"
                raise _over(what, "string_length")


# --- the child process ---------------------------------------------------------------------


def _child(
    send: Connection, parser: Callable[..., Any], args: tuple[Any, ...], kwargs: Any
) -> None:
    try:
        outcome: tuple[Any, ...] = ("ok", parser(*args, **kwargs))
    except AppError as exc:
        # AppError takes keyword arguments, which exceptions do not pickle: send the parts.
        outcome = ("refused", type(exc), exc.detail, exc.errors)
    except BaseException as exc:  # a parser bug: reported to the parent, a 500 there
        outcome = ("crashed", f"{type(exc).__name__}: {exc}")
    try:
        send.send(outcome)
    finally:
        os._exit(0)  # nothing to clean up; skip interpreter shutdown


class DocumentParser:
    """Runs parsers of uploaded documents in child processes, ``processes`` at a time, each
    killed after ``caps.seconds``."""

    def __init__(
        self, caps: UploadCaps, *, processes: int = 2, preload: Sequence[str] = ()
    ) -> None:
        self.caps = caps
        self._slots = asyncio.Semaphore(processes)
        self._context = multiprocessing.get_context("forkserver")
        # Modules the forkserver imports once, so that each child starts with them loaded. A
        # main module run with `python -m` is re-run in every child: its imports are preloaded.
        main = getattr(sys.modules["__main__"], "__spec__", None)
        run_as_module = [main.name] if main and not main.name.endswith("__main__") else []
        modules = ["__main__", __name__, *run_as_module, *preload]
        self._context.set_forkserver_preload(modules)

    @classmethod
    def from_settings(cls, settings: Settings, *, preload: Sequence[str] = ()) -> "DocumentParser":
        return cls(
            UploadCaps.from_settings(settings),
            processes=settings.upload_parse_processes,
            preload=preload,
        )

    def start(self) -> None:
        """Start the forkserver now rather than on the first upload (blocks while it loads)."""
        from multiprocessing import forkserver

        forkserver.ensure_running()

    async def parse(self, parser: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``parser(*args, **kwargs)`` in a child process: its result, or what it raised
        (an ``AppError``), or ``UploadTooLarge`` when it runs past the time cap."""
        seconds = self.caps.seconds
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=seconds)
        except TimeoutError:
            raise ServiceUnavailable("busy reading other uploads; try again shortly") from None
        try:
            outcome = await to_thread.run_sync(self._run, parser, args, kwargs, seconds)
        finally:
            self._slots.release()
        match outcome:
            case ("ok", result):
                return result
            case ("refused", kind, detail, errors):
                error: AppError = kind.__new__(kind)
                AppError.__init__(error, detail, errors=errors)
                raise error
            case ("timeout",):
                raise _over(f"the document was not read within {seconds:g} seconds", "seconds")
            case ("vanished",):
                log.warning("a document parser died without an answer (out of memory?)")
                raise PayloadTooLarge("the document could not be read within the server's limits")
            case _:
                raise RuntimeError(f"a document parser failed: {outcome[1]}")

    def _run(
        self, parser: Callable[..., Any], args: tuple[Any, ...], kwargs: Any, seconds: float
    ) -> tuple[Any, ...]:
        receive, send = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=_child, args=(send, parser, args, kwargs), daemon=True
        )
        try:
            process.start()
            started = time.monotonic()  # not counting a forkserver that is still starting
            send.close()
            if not receive.poll(max(0.0, seconds - (time.monotonic() - started))):
                return ("timeout",)
            try:
                return receive.recv()
            except EOFError:
                return ("vanished",)
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            receive.close()


def describe(caps: UploadCaps = DEFAULT_CAPS) -> str:
    """The caps in words, for the OpenAPI description of routes that read uploads."""
    return (
        "The file is read in a separate process, within caps (settings, defaults shown; "
        "docs/uploads.md): "
        f"{caps.bytes:,} bytes (`max_upload_bytes`), "
        f"{caps.unpacked_bytes:,} bytes unpacked (`upload_max_unpacked_bytes`), "
        f"{caps.rows:,} rows (`upload_max_rows`), {caps.columns} columns "
        f"(`upload_max_columns`), {caps.cells:,} cells (`upload_max_cells`), "
        f"{caps.shared_strings:,} shared strings (`upload_max_shared_strings`), "
        f"{caps.string_length:,} characters a value (`upload_max_string_length`), "
        f"JSON nested {caps.json_depth} deep (`upload_max_json_depth`) with "
        f"{caps.json_items:,} items (`upload_max_json_items`), and "
        f"{caps.seconds:g} seconds to read it (`upload_parse_seconds`). "
        "A file past a cap is refused with 413 naming the setting, and nothing is written."
    )
