"""Whole answers (every part of a multi-part question, every announced point) and follow-ups
resolved against the conversation's context."""

import json

import pytest
import yaml
from conftest import ROOT, run_cli

from bot.pipeline.conversation import Context, MemoryContextStore
from bot.pipeline.parts import Part, split_parts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("歐洲的優勢和劣勢?", [Part("歐洲的優勢", False), Part("劣勢", False)]),
        (
            "你的背景是什麼?你又是怎麼進入生成式 AI 的?",
            [Part("你的背景是什麼", True), Part("你又是怎麼進入生成式 AI 的", True)],
        ),
        ("/ask@MenschBot 優勢?劣勢?", [Part("優勢", True), Part("劣勢", True)]),
        (
            "What are Europe's strengths and weaknesses?",
            [Part("What are Europe's strengths", False), Part("weaknesses", False)],
        ),
        ("Mistral 为什么发展得这么快?", []),
        ("Mistral 和 OpenAI 有什么不同", []),  # Latin on both sides: 和 does not split
    ],
)
def test_split_parts(question, parts):
    assert split_parts(question) == parts


@pytest.mark.parametrize(
    ("question", "entries"),
    [
        ("歐洲的優勢和劣勢?", ["talent", "fragmented"]),
        ("在全球人工智能市場中,歐洲的主要優勢和可能存在的弱點是什麽?", ["talent", "fragmented"]),
        ("What are Europe's strengths and weaknesses in AI?", ["talent", "fragmented"]),
        ("欧洲的优势和劣势?", ["talent", "fragmented"]),
        ("你的背景是什麼?你又是怎麼進入生成式 AI 的?", ["background", "into_genai"]),
        ("你的背景是什么?你们的价值主张是什么?", ["background", "value_prop"]),
        # "我想談兩點" is never cut after the first point
        ("Mistral 为什么发展得这么快?", ["team_speed", "oss_awareness"]),
        ("你们团队有多强?", ["team_speed", "oss_awareness"]),
        # a bare "How fast" joined by "and" is not a question of its own
        ("How fast and how good are your models for the price?", ["value_prop"]),
    ],
)
def test_every_part_gets_its_passage_in_interview_order(engine, question, entries):
    reply = engine.answer(question)
    assert reply.kind == "answer"
    assert list(reply.entry_ids) == entries
    assert reply.entry_id == entries[0]
    for entry_id in entries:  # all of the text, each passage whole
        for paragraph in engine.answer_entry(entry_id, reply.script).paragraphs:
            assert paragraph in reply.answer_text


def test_two_point_passage_is_whole_from_a_button_too(engine):
    reply = engine.answer_entry("team_speed", "en")
    assert reply.entry_ids == ("team_speed", "oss_awareness")
    assert reply.answer_text.startswith("我想談兩點。首先")
    assert "開源策略密不可分" in reply.answer_text  # the second point
    assert all(c.entry_id not in reply.entry_ids for c in reply.related)


def test_ask_json_lists_every_entry_given():
    result = run_cli("ask", "--json", stdin="歐洲的優勢和劣勢?\n你对中国怎么看\n")
    assert result.returncode == 0, result.stderr
    both, none = (json.loads(line) for line in result.stdout.splitlines())
    assert both["entry"] == "talent" and both["entries"] == ["talent", "fragmented"]
    assert "人才濟濟" in both["answer"] and "較為分散的市場" in both["answer"]
    assert none["entries"] == [] and none["answer"] is None


def conversation(engine, *questions):
    """Ask questions in one conversation; returns the replies."""
    context, replies = Context(), []
    for question in questions:
        reply = engine.answer(question, context=context)
        context = context.after(reply)
        replies.append(reply)
    return replies


@pytest.mark.parametrize(
    ("first", "follow", "entries", "script"),
    [
        ("歐洲的弱點是什麼?", "那優勢呢?", ("talent",), "hant"),
        ("欧洲的弱点是什么?", "那优势呢?", ("talent",), "hans"),
        ("What is Europe's weakness in AI?", "what about its strengths?", ("talent",), "en"),
        ("歐洲的優勢是什麼?", "tell me more", ("fragmented",), "en"),
        ("歐洲的優勢是什麼?", "還有呢?", ("fragmented",), "hant"),
        ("你的背景是什麼?", "還有呢?", ("into_genai",), "hant"),  # related, not yet given
        ("人類在人工智能時代還重要嗎?", "為什麼?", ("new_language",), "hant"),  # goes on
    ],
)
def test_follow_up_resolves_against_the_last_answer(engine, first, follow, entries, script):
    previous, reply = conversation(engine, first, follow)
    assert previous.kind == "answer"
    assert reply.kind == "answer" and reply.entry_ids == entries
    assert reply.script == script


def test_more_goes_on_through_the_turn_then_related_then_says_that_is_all(engine):
    replies = conversation(
        engine, "歐洲如何在人工智能競賽中保持競爭力?", "還有呢?", "還有呢?", "為什麼?", "為什麼?"
    )
    assert [r.entry_ids for r in replies[:4]] == [
        ("local_partners", "language"),  # "首先…" then "第二個方面" whole
        ("public_cloud",),  # the rest of the same interviewer question
        ("private_cloud",),  # then a related passage not yet given
        ("value_prop",),  # 為什麼? the passage that goes on after it
    ]
    that_is_all = replies[4]  # 為什麼? after the last passage of its question
    assert that_is_all.kind == "related" and not that_is_all.matched
    assert that_is_all.paragraphs[0].startswith("關於這一點,我在那次訪談裡就說了這些")


