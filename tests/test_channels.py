"""Channels only render: the Reply carries every label and list a channel shows (the "none
of these" label and the reply it leads to, the pick-range hint, the topics, the attribution
line), and the console formats it without rebuilding or re-parsing anything."""

from __future__ import annotations

import io
import re

import pytest

from bot.channels.console import render_console, respond, run_console
from bot.pipeline.reply import attribution_line, render_text

SCRIPTS = ("hant", "hans", "en")
NONE_LABEL = {"hant": "都不是", "hans": "都不是", "en": "None of these"}
FALLBACK_START = {
    "hant": "這個問題我在那次訪談裡沒有談到",
    "hans": "这个问题我在那次访谈里没有谈到",
    "en": "I didn't talk about that in the interview",
}
SUGGEST = {"hant": "歐洲", "hans": "欧洲", "en": "Europe"}


class RecordingLog:
    """Stands in for the unanswered log: keeps what the console records."""

    def __init__(self) -> None:
        self.records: list[tuple] = []

    def record(self, reply, channel, chat_type) -> None:
        self.records.append((reply.kind, reply.question, channel))


def console(engine, lines: str, log=None) -> str:
    """A console session in-process: ``lines`` typed, then the transcript."""
    out = io.StringIO()
    assert run_console(engine, io.StringIO(lines), out, log=log) == 0
    return out.getvalue()


@pytest.mark.parametrize("script", SCRIPTS)
def test_suggestions_carry_none_of_these_and_the_reply_it_leads_to(engine, script):
    reply = engine.answer(SUGGEST[script])
    assert reply.kind == "suggest" and reply.script == script
    assert reply.none_label == NONE_LABEL[script]
    assert reply.declined == engine.declined(script)
    declined = reply.declined
    assert declined.kind == "fallback" and declined.question == "" and declined.confidence == 0
    assert declined.paragraphs == (engine.persona("fallback", script),)
    assert declined.paragraphs[0].startswith(FALLBACK_START[script])
    assert declined.suggestions == declined.topics == engine.topics(script)
    assert declined.none_label == "" and declined.declined is None


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_reply_carries_the_topics_and_a_hint_for_its_choices(engine, script):
    suggest = engine.answer(SUGGEST[script])
    answer = engine.answer_entry("oss_value", script)
    thanks = engine.answer({"hant": "謝謝", "hans": "谢谢", "en": "thanks"}[script])
    for reply in (suggest, answer, thanks, engine.help("", script)):
        assert reply.topics == engine.topics(script)
        assert reply.none_label == "" or reply is suggest
    count = {"hant": "請輸入 1 到 {} 之間", "hans": "请输入 1 到 {} 之间", "en": "from 1 to {},"}
    assert suggest.choices == suggest.suggestions
    assert count[script].format(len(suggest.suggestions)) in suggest.pick_hint
    assert answer.choices == answer.related and answer.related
    assert count[script].format(len(answer.related)) in answer.pick_hint
    assert thanks.choices == () and thanks.pick_hint == ""


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_attribution_line_is_built_once_by_the_engine(engine, script):
    reply = engine.answer_entry("oss_value", script)
    configured = engine.persona("attribution", script, interviewer="Eric Hazan")
    assert reply.attribution == attribution_line(configured, script)
    dash = "— " if script == "en" else "—— "
    assert reply.attribution.startswith(dash + "Arthur Mensch")
    assert f"\n\n{reply.attribution}\n{reply.source_url}\n" in render_text(reply)


@pytest.mark.parametrize("script", SCRIPTS)
def test_about_names_the_source_once_and_promises_once(engine, script):
    reply = engine.about(script)
    text = "\n\n".join(reply.paragraphs)
    assert text.count(engine.source.url) == 1
    assert engine.source_title(script) in text
    promise = {"hant": "引用", "hans": "引用", "en": "verbatim"}[script]
    assert text.count(promise) == 1  # the translation note says it; the text does not again
    sentences = [s.strip() for s in re.split(r"[。.;;]", text) if len(s.strip()) > 8]
    assert len(sentences) == len(set(sentences))


def test_source_title_follows_the_reply_script(engine):
    assert engine.source_title("hant") == engine.source.title
    assert (
        engine.source_title("hans") == "麦肯锡专访 Mistral AI CEO:三五年后的工作,要比现在更有意义"
    )
    assert engine.source_title("en") == engine.source.title_en


@pytest.mark.parametrize("typed", ["0", "none", "NONE", "都不是"])
def test_console_none_of_these_gives_the_fallback_the_button_gives(engine, typed):
    log = RecordingLog()
    transcript = console(engine, f"歐洲\n{typed}\n:q\n", log)
    suggest = engine.answer("歐洲")
    assert "\n  0. 都不是\n" in transcript  # offered after the numbered suggestions
    assert transcript.endswith("\n" + render_console(suggest.declined) + "\n\n你> ")
    assert render_console(suggest.declined).startswith(FALLBACK_START["hant"])
    # the suggestion is logged for curators; "none of these" is no question of its own
    assert log.records == [("suggest", "歐洲", "console")]


def test_console_none_of_these_then_a_topic_number(engine):
    suggest = engine.answer("Europe")
    reply = respond(engine, "none", suggest)
    assert reply is suggest.declined
    picked = respond(engine, "2", reply)
    assert picked.kind == "answer" and picked.entry_id == reply.topics[1].entry_id


def test_console_zero_without_suggestions_is_a_pick_out_of_range(engine):
    answer = engine.answer_entry("oss_value", "en")
    reply = respond(engine, "0", answer)
    assert reply.paragraphs == (answer.pick_hint,) and reply.related == answer.related
    thanks = engine.answer("thanks")  # no suggestions: "none" is a question like any other
    assert respond(engine, "none", thanks) == engine.answer("none", script_hint="en")


def test_console_pick_out_of_range_shows_the_hint_the_reply_carried(engine):
    transcript = console(engine, "欧洲\n7\n:q\n")
    suggest = engine.answer("欧洲")
    hint = suggest.pick_hint
    assert hint == engine.persona("pick_range", "hans", count=str(len(suggest.suggestions)))
    numbered = "\n".join(f"  {i}. {c.question}" for i, c in enumerate(suggest.suggestions, 1))
    assert f"\n{hint}\n{numbered}\n  0. 都不是\n" in transcript


def test_console_numbers_related_questions_without_reparsing_text(engine):
    reply = engine.answer_entry("oss_value", "hant")
    shown = render_console(reply)
    related = "\n".join(f"  {i}. {c.question}" for i, c in enumerate(reply.related, 1))
    assert shown == (
        "\n\n".join(reply.paragraphs) + f"\n\n{reply.attribution}\n{reply.source_url}\n\n{related}"
    )
    bullets = "\n".join(f"  · {c.question}" for c in reply.related)
    assert render_text(reply) == shown.replace(related, bullets)  # ``ask``: bullets
