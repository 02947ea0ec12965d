"""Config files for tests and benchmarks: the shipped ``config.yaml`` with sections replaced."""

from __future__ import annotations

import re
from pathlib import Path

from bot import paths

TEST_TELEGRAM_SECTION = """\
telegram:
  admins: [4242]
  poll_timeout: 5
  flood: {private: 1000, group: 1000, window: 60}
  rate_limit: {overall_per_second: 0, group_per_minute: 0, max_retries: 3}
"""
"""A ``telegram:`` section for a bot under test: admin 4242, no flood guard or rate limit to
speak of (the library still retries a 429 three times)."""


def write_config(
    directory: Path,
    *,
    knowledge: Path | None = None,
    cache_dir: Path | None = None,
    **sections: str,
) -> Path:
    """Write the shipped config.yaml into ``directory`` as ``config.yaml`` and return its path.

    Args:
        directory: the folder to write into.
        knowledge: the knowledge folder the copy names (default: the shipped one), written
            as an absolute path.
        cache_dir: the cache folder it names (default: as shipped).
        sections: top-level sections replaced, each by its full text including the key,
            e.g. ``unanswered="unanswered: {}"``.

    Raises:
        AssertionError: the shipped config has no such top-level section.
    """
    text = paths.shipped_config().read_text(encoding="utf-8")
    knowledge = knowledge or paths.data_dir() / "knowledge"
    text = _set_line(text, "knowledge", str(knowledge))
    if cache_dir is not None:
        text = _set_line(text, "cache_dir", str(cache_dir))
    for name, body in sections.items():
        block = re.compile(rf"(?ms)^{name}:.*?(?=^[^\s#]|\Z)")  # the key and its lines
        text, count = block.subn(body.rstrip("\n").replace("\\", "\\\\") + "\n", text)
        assert count == 1, f"config.yaml has no top-level {name}: section"
    path = directory / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _set_line(text: str, key: str, value: str) -> str:
    text, count = re.subn(rf"(?m)^{key}:.*$", lambda _: f"{key}: {value}", text)
    assert count == 1, f"config.yaml has no top-level {key}: line"
    return text