def test_after_that_is_all_the_conversation_goes_on_with_what_he_offered(engine):
    replies = conversation(engine, "欧洲的优势是什么?", "那劣势呢?", "为什么?", "还有呢?")
    that_is_all, more = replies[2], replies[3]
    assert that_is_all.kind == "related" and that_is_all.goes_on_from == ("fragmented",)
    offered = [c.entry_id for c in that_is_all.suggestions]
    # "还有呢?" is not met with the help text: it goes on with the passage he offered
    assert more.kind == "answer" and more.entry_ids[0] == offered[0]


def test_follow_up_without_context_says_how_to_ask(engine):
    for text in ("tell me more", "還有呢?", "為什麼?"):
        reply = engine.answer(text)
        assert reply.kind == "smalltalk" and not reply.matched, text
        assert reply.paragraphs == (engine.persona("help", reply.script),)


def test_complete_question_is_never_bent_by_the_context(engine):
    """Every question of our question set gets the same reply after an unrelated answer."""
    items = yaml.safe_load((ROOT / "tests/data/fresh.yaml").read_text(encoding="utf-8"))
    context = Context().after(engine.answer_entry("cofounders", "hant"))
    changed = []
    for item in items:
        alone = engine.answer(item["q"])
        after = engine.answer(item["q"], context=context)
        if (alone.kind, alone.entry_ids) != (after.kind, after.entry_ids):
            changed.append((item["q"], alone.kind, after.kind, after.entry_ids))
    assert changed == []


def test_ask_conversation_flag_keeps_one_context():
    stdin = "歐洲的弱點是什麼?\n那優勢呢?\n"
    alone = run_cli("ask", "--json", stdin=stdin)
    together = run_cli("ask", "--json", "--conversation", stdin=stdin)
    assert [json.loads(x)["entries"] for x in alone.stdout.splitlines()] == [
        ["fragmented"],
        ["talent"],
    ]
    assert [json.loads(x)["entries"] for x in together.stdout.splitlines()] == [
        ["fragmented"],
        ["talent"],
    ]
    more = run_cli("ask", "--json", "--conversation", stdin="歐洲的弱點是什麼?\ntell me more\n")
    first, second = (json.loads(x) for x in more.stdout.splitlines())
    assert second["kind"] == "answer" and second["entries"] == ["talent"]
    assert (
        json.loads(run_cli("ask", "--json", stdin="tell me more\n").stdout)["kind"] == "smalltalk"
    )


def test_console_follow_ups():
    result = run_cli("console", stdin="歐洲的弱點是什麼?\n那優勢呢?\n為什麼?\n:q\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.index("較為分散的市場") < result.stdout.index("人才濟濟")


def test_memory_store_is_bounded_and_expires():
    now = [0.0]
    store = MemoryContextStore(ttl_seconds=60, max_items=2, clock=lambda: now[0])
    a, b, c = Context(("talent",)), Context(("fragmented",)), Context(("background",))
    store.put(1, a)
    store.put(2, b)
    assert store.get(1) == a  # 1 is now the most recently used
    store.put(3, c)
    assert store.get(2) is None and store.get(1) == a and len(store) == 2
    now[0] = 61.0
    assert store.get(1) is None and store.get(3) is None
    with pytest.raises(ValueError):
        MemoryContextStore(ttl_seconds=0)


def test_context_after_a_non_answer_keeps_the_last_answer(engine):
    context = Context().after(engine.answer("歐洲的弱點是什麼?"))
    context = context.after(engine.answer("thanks"))
    assert context.last == ("fragmented",) and context.given == {"fragmented"}
    assert context.script == "en"


def test_the_bots_own_message_tells_which_passages_it_quoted(engine):
    both = engine.answer("欧洲的优势和劣势?")  # Simplified, as a group member saw it
    assert engine.quoted_entries(both.answer_text + "\n— Arthur Mensch") == both.entry_ids
    assert engine.quoted_entries(engine.answer_entry("team_speed", "hant").answer_text) == (
        "team_speed",
        "oss_awareness",
    )
    assert engine.quoted_entries("你想問的是不是:") == ()


def test_an_aspect_follow_up_stays_on_the_last_answers_subject(engine):
    _, downside = conversation(engine, "開源", "那缺點呢?")
    assert downside.kind == "related" and not downside.matched  # he named none
    assert downside.paragraphs[0].startswith("關於這一點,我在那次訪談裡就說了這些")
    _, background = conversation(engine, "開源", "那你的背景呢?")  # a subject of its own
    assert background.entry_ids == ("background",)


def test_after_a_decline_there_is_nothing_to_go_on_from(engine):
    _, _, more = conversation(engine, "歐洲的優勢是什麼", "你對中國怎麼看", "tell me more")
    assert more.kind == "smalltalk" and not more.matched


@pytest.mark.parametrize(
    ("question", "entries"),
    [
        ("歐洲的優勢是什麼,你對中國怎麼看?", ("talent",)),  # the covered part, not the rest
        ("What is Europe's strength and what do you think of Nvidia?", ("talent",)),
    ],
)
def test_the_covered_part_of_a_question_is_answered(engine, question, entries):
    assert engine.answer(question).entry_ids == entries


def test_chinese_written_the_same_in_both_scripts_follows_the_conversation(engine):
    # "那Meta呢" has no character that tells Simplified from Traditional
    simplified = Context().after(engine.answer("欧洲的优势是什么?"))
    traditional = Context().after(engine.answer("歐洲的優勢是什麼?"))
    assert engine.answer("那Meta呢", context=simplified).script == "hans"
    assert engine.answer("那Meta呢", context=traditional).script == "hant"
    assert engine.answer("那Meta呢").script == "hant"  # no conversation: the published script
