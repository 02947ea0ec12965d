"""Run the real ``mensch-bot run`` (``python -m bot run``) as a subprocess against the fake."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from fakeapi import TOKEN, FakeBotAPI

REPO = Path(__file__).resolve().parents[2]

TEST_TELEGRAM_SECTION = """\
telegram:
  admins: [4242]
  poll_timeout: 5
  flood: {private: 1000, group: 1000, window: 60}
  rate_limit: {overall_per_second: 0, group_per_minute: 0, max_retries: 3}
"""


def write_config(tmp_path: Path, telegram_section: str = TEST_TELEGRAM_SECTION) -> Path:
    """The repository's config.yaml with absolute knowledge path, a private jieba cache and
    the given ``telegram:`` section."""
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^knowledge:.*$", f"knowledge: {REPO / 'knowledge'}", text)
    text = re.sub(r"(?m)^cache_dir:.*$", f"cache_dir: {tmp_path / 'cache'}", text)
    block = re.compile(r"(?ms)^telegram:.*?(?=^[^\s#]|\Z)")  # the section and its lines
    text = block.sub(lambda _: telegram_section.rstrip() + "\n", text)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


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
        config = config or write_config(tmp_path)
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
