"""Polling survives updates python-telegram-bot cannot parse: the bot served as ``mensch-bot
run`` serves it (:class:`harness.ServedBot`, polling the fake Bot API), with payload shapes
seen in the wild (Telegram's webhook guide samples, older Bot API versions). Each test has its
own server and bot, and stops it cleanly."""

from __future__ import annotations

import re
import time

import pytest
from harness import running_fake, served

ASK = "為什麼要開源?"
ANSWER_START = "當然,我認為這是一種基礎架構技術"
SECRET_NAME = "Testfirstname-Private"  # user data inside a bad update: must never be logged

fake_fixture = pytest.fixture(name="fake")(running_fake)


@pytest.fixture
def bot(fake, tmp_path):
    yield from served(fake, tmp_path)


def stop_cleanly(bot) -> None:
    code, output = bot.stop()
    assert code == 0, output
    assert "Traceback" not in output and "unhandled error" not in output


def webhook_guide_sample(chat_id: int) -> dict:
    """Telegram's webhook guide sample message: ``from`` and no ``is_bot`` (pre-2017)."""
    person = {"id": chat_id, "first_name": SECRET_NAME, "last_name": "Test Lastname",
              "username": "Testusername"}  # fmt: skip
    return {"message_id": 1365, "date": 1441645532, "chat": {**person, "type": "private"},
            "from": person, "text": "/start"}  # fmt: skip


def _message(chat_id: int, **content) -> dict:
    person = {"id": chat_id, "is_bot": False, "first_name": SECRET_NAME}
    return {"message_id": 77, "date": 1600000000, "chat": {**person, "type": "private"},
            "from": person, **content}  # fmt: skip


def old_poll(chat_id: int) -> dict:
    """A poll message from before Bot API 9.6/10.0 (no ``persistent_id``, ``members_only``)."""
    poll = {"id": "5", "question": "Which?", "options": [{"text": "a", "voter_count": 0}],
            "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
            "type": "regular", "allows_multiple_answers": False}  # fmt: skip
    return _message(chat_id, poll=poll)


def sticker_2020(chat_id: int) -> dict:
    """A 2020 sticker: no ``is_video`` (Bot API 5.5), no ``type`` (6.0)."""
    sticker = {"file_id": "CAAD", "file_unique_id": "AgAD", "width": 512, "height": 512,
               "is_animated": False}  # fmt: skip
    return _message(chat_id, sticker=sticker)


def restricted_member() -> dict:
    """A chat_member update whose restricted record predates ``can_edit_tag``."""
    user = {"id": 66, "is_bot": False, "first_name": SECRET_NAME}
    rights = dict.fromkeys(
        ("can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
         "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
         "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
         "can_invite_users", "can_pin_messages", "can_manage_topics"),
        False,
    )  # fmt: skip
    return {
        "chat": {"id": -4001, "type": "group", "title": "G"},
        "from": {"id": 5, "is_bot": False, "first_name": "Admin"},
        "date": 1700000000,
        "old_chat_member": {"status": "member", "user": user},
        "new_chat_member": {"status": "restricted", "user": user, "is_member": True,
                            "until_date": 0, **rights},
    }  # fmt: skip


def skipped_lines(output: str) -> list[tuple[str, str]]:
    logger = r"bot\.channels\.telegram\.polling"
    return re.findall(rf"WARNING {logger}: update (\d+) \((\w+)\) skipped", output)


def test_unparseable_updates_are_skipped_and_the_batch_answered(bot, fake):
    u = 5001
    question = fake.new_message(u, u, ASK)
    with fake.lock:  # one getUpdates batch: bad, good, bad, bad, bad (the last one bad too)
        bad = [fake.push("message", webhook_guide_sample(u))]
        fake.push("message", question)
        bad.append(fake.push("message", old_poll(u)))
        bad.append(fake.push("chat_member", restricted_member(), unfiltered=True))
        bad.append(fake.push("message", sticker_2020(u)))
    [reply] = fake.wait_for(lambda: fake.messages_to(u), 20, "the answer in the bad batch")
    assert reply["text"].startswith(ANSWER_START)
    fake.wait_for(
        lambda: any(int(p.get("offset", 0)) > bad[-1] for p in fake.calls("getUpdates")),
        10,
        "the bad updates acknowledged",
    )
    polls = len(fake.calls("getUpdates"))
    time.sleep(1.5)
    assert len(fake.calls("getUpdates")) - polls <= 1  # a long poll waits: no spinning
    output = bot.output()
    assert skipped_lines(output) == [
        (str(bad[0]), "message"), (str(bad[1]), "message"),
        (str(bad[2]), "chat_member"), (str(bad[3]), "message"),
    ]  # fmt: skip
    assert "missing 1 required positional argument: 'is_bot'" in output
    assert "can_edit_tag" in output and "is_video" in output
    assert SECRET_NAME not in output and "Testusername" not in output
    assert "CRITICAL" not in output and "Traceback" not in output
    assert fake.messages_to(u) == [reply]
    stop_cleanly(bot)


def test_a_batch_of_only_bad_updates_is_acknowledged(bot, fake):
    u = 5002
    bad = fake.push("message", sticker_2020(u))
    fake.wait_for(
        lambda: any(int(p.get("offset", 0)) == bad + 1 for p in fake.calls("getUpdates")),
        10,
        "the lone bad update acknowledged",
    )
    fake.send_user_message(u, u, ASK)
    [reply] = fake.wait_for(lambda: fake.messages_to(u), 20, "the next question's answer")
    assert reply["text"].startswith(ANSWER_START)
    assert (str(bad), "message") in skipped_lines(bot.output())
    stop_cleanly(bot)
