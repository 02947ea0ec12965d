"""Reading the unanswered-question log (written by :mod:`bot.curation.unanswered`) for
``mensch-bot misses``: the live file and its rotated backups, oldest first, skipping and
counting lines that are not complete records."""

from __future__ import annotations

import datetime as dt
import glob
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class LogContents:
    """What :func:`read_records` found.

    Attributes:
        records: valid records, oldest file first, in file order.
        malformed: lines skipped because they are not a complete record.
        files: the files read (rotated backups first, the live file last).
    """

    records: list[dict[str, Any]] = field(default_factory=list)
    malformed: int = 0
    files: list[Path] = field(default_factory=list)


def log_files(path: str | Path) -> list[Path]:
    """The live log and its rotated backups that exist, oldest first
    (``log.jsonl.3``, ``.2``, ``.1``, ``log.jsonl``)."""
    path = Path(path)
    backups = []
    for candidate in path.parent.glob(glob.escape(path.name) + ".*"):
        suffix = candidate.name[len(path.name) + 1 :]
        if suffix.isdigit():
            backups.append((int(suffix), candidate))
    files = [p for _, p in sorted(backups, reverse=True)]
    if path.exists():
        files.append(path)
    return files


def _parse_line(raw: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    if not isinstance(record.get("question"), str) or not isinstance(record.get("time"), str):
        return None
    try:
        moment = dt.datetime.fromisoformat(record["time"].replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    top = record.get("top", [])
    if not isinstance(top, list) or not all(
        isinstance(t, dict) and isinstance(t.get("entry"), str) for t in top
    ):
        return None
    record["_time"] = moment
    return record


def _lines(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        for raw in handle:  # splits on b"\n" only: U+2028 inside a question is not a break
            raw = raw.rstrip(b"\r\n")
            if raw.strip():
                yield raw


def read_records(path: str | Path, since: dt.date | None = None) -> LogContents:
    """Read the log and its rotated backups.

    Args:
        path: the live log file (backups ``path.1`` … are found beside it).
        since: keep only records whose UTC date is on or after this day; None keeps all.

    Returns:
        LogContents. Each record is the JSON object as written plus ``_time`` (an aware
        datetime). Lines that are not valid UTF-8 JSON objects with a ``question`` text and an
        ISO ``time`` (a line cut short by a crash, say) are skipped and counted in
        ``malformed``. Missing files give an empty result.

    Raises:
        OSError: a file exists but cannot be read.
    """
    contents = LogContents(files=log_files(path))
    for file in contents.files:
        for raw in _lines(file):
            record = _parse_line(raw)
            if record is None:
                contents.malformed += 1
            elif since is None or record["_time"].astimezone(dt.timezone.utc).date() >= since:
                contents.records.append(record)
    return contents
