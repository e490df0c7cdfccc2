#!/usr/bin/env python3
"""Post mobility counts from a CSV file to a Cohesion network, in batches, safely re-runnable.

    export COHESION_CLIENT_ID=sa_...  COHESION_CLIENT_SECRET=...
    python examples/post_mobility_counts.py counts.csv \\
        --base-url https://cohesion.example.org --network-id 4

Needs only ``httpx`` (``pip install httpx``). The credentials are a service account's, created
by the network's chair (``POST /api/v1/networks/{id}/service-accounts`` with the scope
``mobility:write``); the token is fetched with the OAuth2 client-credentials grant.

The CSV has a header row naming the record fields:

    period,sending_org,receiving_org,participant,mode,eqf_level,count,source_ref
    2021-10,E10208620,E10001234,staff,physical,,3,travel-claims-2021-10
    2021-10,12,14,learner,virtual,4,11,

``eqf_level`` and ``source_ref`` may be empty or left out; other columns are ignored, so a
file downloaded from ``GET …/mobility-counts/export`` can be posted back as it is. An
organisation is a number (its Cohesion id) or a code (an Erasmus OID such as ``E10208620`` or a
nine-digit PIC): digits shorter than nine are read as an id, anything else as a code, unless
``--org-refs ids`` or ``--org-refs codes`` says which.

Re-running is safe. Each batch carries an ``Idempotency-Key`` made of the file's SHA-256, the
network, the batch size and the batch's index, so a rerun (say, after a crash half way) replays
the batches already accepted and sends the rest; and the server upserts on each count's natural
key, so even a replay outside the 24 hours keys are kept changes nothing.

Network errors, ``429``, ``409`` (the same batch still in flight) and ``5xx`` are retried with
exponential backoff and jitter, honouring ``Retry-After``; an expired token is renewed once.
Any other error stops the run: a ``422`` lists the bad records with their CSV line numbers (the
whole batch was refused; fix the file and run again).

Exit status: 0 when every batch was accepted, 1 when one was refused or retries ran out,
2 for usage errors.
"""

from __future__ import annotations

import argparse
import csv
import email.utils
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

FIELDS = (
    "period",
    "sending_org",
    "receiving_org",
    "participant",
    "mode",
    "eqf_level",
    "count",
    "source_ref",
)
OPTIONAL = ("eqf_level", "source_ref")
RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})
PIC_LENGTH = 9


class Refused(Exception):
    """The server refused a batch for a reason retrying cannot fix."""


@dataclass
class CsvRecords:
    """The records of a CSV file, the line each came from, and the file's digest."""

    records: list[dict[str, Any]]
    lines: list[int]
    digest: str


def _org_ref(value: str, mode: str) -> int | str:
    text = value.strip()
    if mode == "codes":
        return text
    if mode == "ids" or (text.isdigit() and len(text) < PIC_LENGTH):
        return int(text) if text.isdigit() else text
    return text


def _number(value: str) -> int | str:
    """An integer when it is one; otherwise the text, for the server to name the problem."""
    text = value.strip()
    try:
        return int(text)
    except ValueError:
        return text


def read_csv(path: Path, org_refs: str = "auto") -> CsvRecords:
    """Read the record fields of every row of ``path``."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    reader = csv.DictReader(text.splitlines(keepends=True))
    missing = [f for f in FIELDS if f not in OPTIONAL and f not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path}: the header lacks {', '.join(missing)}")
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    for row in reader:
        if not any((v or "").strip() for v in row.values()):
            continue  # a blank line
        record: dict[str, Any] = {
            "period": (row["period"] or "").strip(),
            "sending_org": _org_ref(row["sending_org"] or "", org_refs),
            "receiving_org": _org_ref(row["receiving_org"] or "", org_refs),
            "participant": (row["participant"] or "").strip(),
            "mode": (row["mode"] or "").strip(),
            "count": _number(row["count"] or ""),
        }
        eqf = (row.get("eqf_level") or "").strip()
        if eqf:
            record["eqf_level"] = _number(eqf)
        ref = row.get("source_ref") or ""
        if ref.strip():
            record["source_ref"] = ref.strip()
        records.append(record)
        lines.append(reader.line_num)
    return CsvRecords(records, lines, hashlib.sha256(raw).hexdigest())


def batches(records: list[dict[str, Any]], size: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each batch."""
    for start in range(0, len(records), size):
        yield start, min(start + size, len(records))


