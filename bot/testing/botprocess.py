"""Run the real ``mensch-bot run`` (``python -m bot run``) as a subprocess against the fake."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from bot.testing.config import TEST_TELEGRAM_SECTION, write_config
from bot.testing.fakeapi import TOKEN, FakeBotAPI

REPO = Path(__file__).resolve().parents[2]
"""The checkout the bot runs from."""


def bot_config(directory: Path, telegram: str = TEST_TELEGRAM_SECTION) -> Path:
    """:func:`bot.testing.config.write_config` for a bot under test: the given ``telegram:``
    section; the cache folder stays the shipped default (warm after the first start)."""
    return write_config(directory, telegram=telegram)


class BotProcess:
    """``python -m bot --config CONFIG run ARGS`` with TELEGRAM_BASE_URL at the fake.

    Output goes to files (no pipe can fill up); :meth:`stop` sends SIGTERM and returns
    (exit status, combined output).
    """

    def __init__(
        self,
        fake: FakeBotAPI | None,
        tmp_path: Path,
        *args: str,
        token: str | None = TOKEN,
        config: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        env.update(extra_env or {})
        if token is not None:
            env["TELEGRAM_BOT_TOKEN"] = token
        if fake is not None:
            env["TELEGRAM_BASE_URL"] = fake.base_url
        env["PYTHONUNBUFFERED"] = "1"
        self.log = tmp_path / f"bot-{id(self)}.log"
        config = config or bot_config(tmp_path)
        self.config = config
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "--config", str(config), "run", *args],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_started(self, fake: FakeBotAPI, timeout: float = 60) -> None:
        """Wait until the bot polls (or set its webhook); fail at once if it exits."""
        fake.wait_for(
            lambda: fake.calls("getUpdates") or fake.webhook or self.proc.poll() is not None,
            timeout,
            "the bot to start",
        )
        if self.proc.poll() is not None:
            raise AssertionError(f"bot exited with {self.proc.returncode}:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float = 30) -> tuple[int, str]:
        """Wait for the process to exit by itself."""
        code = self.proc.wait(timeout=timeout)
        return code, self.output()

    def stop(self, timeout: float = 20) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
            raise AssertionError("bot did not stop on SIGTERM:\n" + self.output()) from None
        return code, self.output()


def serve(fake: FakeBotAPI, directory: Path, *args: str):
    """Generator for module fixtures: yield a started :class:`BotProcess` (``run ARGS``)
    against ``fake``, and stop it afterwards."""
    process = BotProcess(fake, directory, *args)
    try:
        process.wait_started(fake)
    except AssertionError:
        process.stop()
        raise
    yield process
    process.stop()
