"""Telegram throughput: 2,000 private-chat questions through the full application.

Both bots run as subprocesses against the same fake Bot API server (tests/telegram/fakeapi.py,
real HTTP on 127.0.0.1, long polling): first a bare python-telegram-bot echo bot, then
``mensch-bot run`` with the real engine and knowledge. The clock starts when the questions
are queued and stops when the last reply has arrived; the figure is updates per second.

Rate limiting is switched off for our bot (``rate_limit.overall_per_second: 0``): the echo
bot has none, and on Telegram the ~30 messages/second limit caps both bots alike.

Run from the repository root::

    python benchmarks/telegram_throughput.py [--count 2000]
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "telegram"))

from botprocess import write_config  # noqa: E402
from fakeapi import TOKEN, FakeBotAPI  # noqa: E402

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

BENCH_SECTION = """\
telegram:
  poll_timeout: 5
  flood: {private: 1000, group: 1000, window: 60}
  rate_limit: {overall_per_second: 0, group_per_minute: 0, max_retries: 3}
"""


def measure(command: list[str], count: int, latency: float = 0.0, users: int = 200) -> float:
    """Start ``command`` against a fresh fake, queue ``count`` questions from ``users``
    private chats, and return updates per second until every one has its reply.
    ``latency`` (seconds) delays every sendMessage answer, as a network round trip would."""
    with FakeBotAPI() as fake, tempfile.TemporaryFile() as log:
        if latency:
            fake.delay("sendMessage", latency, times=10**9)
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": fake.base_url}
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
        try:
            fake.wait_for(lambda: fake.calls("getUpdates"), 60, "the bot to start polling")
            start = time.perf_counter()
            for i in range(count):
                user = 10_000 + i % users
                fake.send_user_message(user, user, QUESTIONS[i % len(QUESTIONS)])
            replies = lambda: sum(  # noqa: E731
                1 for m, _, r in fake.sent if m == "sendMessage" and isinstance(r, dict)
            )
            fake.wait_for(lambda: replies() >= count, 600, f"{count} replies")
            elapsed = time.perf_counter() - start
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        if fake.violations:
            raise SystemExit(f"protocol violations: {fake.violations[:3]}")
        return count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=20.0,
        help="simulated round trip for the second run (0 to skip it)",
    )
    args = parser.parse_args()
    echo_cmd = [sys.executable, "-c", ECHO_BOT]
    print(f"{args.count} private-chat questions from 200 users, fake Bot API on 127.0.0.1, "
          "long polling")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for latency in (0.0, args.latency_ms / 1000) if args.latency_ms else (0.0,):
            print(f"sendMessage round trip +{latency * 1000:.0f} ms:")
            results = []
            for name, concurrency in (("mensch-bot run", 8), ("mensch-bot run, sequential", 1)):
                config = write_config(
                    Path(tmp), BENCH_SECTION + f"  concurrent_updates: {concurrency}\n"
                )
                ours_cmd = [sys.executable, "-m", "bot", "--config", str(config), "run",
                            "--log-level", "WARNING"]  # fmt: skip
                results.append((name, measure(ours_cmd, args.count, latency)))
            echo = measure(echo_cmd, args.count, latency)
            print(f"  {'bare PTB echo bot':<28} {echo:8.0f} updates/s")
            for name, rate in results:
                print(f"  {name:<28} {rate:8.0f} updates/s   ({rate / echo:.0%} of echo)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
