"""Hot reload: the shared reload function, then the served bot (:class:`harness.ServedBot`)
reloading on a file change, its watcher's checks run by the test instead of the clock. SIGHUP
and SIGTERM need the real process: ``test_telegram_process.py``.

The served bot reads a copy of the knowledge and config in a temporary folder; the tests edit
the copy (a non-verbatim answer is a bad edit, a new greeting a good one).
"""

from __future__ import annotations

import asyncio
import re

import pytest
from conftest import edit
from harness import (
    ADMIN,
    ANSWER_START,
    ASK,
    BROKEN_START,
    GREETING,
    NEW_GREETING,
    FakeEngine,
    InProcessBot,
    ServedBot,
    ask,
    failing_reload,
    running_fake,
    served_copy,
)
from telegram import Update

from bot.channels.telegram import reloading

fake_fixture = pytest.fixture(name="fake")(running_fake)


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


# ---------------------------------------------------------------- the served bot
def tick(bot: ServedBot, watcher: reloading.Watcher) -> None:
    """One check of the file watcher, on the bot's loop (as its job would run it)."""
    asyncio.run_coroutine_threadsafe(watcher.check(), bot.loop).result(10)


def reloaded(fake, bot: ServedBot, watcher: reloading.Watcher, pattern: str) -> str:
    """Check the files until a reload has run and logged ``pattern``; returns that line."""
    tick(bot, watcher)  # sees the change
    tick(bot, watcher)  # the files stayed the same since: the reload starts
    fake.wait_for(lambda: not watcher.busy and re.search(pattern, bot.output()), 30, pattern)
    return next(x for x in bot.output().splitlines() if re.search(pattern, x))


def test_the_watcher_is_scheduled_every_reload_interval(fake, tmp_path):
    config, _ = served_copy(tmp_path, reload_interval=0.2)
    with ServedBot(fake, tmp_path, config) as bot:
        [job] = bot.app.job_queue.get_jobs_by_name(reloading.Watcher.JOB_NAME)
        assert job.job.trigger.interval.total_seconds() == 0.2
    assert bot.app.job_queue.get_jobs_by_name(reloading.Watcher.JOB_NAME) == ()  # stopped


def test_file_change_bad_edit_keeps_serving_then_good_edit_is_live(fake, tmp_path):
    config, entries = served_copy(tmp_path, reload_interval=0)  # the test runs the checks
    fake.chat(ADMIN)
    with ServedBot(fake, tmp_path, config) as bot:
        watcher = reloading.Watcher(bot.app)
        assert ask(fake, 1, ASK)["text"].startswith(ANSWER_START)
        tick(bot, watcher)
        assert not watcher.busy and "(file change)" not in bot.output()  # nothing changed
        edit(entries, ANSWER_START, BROKEN_START)
        line = reloaded(fake, bot, watcher, r"WARNING .*reload \(file change\) failed")
        assert re.search(rf"{re.escape(str(entries))}:\d+: .*oss_value", line), line
        [told] = fake.wait_for(lambda: fake.messages_to(ADMIN), 20, "the admin's notice")
        assert str(entries) in told["text"] and "oss_value" in told["text"]
        assert ask(fake, 2, ASK)["text"].startswith(ANSWER_START)  # old knowledge serves
        assert ask(fake, 2, "/start")["text"].startswith(GREETING)
        tick(bot, watcher)
        tick(bot, watcher)  # the same bad files: not reported again

        edit(entries, BROKEN_START, ANSWER_START)
        edit(config, GREETING, NEW_GREETING)
        reloaded(fake, bot, watcher, r"INFO .*knowledge reloaded \(file change\)")
        assert ask(fake, 3, "/start")["text"].startswith(NEW_GREETING)
        assert ask(fake, 3, ASK)["text"].startswith(ANSWER_START)
    code, output = bot.stop()
    assert code == 0, output
    assert output.count("reload (file change) failed") == 1  # reported once, not every check
    assert len(fake.messages_to(ADMIN)) == 1
