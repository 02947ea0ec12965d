"""The unanswered-question log: what users asked that the interview did not clearly answer.

Every fallback and every suggestion ("did you mean") reply is appended to a JSON Lines file, one
object per line, for curators to read with ``mensch-bot misses`` (:mod:`bot.curation.misses`,
through :mod:`bot.curation.unanswered_reader`)::

    {"time": "2024-05-11T08:30:00.123Z", "channel": "telegram", "chat_type": "private",
     "kind": "fallback", "script": "hant", "question": "你們的股價是多少?", "confidence": 21.4,
     "top": [{"entry": "business_model", "confidence": 21.4}, ...]}

No user id, name or chat id is written unless ``config.yaml`` asks for them
(``include_user_ids`` / ``include_chat_ids``); names are never written. The settings are
:class:`bot.loading.config.UnansweredSettings` (``Config.unanswered``).

Crash safety: each record is one complete line handed to a single ``os.write`` on a file opened
with ``O_APPEND``, so a crash leaves either the whole line or nothing. Should a line ever be cut
short (disk full, a copy of the file taken mid-write), the next record starts on a fresh line and
:func:`bot.curation.unanswered_reader.read_records` skips and counts the broken one.

Rotation: when the next line would take the file past ``max_bytes``, ``log.jsonl`` becomes
``log.jsonl.1``, ``.1`` becomes ``.2`` and so on; the oldest beyond ``backups`` is deleted.
One process writes one log file (a lock serialises writers inside the process); give each
replica its own path.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.loading.config import UnansweredSettings
from bot.pipeline.reply import Reply

log = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")

LOGGED_KINDS = frozenset({"fallback", "suggest", "related"})
"""Reply kinds that are written to the log; answers and small talk are not."""
MAX_LOGGED_CHARS = 1000
"""Questions longer than this (code points) are cut; ``question_chars`` keeps the length.
Matching reads only the first 500 characters, so nothing a curator needs is lost."""
_FLAGS = os.O_RDWR | os.O_APPEND | os.O_CREAT  # read: to check the last byte is a newline


def unwritable_reason(path: Path) -> str | None:
    """Why the log at ``path`` could not be written (and rotated), or None when it can: the
    file (when it exists) and its folder must be writable, or the nearest existing ancestor of
    a missing folder must be a writable folder (the log creates the rest). Read-only mounts
    (``ProtectSystem=strict``, a read-only image) count as not writable, for root too."""
    if path.exists() and (path.is_dir() or not os.access(path, os.W_OK)):
        return "a folder" if path.is_dir() else "the file is not writable"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder} is not writable"
    return None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _iso(moment: dt.datetime) -> str:
    return (
        moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


def _safe_text(text: str) -> str:
    """Text that encodes to UTF-8: lone surrogates become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


class UnansweredLog:
    """Appends fallback and suggestion replies to the unanswered-question log.

    Args:
        settings: ``Config.unanswered``; with ``path`` None every record is a no-op.
        clock: returns the current time (aware datetime); for tests. Default: UTC now.

    Safe to share between threads and asyncio tasks of one process: writes are serialised by
    a lock and each takes a few microseconds (open, fstat, one write, close), so calling
    :meth:`record` from a coroutine does not stall the event loop noticeably.

    Attributes:
        written: records written since start.
        failed: records lost to an OS error (logged as a warning, never raised).
    """

    def __init__(
        self, settings: UnansweredSettings, clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.settings = settings
        self._clock = clock or _utc_now
        self._lock = threading.Lock()
        self.written = 0
        self.failed = 0

    def record(
        self,
        reply: Reply,
        channel: str,
        chat_type: str | None,
        user_id: int | str | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        """Append one record for a fallback or suggest reply; other kinds are ignored.

        Args:
            reply: the engine's reply (its question, kind, script, confidence and ``top``).
            channel: where the question came from, e.g. "telegram", "console".
            chat_type: Telegram's chat type ("private", "group", "supergroup", "channel"),
                "inline", or None.
            user_id: written only when ``include_user_ids`` is set.
            chat_id: written only when ``include_chat_ids`` is set.

        Never raises for I/O problems: the bot keeps answering when the log cannot be
        written (the failure is logged and counted in ``failed``).
        """
        if self.settings.path is None or reply.kind not in LOGGED_KINDS:
            return
        line = self._line(reply, channel, chat_type, user_id, chat_id)
        with self._lock:
            try:
                self._append(line)
            except OSError as exc:
                self.failed += 1
                log.warning("unanswered log %s not written: %s", self.settings.path, exc)
            else:
                self.written += 1

    def _line(
        self,
        reply: Reply,
        channel: str,
        chat_type: str | None,
        user_id: int | str | None,
        chat_id: int | str | None,
    ) -> bytes:
        question = _safe_text(reply.question)
        record: dict[str, Any] = {
            "time": _iso(self._clock()),
            "channel": channel,
            "chat_type": chat_type,
            "kind": reply.kind,
            "script": reply.script,
            "question": question[:MAX_LOGGED_CHARS],
        }
        if len(question) > MAX_LOGGED_CHARS:
            record["question_chars"] = len(question)
        record["confidence"] = round(float(reply.confidence), 1)
        record["top"] = [
            {"entry": entry_id, "confidence": round(float(conf), 1)}
            for entry_id, conf in reply.top[:3]
        ]
        if self.settings.include_user_ids and user_id is not None:
            record["user_id"] = user_id
        if self.settings.include_chat_ids and chat_id is not None:
            record["chat_id"] = chat_id
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        return (text + "\n").encode("utf-8")

    def _append(self, line: bytes) -> None:
        path = self.settings.path
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, _FLAGS, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and size + len(line) > self.settings.max_bytes:
                os.close(fd)
                fd = -1
                self._rotate()
                fd = os.open(path, _FLAGS, 0o600)
                size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a cut-short line stays alone and is skipped when read
            os.write(fd, line)
        finally:
            if fd >= 0:
                os.close(fd)

    def _rotate(self) -> None:
        path = self.settings.path
        assert path is not None
        backups = self.settings.backups
        if backups == 0:
            path.unlink(missing_ok=True)
            return
        Path(f"{path}.{backups}").unlink(missing_ok=True)
        for index in range(backups - 1, 0, -1):
            older = Path(f"{path}.{index}")
            if older.exists():
                os.replace(older, f"{path}.{index + 1}")
        os.replace(path, f"{path}.1")