def idempotency_key(digest: str, network_id: int, size: int, index: int) -> str:
    """The same file, network and batching give the same keys, so a rerun replays."""
    return f"mobility-{digest[:32]}-n{network_id}-s{size}-b{index}"


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class Totals:
    records: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    replayed: int = 0
    retries: int = 0

    def add(self, answer: dict[str, Any], records: int) -> None:
        self.records += records
        self.inserted += int(answer.get("inserted", 0))
        self.updated += int(answer.get("updated", 0))
        self.unchanged += int(answer.get("unchanged", 0))


@dataclass
class Progress:
    """A one-line progress report on stderr (rewritten in place on a terminal)."""

    total: int
    stream: Any = None  # sys.stderr when the line is written
    started: float = field(default_factory=time.monotonic)
    last: float = 0.0

    def show(self, totals: Totals, *, final: bool = False) -> None:
        now = time.monotonic()
        stream = self.stream or sys.stderr
        tty = hasattr(stream, "isatty") and stream.isatty()
        if not final and now - self.last < (0.2 if tty else 5.0):
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        share = totals.records / self.total if self.total else 1.0
        line = (
            f"{totals.records:,}/{self.total:,} records ({share:.0%}) · "
            f"{totals.records / elapsed:,.0f}/s · inserted {totals.inserted:,} · "
            f"updated {totals.updated:,} · unchanged {totals.unchanged:,} · "
            f"retries {totals.retries}"
        )
        stream.write("\r\x1b[2K" + line + ("\n" if final else "") if tty else line + "\n")
        stream.flush()


class Poster:
    """Posts batches to one network with a service account's token, retrying what is safe."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        network_id: int,
        client_id: str,
        client_secret: str,
        max_retries: int = 8,
        backoff: float = 0.5,
        max_backoff: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.network_id = network_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.sleep = sleep
        self.totals = Totals()
        self._token: str | None = None

    def _wait(self, attempt: int, response: httpx.Response | None) -> None:
        delay = retry_after(response) if response is not None else None
        if delay is None:
            cap = min(self.max_backoff, self.backoff * 2**attempt)
            delay = random.uniform(cap / 2, cap)  # jitter, not security
        self.totals.retries += 1
        self.sleep(min(delay, self.max_backoff * 5))

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request, retried on network errors and retryable statuses."""
        for attempt in range(self.max_retries + 1):
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.TransportError:
                if attempt == self.max_retries:
                    raise
                self._wait(attempt, None)
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                self._wait(attempt, response)
                continue
            return response
        raise AssertionError("unreachable")

    def token(self, *, renew: bool = False) -> str:
        if self._token is None or renew:
            response = self._send(
                "POST",
                "/api/v1/auth/token",
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self.client_secret),
            )
            if response.status_code != 200:
                raise Refused(f"could not get a token: {_problem(response)}")
            self._token = str(response.json()["access_token"])
        return self._token

    def post(self, records: list[dict[str, Any]], key: str) -> dict[str, Any]:
        """Post one batch; its answer ``{"inserted", "updated", "unchanged"}``."""
        url = f"/api/v1/networks/{self.network_id}/mobility-counts"
        body = json.dumps({"records": records}, separators=(",", ":")).encode()
        for renewed in (False, True):
            headers = {
                "Authorization": f"Bearer {self.token(renew=renewed)}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            }
            response = self._send("POST", url, content=body, headers=headers)
            if response.status_code == 401 and not renewed:
                continue  # the token expired: renew it once
            break
        if response.status_code != 200:
            raise Refused(_problem(response), response)
        if response.headers.get("idempotent-replayed") == "true":
            self.totals.replayed += 1
        answer: dict[str, Any] = response.json()
        self.totals.add(answer, len(records))
        return answer


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:500]}"
    return f"HTTP {response.status_code}: {body.get('detail') or body}"


