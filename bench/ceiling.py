"""Scenario 1, the ceiling: a bare FastAPI app answering ``GET /api/v1/networks/{id}`` with the
same JSON as Cohesion's scenario 2, as a plain dict (no database, no auth, no middleware).

``bench/run.py`` serves it with the same uvicorn settings as the API and points
``BENCH_CEILING_JSON`` at a file holding the body the real API returned.
"""

import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI

BODY: dict[str, Any] = json.loads(Path(os.environ["BENCH_CEILING_JSON"]).read_text())

app = FastAPI()


@app.get("/api/v1/networks/{network_id}")
async def get_network(network_id: int) -> dict[str, Any]:
    return {**BODY, "id": network_id}
