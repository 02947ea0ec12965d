"""Telegram throughput: 2,000 private-chat questions through the full application.

Both bots run as subprocesses against the same fake Bot API server (bot/testing/fakeapi.py,
real HTTP on 127.0.0.1, long polling): first a bare python-telegram-bot echo bot, then
``mensch-bot run`` with the real engine and knowledge (and, with ``--compare DIR``, the bot
of another source tree, e.g. an earlier commit, on the same installed dependencies). The
clock starts when the questions are queued and stops when the last reply has arrived; the
figures are updates per second and the bot process's CPU time per update meanwhile. Runs
are interleaved over ``--rounds`` rounds and the best of each is kept.

Rate limiting is switched off for our bot (``rate_limit.overall_per_second: 0``): the echo
bot has none, and on Telegram the ~30 messages/second limit caps both bots alike.

Run from the repository root::

    python benchmarks/telegram_throughput.py [--count 2000] [--rounds 3] [--compare DIR]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.testing.botprocess import bot_config
from bot.testing.fakeapi import TOKEN, FakeBotAPI

REPO = Path(__file__).resolve().parents[1]

QUESTIONS = [
    "為什麼要開源?", "why open source?", "歐洲", "Mistral 和 歐洲", "語言", "工作",
    "你的背景是什麼", "what about Europe?", "今天天氣如何", "hello", "價值",
    "未來三到五年工作會怎麼變", "what sets Mistral apart?", "私有雲", "公司",
    "how did you start Mistral", "歐洲的弱點是什麼", "开源模型有什么价值", "人類的角色", "AI",
]  # fmt: skip

ECHO_BOT = """
import os
from telegram import Update
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update: Update, context) -> None:
    await update.message.reply_text(update.message.text)

app = ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(
    os.environ["TELEGRAM_BASE_URL"] + "/bot").build()
app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
app.run_polling(allowed_updates=["message"])
"""

VARIANTS = (("", 4), (", concurrent_updates 8", 8), (", sequential", 1))
"""(label suffix, telegram.concurrent_updates): the default 4, then 8 and 1 to compare."""

BENCH_SECTION = """\
telegram:
  poll_timeout: 5
  flood: {private: 1000, group: 1000, window: 60}
  rate_limit: {overall_per_second: 0, group_per_minute: 0, max_retries: 3}
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far, in seconds (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    command: list[str],
    count: int,
    latency: float = 0.0,
    users: int = 200,
    cwd: Path = REPO,
    env: dict[str, str] | None = None,
) -> tuple[float, float]:
    """Start ``command`` (in ``cwd``, with ``env`` added) against a fresh fake, queue
    ``count`` questions from ``users`` private chats, and return (updates per second until
    every one has its reply, the bot's CPU milliseconds per update meanwhile). ``latency``
    (seconds) delays every sendMessage answer, as a network round trip would."""
    with FakeBotAPI() as fake, tempfile.TemporaryFile() as log:
        if latency:
            fake.delay("sendMessage", latency, times=10**9)
        env = {**os.environ, **(env or {}), "TELEGRAM_BOT_TOKEN": TOKEN,
               "TELEGRAM_BASE_URL": fake.base_url}  # fmt: skip
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
        try:
            fake.wait_for(lambda: fake.calls("getUpdates"), 60, "the bot to start polling")
            cpu_start = cpu_seconds(proc.pid)
            start = time.perf_counter()
            for i in range(count):
                user = 10_000 + i % users
                fake.send_user_message(user, user, QUESTIONS[i % len(QUESTIONS)])
            replies = lambda: sum(  # noqa: E731
                1 for m, _, r in fake.sent if m == "sendMessage" and isinstance(r, dict)
            )
            fake.wait_for(lambda: replies() >= count, 600, f"{count} replies")
            elapsed = time.perf_counter() - start
            cpu = cpu_seconds(proc.pid) - cpu_start
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        if fake.violations:
            raise SystemExit(f"protocol violations: {fake.violations[:3]}")
        return count / elapsed, cpu * 1000 / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=20.0,
        help="simulated round trip for the second run (0 to skip it)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved rounds; the best rate and the least CPU of each bot are reported "
        "(a shared machine's noise only ever slows a run down)",
    )
    parser.add_argument(
        "--compare",
        metavar="DIR",
        type=Path,
        help="also run the bot from another source tree (e.g. an earlier commit unpacked "
        "with `git archive REV | tar -x -C DIR`), on the same installed dependencies",
    )
    args = parser.parse_args()
    echo_cmd = [sys.executable, "-c", ECHO_BOT]
    print(f"{args.count} private-chat questions from 200 users, fake Bot API on 127.0.0.1, "
          "long polling; python-telegram-bot", _version("python-telegram-bot"),
          "httpx", _version("httpx"), "httpcore", _version("httpcore"),
          "sniffio", _version("sniffio"))  # fmt: skip
    trees = [("mensch-bot run", REPO)]
    if args.compare:
        trees.append((f"mensch-bot run ({args.compare.name})", args.compare.resolve()))
    with tempfile.TemporaryDirectory() as tmp:
        for latency in (0.0, args.latency_ms / 1000) if args.latency_ms else (0.0,):
            print(f"sendMessage round trip +{latency * 1000:.0f} ms "
                  f"(best of {args.rounds} interleaved rounds):")  # fmt: skip
            best: dict[str, tuple[float, float]] = {}
            for _ in range(args.rounds):
                runs = [("bare PTB echo bot", echo_cmd, REPO, {})]
                for label, tree in trees:
                    for suffix, concurrency in (
                        ("", 4),
                        (", concurrent_updates 8", 8),
                        (", sequential", 1),
                    ):
                        config = Path(tmp) / f"config-{concurrency}.yaml"
                        if not config.exists():
                            section = BENCH_SECTION + f"  concurrent_updates: {concurrency}\n"
                            bot_config(Path(tmp), section).rename(config)
                        command = [sys.executable, "-m", "bot", "--config", str(config), "run",
                                   "--log-level", "WARNING"]  # fmt: skip
                        runs.append((label + suffix, command, tree, {"PYTHONPATH": str(tree)}))
                for name, command, tree, env in runs:
                    rate, cpu = measure(command, args.count, latency, cwd=tree, env=env)
                    old = best.get(name, (0.0, float("inf")))
                    best[name] = (max(old[0], rate), min(old[1], cpu))
            echo_rate, echo_cpu = best.pop("bare PTB echo bot")
            print(f"  {'bare PTB echo bot':<50} {echo_rate:6.0f} updates/s  {echo_cpu:5.2f} ms CPU")
            for name, (rate, cpu) in best.items():
                print(f"  {name:<50} {rate:6.0f} updates/s  {cpu:5.2f} ms CPU   "
                      f"({rate / echo_rate:.0%} of echo, CPU {cpu / echo_cpu:.2f}x)")  # fmt: skip
    return 0


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    sys.exit(main())
