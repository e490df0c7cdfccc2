"""Write the OpenAPI document to openapi/openapi.json (``make openapi``)."""

import json
from pathlib import Path
from typing import Any

from app.core.config import Settings

SNAPSHOT = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def render() -> str:
    """The app's OpenAPI document as the committed snapshot spells it."""
    from app.main import create_app

    document: dict[str, Any] = create_app(Settings(environment="test")).openapi()
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SNAPSHOT.parent.mkdir(exist_ok=True)
    SNAPSHOT.write_text(render())
    print(f"wrote {SNAPSHOT}")
