"""The hub's OpenAPI description as kept in the repository (`openapi.json` beside this module).

Regenerate after changing the API: `python -m checkpoint.hub.openapi`; a test fails while
the file and the app disagree.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from checkpoint.hub.app import make_hub_app

PATH = Path(__file__).with_name("openapi.json")


def generate() -> str:
    """The OpenAPI JSON text the app serves at /openapi.json, formatted for review."""
    engine = sa.create_engine("sqlite://")
    try:
        schema = make_hub_app(engine=engine).openapi()
    finally:
        engine.dispose()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    PATH.write_text(generate(), encoding="utf-8")
    print(f"wrote {PATH}")
