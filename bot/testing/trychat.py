"""Try the Telegram bot by hand, without Telegram: ``python -m bot.testing.trychat``.

Starts the fake Bot API server (:mod:`bot.testing.fakeapi`) on 127.0.0.1, runs the real
``mensch-bot run`` against it (a throw-away config and token; the caches are the usual ones),
and turns each line you type into a Telegram message from one user, printing what the bot
sends back: its text, and the labels of its buttons. A line starting with ``group:`` is sent
in a group chat instead (address the bot there as a member would: ``group: @MenschTestBot
歐洲的優勢?`` or ``group: /ask 歐洲的優勢?``; unaddressed group messages get no reply). An
empty line or EOF (Ctrl-D) stops the bot.

Exit status: 0, or 1 when the bot did not start (its log is printed).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from bot.testing.botprocess import BotProcess
from bot.testing.fakeapi import BOT_USERNAME, FakeBotAPI

USER = 1001
"""The user id (and private chat id) your lines come from."""
GROUP = -2001
"""The group chat of ``group:`` lines."""
GROUP_PREFIX = "group:"
REPLY_WAIT = 10.0
"""Seconds to wait for the bot's reply to one line (the first answer loads the encoder)."""
SETTLE = 0.3
"""Seconds to wait after a reply for a second message (a long answer is split in parts)."""


def _show(message: dict, out: TextIO) -> None:
    out.write(message.get("text", "") + "\n")
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    labels = [button.get("text", "") for row in keyboard for button in row]
    if labels:
        out.write("  [" + "] [".join(labels) + "]\n")


def chat(fake: FakeBotAPI, lines: TextIO, out: TextIO) -> None:
    """Send each line as a user's message; print the bot's new messages to that chat.

    Args:
        fake: a started fake server with the bot polling it.
        lines: the user's messages, one per line; an empty line ends the chat.
        out: where the bot's replies are printed.
    """
    for raw in lines:
        text = raw.rstrip("\n")
        if not text.strip():
            return
        chat_id = USER
        if text.startswith(GROUP_PREFIX):
            chat_id, text = GROUP, text[len(GROUP_PREFIX) :].strip()
        seen = len(fake.messages_to(chat_id))
        fake.send_user_message(chat_id, USER, text)
        try:
            fake.wait_for(
                lambda c=chat_id, n=seen: len(fake.messages_to(c)) > n, REPLY_WAIT, "a reply"
            )
        except AssertionError:
            out.write("(no reply)\n")
            continue
        time.sleep(SETTLE)
        for message in fake.messages_to(chat_id)[seen:]:
            _show(message, out)
        out.flush()


def main(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Run the fake server and the bot, chat over ``stdin``/``stdout``; 0, or 1 when the bot
    did not start."""
    with tempfile.TemporaryDirectory() as folder, FakeBotAPI() as fake:
        bot = BotProcess(fake, Path(folder))
        try:
            bot.wait_started(fake)
        except AssertionError as exc:
            stdout.write(f"the bot did not start: {exc}\n")
            return 1
        stdout.write(
            f"Talking to @{BOT_USERNAME} through a fake Bot API. Type a message; "
            f"'{GROUP_PREFIX} …' sends it in a group; an empty line quits.\n"
        )
        stdout.flush()
        try:
            chat(fake, stdin, stdout)
        finally:
            bot.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