def explain(error: Refused, data: CsvRecords, start: int) -> list[str]:
    """The problems of a refused batch, with the CSV line of each bad record."""
    lines = [str(error.args[0])]
    response = error.args[1] if len(error.args) > 1 else None
    if response is None:
        return lines
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return lines
    for issue in errors:
        loc = issue.get("loc") or []
        if len(loc) >= 3 and loc[:2] == ["body", "records"] and isinstance(loc[2], int):
            where = f"line {data.lines[start + loc[2]]}"
            name = loc[3] if len(loc) > 3 else "record"
            lines.append(f"  {where}, {name}: {issue.get('msg')}")
        else:
            lines.append(f"  {'.'.join(str(p) for p in loc)}: {issue.get('msg')}")
    return lines


def post_file(
    poster: Poster, data: CsvRecords, *, batch_size: int, progress: Progress | None = None
) -> Totals:
    """Post every batch of ``data`` in order; raises ``Refused`` at the first refused one."""
    for index, (start, end) in enumerate(batches(data.records, batch_size)):
        key = idempotency_key(data.digest, poster.network_id, batch_size, index)
        try:
            poster.post(data.records[start:end], key)
        except Refused as exc:
            exc.args = ("\n".join(explain(exc, data, start)),)
            raise
        if progress is not None:
            progress.show(poster.totals)
    if progress is not None:
        progress.show(poster.totals, final=True)
    return poster.totals


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Post mobility counts from a CSV file to a Cohesion network.",
        epilog="Credentials come from COHESION_CLIENT_ID and COHESION_CLIENT_SECRET.",
    )
    parser.add_argument("csv", type=Path, help="the CSV file (a header row names the fields)")
    parser.add_argument("--network-id", type=int, required=True, help="the network's id")
    parser.add_argument(
        "--base-url",
        default=os.environ.get("COHESION_BASE_URL", "http://127.0.0.1:8000"),
        help="the API's address (default: $COHESION_BASE_URL or http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--batch-size", type=int, default=1000, help="records per request, 1-5000 (1000)"
    )
    parser.add_argument(
        "--org-refs",
        choices=("auto", "ids", "codes"),
        default="auto",
        help="how to read organisation columns (auto: short numbers are ids)",
    )
    parser.add_argument("--max-retries", type=int, default=8, help="per request (8)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    args = parser.parse_args(argv)
    if not 1 <= args.batch_size <= 5000:
        parser.error("--batch-size must be between 1 and 5000")
    return args


def main(argv: list[str] | None = None, client: httpx.Client | None = None) -> int:
    args = parse_args(argv)
    client_id = os.environ.get("COHESION_CLIENT_ID")
    secret = os.environ.get("COHESION_CLIENT_SECRET")
    if not client_id or not secret:
        print("set COHESION_CLIENT_ID and COHESION_CLIENT_SECRET", file=sys.stderr)
        return 2
    try:
        data = read_csv(args.csv, args.org_refs)
    except (OSError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    own = client is None
    http = client or httpx.Client(base_url=args.base_url, timeout=args.timeout)
    poster = Poster(
        http,
        network_id=args.network_id,
        client_id=client_id,
        client_secret=secret,
        max_retries=args.max_retries,
    )
    try:
        totals = post_file(
            poster, data, batch_size=args.batch_size, progress=Progress(len(data.records))
        )
    except (Refused, httpx.TransportError) as exc:
        print(f"stopped: {exc}", file=sys.stderr)
        return 1
    finally:
        if own:
            http.close()
    print(json.dumps(totals.__dict__))
    return 0


if __name__ == "__main__":
    sys.exit(main())
