"""A real HTTP receiver on 127.0.0.1 for webhook tests, and signature checks written
independently of the app's code (as a partner's receiver would write them)."""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.conftest import World

API = "/api/v1"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    """Records every request; answers each path with its scripted statuses, then 200."""

    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    scripts: dict[str, deque[int]] = field(default_factory=dict)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str = "/hook") -> str:
        return self.base + path

    def script(self, path: str, *statuses: int) -> None:
        self.scripts[path] = deque(statuses)

    def at(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    def answer(self, path: str) -> int:
        with self.lock:
            queue = self.scripts.get(path)
            return queue.popleft() if queue else 200


def start_receiver() -> Receiver:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = holder["r"]
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            with receiver.lock:
                receiver.requests.append(Received(self.path, headers, body))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.answer(self.path)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", receiver.url("/elsewhere"))
            payload = b"" if status < 300 else f"receiver says {status}".encode()
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    holder["r"] = Receiver(server)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return holder["r"]


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check, from the spec: any v1 signature matching is enough."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for signature in headers["webhook-signature"].split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return True
    return False


class Hooks:
    """Calls the API as someone in the world, asserting each step."""

    def __init__(self, client: httpx.AsyncClient, world: World) -> None:
        self.client = client
        self.world = world

    async def call(
        self, method: str, path: str, who: str = "chair", json: Any = None, expect: int = 200
    ) -> Any:
        headers = {**self.world.headers(who), "If-Match": "*"}
        response = await self.client.request(method, API + path, json=json, headers=headers)
        assert response.status_code == expect, (method, path, response.text)
        return response.json() if response.content else None

    async def subscribe(
        self, url: str, network_id: int | None = None, who: str = "chair", **extra: Any
    ) -> dict[str, Any]:
        body = {"url": url, "event_types": ["*"], **extra}
        network = network_id or self.world.network_a
        return await self.call("POST", f"/networks/{network}/webhooks", who, body, 201)  # type: ignore[no-any-return]

    async def plan(self, network_id: int | None = None, who: str = "chair") -> dict[str, Any]:
        body = {
            "title": "Action Plan 2021-22",
            "period_start": "2021-09-01",
            "period_end": "2022-08-31",
            "status": "active",
        }
        network = network_id or self.world.network_a
        return await self.call("POST", f"/networks/{network}/plans", who, body, 201)  # type: ignore[no-any-return]

    async def deliveries(self, webhook_id: int, who: str = "chair") -> list[dict[str, Any]]:
        page = await self.call("GET", f"/webhooks/{webhook_id}/deliveries?limit=200", who)
        return page["items"]  # type: ignore[no-any-return]
