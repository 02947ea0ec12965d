"""Hot reload of the knowledge and persona strings: one function for /reload, SIGHUP and the
file watcher.

:func:`reload_knowledge` builds a new engine in a worker thread with the same rules as
``mensch-bot check`` (:func:`validating`), then swaps ``bot_data.engine`` in one
assignment. A bad edit raises DataError inside the build: the old engine keeps serving, one
``file:line: problem`` line is logged at WARNING and, for SIGHUP and the watcher, sent to the
admins. Each update pins the engine when it starts (:mod:`bot.channels.telegram.context`), so an
update in flight finishes on the engine it started with.

:func:`start` (called from the application's post_init) installs the SIGHUP handler and
schedules the :class:`Watcher` on the application's ``JobQueue``: it compares the
modification times and sizes of ``config.yaml`` and every file of the knowledge folder every
``telegram.reload_interval`` seconds; :func:`stop` (post_stop) removes both. The
``telegram:`` section itself is validated on reload but only applied at start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from bot.channels.telegram.delivery import deliver
from bot.channels.telegram.render import render_blocks
from bot.errors import DataError

log = logging.getLogger(__name__)

Snapshot = dict[str, tuple[int, int]]
"""File path → (modification time in ns, size in bytes); missing files are absent."""


@dataclass(frozen=True)
class ReloadResult:
    """What one reload did: ``ok`` (the new engine serves) or ``error`` (the DataError line,
    the old engine keeps serving)."""

    ok: bool
    error: str | None = None


def validating(factory: Callable[[], Any]) -> Callable[[], Any]:
    """Wrap an engine factory so the engine it builds has passed ``mensch-bot check``.

    Args:
        factory: loads the config file with every section (:func:`bot.cli.load`, as every
            command does) and builds an engine from it; raises DataError.

    Returns:
        A callable with no arguments returning the new engine, which also asks every variant
        (each must reach its own entry). Raises DataError (``file:line: problem``) for the
        first problem found.
    """

    def build() -> Any:
        from bot.curation.check import check_variants

        engine = factory()
        problems = check_variants(engine)
        if problems:
            raise problems[0]
        return engine

    return build


async def reload_knowledge(application: Application, trigger: str) -> ReloadResult:
    """Rebuild the engine and swap it in, or keep the old one on a bad edit.

    Reloads never overlap (a second one waits for the first). The build runs in a worker
    thread, so updates keep being answered meanwhile.

    Args:
        application: the running application (its ``bot_data`` holds engine and runtime).
        trigger: who asked, for the log: "admin 4242", "SIGHUP", "file change".

    Returns:
        ReloadResult(ok=True) after the swap; ReloadResult(ok=False, error="file:line:
        problem") when the build raised DataError, or when reload is not configured.
    """
    runtime = application.bot_data.runtime
    if runtime.reload is None:
        return ReloadResult(False, "reload is not configured")
    async with runtime.reload_lock:
        try:
            engine = await asyncio.to_thread(runtime.reload)
        except DataError as exc:
            log.warning("reload (%s) failed, old knowledge keeps serving: %s", trigger, exc)
            return ReloadResult(False, str(exc))
        application.bot_data.engine = engine
    log.info("knowledge reloaded (%s)", trigger)
    return ReloadResult(True)


async def notify_admins(application: Application, result: ReloadResult) -> None:
    """Send a failed reload's ``file:line: problem`` to every admin in ``telegram.admins``
    (in the default script). An admin who never opened a chat with the bot cannot be
    reached: that is logged at info and skipped."""
    runtime = application.bot_data.runtime
    if result.ok or not runtime.settings.admins:
        return
    script = runtime.settings.default_script
    text = runtime.settings.text(script, "reload_failed", error=result.error)
    rendered = render_blocks([text])
    for admin in sorted(runtime.settings.admins):
        try:
            await deliver(application.bot, admin, rendered, sleep=runtime.sleep)
        except TelegramError as exc:
            log.info("cannot tell admin %s about the failed reload: %s", admin, exc)


async def reload_and_report(application: Application, trigger: str) -> ReloadResult | None:
    """:func:`reload_knowledge`, then :func:`notify_admins` when it failed (SIGHUP and the
    watcher: nobody else would see the problem). Never raises: an unexpected error (not a
    DataError) is logged with its traceback and gives None, and the old engine serves on."""
    try:
        result = await reload_knowledge(application, trigger)
        await notify_admins(application, result)
    except Exception:
        log.exception("reload (%s) failed unexpectedly, old knowledge keeps serving", trigger)
        return None
    return result


def watched_files(engine: Any) -> list[Path]:
    """The files whose change triggers a reload: the engine's config file and every regular
    file in its knowledge folder (sorted). An engine without ``config`` (a test double)
    watches nothing."""
    config = getattr(engine, "config", None)
    if config is None:
        return []
    folder = Path(config.knowledge_dir)
    try:
        files = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        files = []
    return [Path(config.path), *files]


def snapshot(paths: list[Path]) -> Snapshot:
    """(mtime in ns, size in bytes) of each existing file in ``paths``; files that cannot be
    stat'ed are left out, so a deleted file counts as a change."""
    result: Snapshot = {}
    for path in paths:
        try:
            st = path.stat()
        except OSError:
            continue
        result[str(path)] = (st.st_mtime_ns, st.st_size)
    return result


class Watcher:
    """The file watcher, a repeating job on the application's ``JobQueue``: every
    ``reload_interval`` seconds it compares the watched files' snapshot with the last one.

    A change is acted on once the files have stayed the same for one more check (an editor
    or ``git checkout`` may still be writing). The reload runs as an application task, so a
    check never outlasts its interval; checks during a reload do nothing. A failed reload is
    reported once per change, not at every check.

    Args:
        application: the application whose engine is watched and reloaded.
    """

    JOB_NAME = "reload watcher"

    def __init__(self, application: Application) -> None:
        self.application = application
        self.loaded = self.previous = snapshot(watched_files(application.bot_data.engine))
        self.busy = False

    async def check(self, context: Any = None) -> None:
        """One check (the job's callback; ``context`` is unused)."""
        if self.busy:
            return
        engine = self.application.bot_data.engine
        seen = await asyncio.to_thread(lambda: snapshot(watched_files(engine)))
        if seen != self.loaded and seen == self.previous:
            self.busy = True
            self.application.create_task(self._reload(seen), name="file change reload")
        self.previous = seen

    async def _reload(self, seen: Snapshot) -> None:
        try:
            await reload_and_report(self.application, "file change")
        finally:
            self.loaded = seen  # reported once; the next edit tries again
            self.busy = False


def start(application: Application) -> None:
    """Install the SIGHUP handler and schedule the :class:`Watcher` on the job queue (when
    ``reload_interval`` > 0 and the application can reload). Call from post_init, inside
    the running event loop; the job queue starts with the application."""
    runtime = application.bot_data.runtime
    if runtime.reload is None:
        return
    if hasattr(signal, "SIGHUP"):

        def hup() -> None:
            application.create_task(reload_and_report(application, "SIGHUP"), name="SIGHUP")

        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, hup)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
            log.info("SIGHUP reload unavailable here")
    interval = runtime.settings.reload_interval
    if interval > 0 and application.job_queue is not None:
        watcher = Watcher(application)
        application.job_queue.run_repeating(
            watcher.check, interval, first=interval, name=Watcher.JOB_NAME
        )


async def stop(application: Application) -> None:
    """Remove the SIGHUP handler and the watcher's job. Call from post_stop."""
    if hasattr(signal, "SIGHUP"):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
    if application.job_queue is not None:
        for job in application.job_queue.get_jobs_by_name(Watcher.JOB_NAME):
            job.schedule_removal()
