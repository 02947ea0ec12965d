"""Hot reload: the shared reload function in process, then the real ``mensch-bot run``
subprocess reloading on a file change and on SIGHUP, and stopping cleanly on SIGTERM with a
reply still in flight.

The subprocesses serve a copy of the knowledge and config in a temporary folder; the tests
edit the copy (a non-verbatim answer is a bad edit, a new greeting a good one) and poll the
log and the fake server with deadlines.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import signal

import pytest
from botprocess import REPO, TEST_TELEGRAM_SECTION, BotProcess, write_config
from fakeapi import TOKEN
from harness import ADMIN, FakeEngine, InProcessBot, failing_reload, running_fake
from telegram import Update

from bot.telegram import reloading

fake_fixture = pytest.fixture(name="fake")(running_fake)

ASK = "為什麼要開源?"
ANSWER_START = "當然,我認為這是一種基礎架構技術"
BROKEN_START = "當然,我認為這是一種超級技術"  # not in the interview: a bad edit
GREETING = "你好,我是根據 Arthur Mensch"
NEW_GREETING = "歡迎!這是熱重載之後的新問候語。"


# ---------------------------------------------------------------- in process
def test_snapshot_sees_a_change_of_size_or_a_deleted_file(tmp_path):
    config = tmp_path / "config.yaml"
    folder = tmp_path / "knowledge"
    folder.mkdir()
    config.write_text("a: 1\n")
    (folder / "entries.yaml").write_text("[]\n")
    engine = type("E", (), {"config": type("C", (), {"path": config, "knowledge_dir": folder})})
    files = reloading.watched_files(engine)
    assert files == [config, folder / "entries.yaml"]
    before = reloading.snapshot(files)
    assert before == reloading.snapshot(files)
    (folder / "entries.yaml").write_text("[1]\n")
    after = reloading.snapshot(files)
    assert after[str(folder / "entries.yaml")][1] == 4 and after != before
    (folder / "entries.yaml").unlink()
    assert list(reloading.snapshot(files)) == [str(config)]
    assert reloading.watched_files(FakeEngine()) == []


def test_failed_reload_keeps_the_engine_and_tells_the_admins(fake):
    fake.chat(ADMIN)  # the admin has opened a chat with the bot
    with InProcessBot(fake, reload=failing_reload) as bot:
        old = bot.app.bot_data.engine
        result = bot.loop.run_until_complete(reloading.reload_and_report(bot.app, "SIGHUP"))
        assert result == reloading.ReloadResult(
            False, "knowledge/entries.yaml:12: entry 'x': answer is not verbatim"
        )
        assert bot.app.bot_data.engine is old
        [msg] = fake.messages_to(ADMIN)
        assert "knowledge/entries.yaml:12: entry 'x'" in msg["text"]


def test_an_update_in_flight_finishes_on_the_engine_it_started_with(fake):
    u = 501
    new = FakeEngine(" (new)")
    with InProcessBot(fake, engine=FakeEngine(" (old)"), reload=lambda: new) as bot:
        bot.say(u, u, "why open source?")
        [answer] = fake.messages_to(u)
        related = answer["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        # the press's handler reads the engine, then waits 0.5 s for answerCallbackQuery;
        # the reload swaps the engine meanwhile
        fake.delay("answerCallbackQuery", 0.5)
        fake.press(u, answer["message_id"], related, u)
        update = Update.de_json(fake.updates[-1], bot.app.bot)

        async def press_and_reload():
            handling = asyncio.ensure_future(bot.app.process_update(update))
            await asyncio.to_thread(
                fake.wait_for, lambda: fake.calls("answerCallbackQuery"), 10, "the press"
            )
            result = await reloading.reload_knowledge(bot.app, "test")
            assert not handling.done()
            await handling
            return result

        assert bot.loop.run_until_complete(press_and_reload()).ok
        assert bot.app.bot_data.engine is new
        assert fake.messages_to(u)[1]["text"].startswith("Answer for europe (old).")
        bot.say(u, u, "/random")
        assert re.match(r"Answer for \w+ \(new\)\.", fake.messages_to(u)[2]["text"])


# ---------------------------------------------------------------- the real bot
def served_copy(tmp_path, reload_interval: float):
    """A config and knowledge copy in ``tmp_path``; returns (config path, entries path)."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", knowledge)
    section = TEST_TELEGRAM_SECTION + f"  reload_interval: {reload_interval}\n"
    config = write_config(tmp_path, section)
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^knowledge:.*$", f"knowledge: {knowledge}", text), "utf-8")
    return config, knowledge / "entries.yaml"


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def ask(fake, chat: int, text: str) -> dict:
    """Send ``text`` from a private chat and return the bot's next message there."""
    count = len(fake.messages_to(chat))
    fake.send_user_message(chat, chat, text)
    return fake.wait_for(
        lambda: fake.messages_to(chat)[count:], 20, f"the reply to {text!r} in {chat}"
    )[0]


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


def test_file_change_bad_edit_keeps_serving_then_good_edit_is_live(fake, tmp_path):
    config, entries = served_copy(tmp_path, reload_interval=0.2)
    fake.chat(ADMIN)
    bot = started(fake, tmp_path, config)
    try:
        assert ask(fake, 1, ASK)["text"].startswith(ANSWER_START)
        edit(entries, ANSWER_START, BROKEN_START)
        output = wait_log(fake, bot, r"WARNING .*reload \(file change\) failed")
        line = next(x for x in output.splitlines() if "reload (file change) failed" in x)
        assert re.search(rf"{re.escape(str(entries))}:\d+: .*oss_value", line), line
        [told] = fake.wait_for(lambda: fake.messages_to(ADMIN), 20, "the admin's notice")
        assert str(entries) in told["text"] and "oss_value" in told["text"]
        assert ask(fake, 2, ASK)["text"].startswith(ANSWER_START)  # old knowledge serves
        assert ask(fake, 2, "/start")["text"].startswith(GREETING)

        edit(entries, BROKEN_START, ANSWER_START)
        edit(config, GREETING, NEW_GREETING)
        wait_log(fake, bot, r"INFO .*knowledge reloaded \(file change\)")
        assert ask(fake, 3, "/start")["text"].startswith(NEW_GREETING)
        assert ask(fake, 3, ASK)["text"].startswith(ANSWER_START)
    finally:
        code, output = bot.stop()
    assert code == 0, output
    assert output.count("reload (file change) failed") == 1  # reported once, not every poll
    assert len(fake.messages_to(ADMIN)) == 1
    assert TOKEN not in output


def test_sighup_reloads_and_sigterm_delivers_the_reply_in_flight(fake, tmp_path):
    config, entries = served_copy(tmp_path, reload_interval=0)
    bot = started(fake, tmp_path, config)
    try:
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
