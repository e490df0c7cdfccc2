"""The upload mechanism: caps checked before parsing, parsers run in a child process that is
killed at the time cap, refusals that name the setting."""

import json
import multiprocessing
import time
from dataclasses import replace

import pytest

from app.core.errors import Unprocessable
from app.core.uploads import (
    DEFAULT_CAPS,
    DocumentParser,
    UploadTooLarge,
    check_json,
    check_workbook,
)
from tests.core.workbooks import crafted_workbook

SMALL = replace(
    DEFAULT_CAPS,
    rows=3,
    columns=4,
    cells=20,
    shared_strings=5,
    string_length=10,
    json_depth=4,
    json_items=10,
)


def refused_for(check, raw: bytes, caps=SMALL) -> str:
    with pytest.raises(UploadTooLarge) as exc:
        check(raw, caps)
    assert exc.value.status == 413
    assert exc.value.errors == [{"loc": ["file"], "msg": exc.value.detail, "type": "upload_cap"}]
    return str(exc.value.detail)


def cells(row: int, count: int, value: bool = True) -> str:
    body = "<v>1</v>" if value else ""
    return f'<row r="{row}">' + f"<c>{body}</c>" * count + "</row>"


def test_a_workbook_within_the_caps_passes() -> None:
    check_workbook(crafted_workbook(shared_strings=5, text="x" * 10, rows=cells(1, 4)), SMALL)


def test_workbook_caps_are_checked_before_parsing_and_named() -> None:
    cases = {
        "upload_max_shared_strings": crafted_workbook(shared_strings=6),
        "upload_max_string_length": crafted_workbook(text="x" * 11),
        "upload_max_rows": crafted_workbook(rows="".join(cells(r, 1) for r in range(1, 6))),
        "upload_max_columns": crafted_workbook(rows='<row r="1"><c r="E1"><v>1</v></c></row>'),
        "upload_max_cells": crafted_workbook(rows=cells(1, 21, value=False)),
    }
    for setting, raw in cases.items():
        assert refused_for(check_workbook, raw).endswith(f"(cap: {setting})")
    # Cells without a reference count along the row, as a spreadsheet reads them.
    assert "upload_max_columns" in refused_for(check_workbook, crafted_workbook(rows=cells(1, 5)))
    # Empty cells beyond the last column are allowed (spreadsheets keep formatted blanks).
    check_workbook(crafted_workbook(rows=cells(1, 4) + cells(2, 8, value=False)), SMALL)
    tiny = replace(SMALL, unpacked_bytes=1024)
    assert "upload_max_unpacked_bytes" in refused_for(check_workbook, crafted_workbook(), tiny)
    assert "1,000,000" not in refused_for(check_workbook, crafted_workbook(shared_strings=10**6))


def test_a_workbook_declaring_a_dtd_is_refused() -> None:
    raw = crafted_workbook(doctype='<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>')
    with pytest.raises(Unprocessable) as exc:
        check_workbook(raw, DEFAULT_CAPS)
    assert exc.value.errors == [{"loc": ["file"], "msg": "declares a DTD", "type": "file_type"}]


def test_json_caps() -> None:
    check_json(json.dumps({"a": [[1, 2]], "b": "x" * 10}).encode(), SMALL)
    assert "upload_max_json_depth" in refused_for(check_json, b'{"a": [[[{}]]]}')
    # Deeper than Python's own recursion limit is refused the same way, not a 500.
    assert "upload_max_json_depth" in refused_for(check_json, b"[" * 100_000 + b"]" * 100_000)
    assert "upload_max_json_items" in refused_for(check_json, json.dumps([0] * 11).encode())
    assert "upload_max_json_items" in refused_for(check_json, json.dumps({"a": [0] * 10}).encode())
    long = json.dumps({"a": "x" * 11}).encode()
    assert "upload_max_string_length" in refused_for(check_json, long)
    check_json(b"{not json", SMALL)  # left for the parser to describe


async def test_a_parser_past_the_time_cap_is_killed() -> None:
    await DocumentParser(DEFAULT_CAPS).parse(len, b"the forkserver, started")
    parser = DocumentParser(replace(DEFAULT_CAPS, seconds=0.5), processes=1)
    started = time.monotonic()
    with pytest.raises(UploadTooLarge) as exc:
        await parser.parse(time.sleep, 30)
    assert time.monotonic() - started < 2
    assert exc.value.detail == (
        "the document was not read within 0.5 seconds (cap: upload_parse_seconds)"
    )
    assert multiprocessing.active_children() == []


async def test_what_a_parser_raises_comes_back() -> None:
    parser = DocumentParser(DEFAULT_CAPS)
    assert await parser.parse(len, b"four") == 4
    with pytest.raises(UploadTooLarge) as exc:
        await parser.parse(check_json, b"[" * 9 + b"]" * 9, caps=SMALL)
    assert exc.value.errors and exc.value.errors[0]["type"] == "upload_cap"
    with pytest.raises(RuntimeError, match="ValueError"):
        await parser.parse(int, "not a number")
