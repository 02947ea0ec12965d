"""Derive ``bot/testing/bot_api_methods.json`` (the fake Bot API's fixture) from the shared
Bot API specification.

Run from the repository root, where ``../shared`` exists (the tests never read it)::

    python tests/telegram/make_fixture.py [path/to/bot-api-10.0.json]

The fixture maps each method name to ``{param: {"required": bool, "types": [str, ...]}}``,
sorted, plus a ``"_version"`` key naming the Bot API edition. Types are the spec's type names
("Integer", "String", "Boolean", "Float", "Array of X", or an object type name).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SPEC = HERE.parents[2] / "shared" / "telegram" / "bot-api-10.0.json"


def derive(spec: dict) -> dict:
    """Return the compact fixture for a parsed spec (``methods.<name>.fields[]``)."""
    methods = {
        name: {
            field["name"]: {"required": bool(field["required"]), "types": list(field["types"])}
            for field in method.get("fields", [])
        }
        for name, method in sorted(spec["methods"].items())
    }
    return {"_version": spec.get("version", "?"), **methods}


def main(argv: list[str]) -> int:
    """Write the fixture next to this script; returns the exit status."""
    spec_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    out = HERE.parents[1] / "bot" / "testing" / "bot_api_methods.json"
    fixture = derive(spec)
    lines = [f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in fixture.items()]
    out.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"wrote {out} ({len(spec['methods'])} methods)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
