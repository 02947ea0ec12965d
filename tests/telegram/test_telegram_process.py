"""The real ``mensch-bot run`` as a process (``python -m bot run``) against the fake Bot API
server: what only a process shows — start-up failures and their exit statuses, SIGHUP and
SIGTERM, the webhook server, the log as printed (no token in it). Each test starts its own
process; the behaviour behind them is tested in this process by the other modules.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from conftest import edit
from harness import (
    ANSWER_START,
    ASK,
    BROKEN_START,
    GREETING,
    NEW_GREETING,
    ask,
    running_fake,
    served_copy,
)

from bot.testing.botprocess import REPO, BotProcess
from bot.testing.config import write_config
from bot.testing.fakeapi import BOT_USERNAME, TOKEN, FakeBotAPI

pytestmark = pytest.mark.slow  # each test starts the real command

fake_fixture = pytest.fixture(name="fake")(running_fake)


def wait_log(fake, bot: BotProcess, pattern: str, count: int = 1) -> str:
    """Wait until ``pattern`` (a regular expression) occurs ``count`` times in the log."""
    fake.wait_for(
        lambda: len(re.findall(pattern, bot.output())) >= count or bot.proc.poll() is not None,
        30,
        f"{pattern!r} in the log",
    )
    output = bot.output()
    assert len(re.findall(pattern, output)) >= count, output
    return output


def started(fake, tmp_path, config) -> BotProcess:
    bot = BotProcess(fake, tmp_path, config=config)
    try:
        bot.wait_started(fake)
    except AssertionError:
        bot.stop()
        raise
    return bot


def test_sighup_reloads_and_sigterm_delivers_the_reply_in_flight(fake, tmp_path):
    config, entries = served_copy(tmp_path, reload_interval=0)
    bot = started(fake, tmp_path, config)
    try:
        assert ask(fake, 10, "歐洲")["reply_markup"]  # suggestions: the unanswered log
        edit(config, GREETING, NEW_GREETING)
        edit(entries, ANSWER_START, BROKEN_START)
        bot.proc.send_signal(signal.SIGHUP)
        wait_log(fake, bot, r"WARNING .*reload \(SIGHUP\) failed, .*entries\.yaml:\d+: .*oss_value")
        assert ask(fake, 11, "/start")["text"].startswith(GREETING)  # neither edit applied

        edit(entries, BROKEN_START, ANSWER_START)
        assert ask(fake, 11, "/start")["text"].startswith(GREETING)  # no watcher: no reload
        bot.proc.send_signal(signal.SIGHUP)
        wait_log(fake, bot, r"INFO .*knowledge reloaded \(SIGHUP\)")
        assert ask(fake, 12, "/start")["text"].startswith(NEW_GREETING)

        # SIGTERM while the first reply waits 1.5 s on the server and the second question,
        # already fetched, waits its turn behind it: both replies are still sent
        fake.delay("sendMessage", 1.5, chat_id=13)
        fake.send_user_message(13, 13, ASK)
        second = fake.push("message", fake.new_message(13, 13, "/start"))
        fake.wait_for(
            lambda: (
                fake.confirmed >= second
                and [p for p in fake.calls("sendMessage") if int(p["chat_id"]) == 13]
            ),
            20,
            "the first reply on its way and the second question fetched",
        )
    finally:
        code, output = bot.stop()
    assert code == 0, output
    first, then = fake.messages_to(13)
    assert first["text"].startswith(ANSWER_START) and then["text"].startswith(NEW_GREETING)
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert f"running as @{BOT_USERNAME}" in output
    assert "can_read_all_group_messages=False" in output
    log = config.parent / "unanswered.jsonl"  # config.yaml: path: unanswered.jsonl
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert {"channel": "telegram", "chat_type": "private", "question": "歐洲"}.items() <= next(
        r for r in records if r["question"] == "歐洲"
    ).items()
    assert all("user_id" not in r and "chat_id" not in r for r in records)  # privacy default


# ---------------------------------------------------------------- start-up problems
@pytest.mark.parametrize(
    ("token", "message"),
    [(None, "TELEGRAM_BOT_TOKEN is not set"), ("not-a-token", "TELEGRAM_BOT_TOKEN is malformed")],
)
def test_missing_or_malformed_token_exits_2(tmp_path, token, message):
    code, output = BotProcess(None, tmp_path, token=token).wait()
    assert code == 2
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mensch-bot run: {message}"), output
    assert "not-a-token" not in output


def test_bad_telegram_config_exits_2_with_file_and_line(tmp_path):
    config = write_config(tmp_path, telegram="telegram:\n  admins: nobody\n")
    code, output = BotProcess(None, tmp_path, config=config).wait()
    assert code == 2
    line = config.read_text(encoding="utf-8").splitlines().index("  admins: nobody") + 1
    assert output.strip() == (
        f"mensch-bot run: {config}:{line}: telegram.admins must be a list of positive Telegram "
        "user ids, got 'nobody'"
    )
    assert TOKEN not in output


@pytest.mark.parametrize("secret_from", ["option", "environment"])
def test_webhook_mode(tmp_path, secret_from):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with FakeBotAPI() as fake:
        url = f"http://127.0.0.1:{port}/hook"
        options = ["--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port)]
        if secret_from == "option":
            bot = BotProcess(fake, tmp_path, *options, "--secret-token", "s3cret_T")
        else:
            bot = BotProcess(
                fake, tmp_path, *options, extra_env={"TELEGRAM_WEBHOOK_SECRET": "s3cret_T"}
            )
        try:
            bot.wait_started(fake)
            assert fake.webhook["url"] == url and fake.webhook["secret_token"] == "s3cret_T"
            fake.wait_for(lambda: _listening(port), 30, "the webhook server to listen")
            msg = fake.new_message(3001, 3001, ASK)
            update = json.dumps({"update_id": 1, "message": msg}).encode()
            assert _post(url, update, "wrong") == 403
            bad = dict(msg, **{"from": {"id": 3001, "first_name": "No is_bot"}})
            assert _post(url, json.dumps({"update_id": 2, "message": bad}).encode(),
                         "s3cret_T") == 400  # fmt: skip
            assert _post(url, update, "s3cret_T") == 200
            [reply] = fake.wait_for(lambda: fake.messages_to(3001), 20, "webhook reply")
            assert reply["text"].startswith(ANSWER_START)
        finally:
            code, output = bot.stop()
        assert code == 0, output
        assert fake.violations == []
        assert TOKEN not in output


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _post(url: str, body: bytes, secret: str) -> int:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
    request = urllib.request.Request(url, body, headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_rejected_token_and_unreachable_server(tmp_path):
    with FakeBotAPI(token="987654321:AAAnotherTokenThatTheServerKnows_xyz") as fake:
        code, output = BotProcess(fake, tmp_path).wait()
        assert fake.violations == ["request with a wrong token"]
    assert code == 2 and output.strip().splitlines()[-1] == (
        "mensch-bot run: the Bot API server rejected the token (401 Unauthorized)"
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    nowhere = type("Nowhere", (), {"base_url": f"http://127.0.0.1:{closed}"})()
    code, output = BotProcess(nowhere, tmp_path).wait()
    assert code == 1 and "mensch-bot run: cannot reach the Bot API server" in output
    assert "Traceback" not in output  # PTB's start-up retry loop is kept to one line
    assert TOKEN not in output


def test_trychat_lets_a_person_talk_to_the_real_bot_without_telegram():
    """``python -m bot.testing.trychat``: each stdin line is a user's message; replies print."""
    lines = "歐洲的優勢是什麼?\n你對中國怎麼看\n\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot.testing.trychat"],
        input=lines, capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "歐洲人才濟濟" in result.stdout  # his words on Europe's strength, with the source
    assert "這個問題我在那次訪談裡沒有談到" in result.stdout  # China: honest fallback
    assert "Traceback" not in result.stdout + result.stderr
