"""What the interview talks about, judged against its own text: absent names, missing details,
and what the answer path makes of them in every script and channel."""

import json

import pytest
import yaml
from conftest import ROOT, run_cli

from bot.pipeline.text import normalize


@pytest.mark.parametrize(
    ("question", "absent"),
    [
        ("你对中国怎么看", ("中国",)),
        ("你對中國怎麼看", ("中国",)),  # Traditional: judged in Simplified
        ("Is Nvidia's dominance a problem?", ("Nvidia",)),
        ("Do you support the EU AI Act?", ("Act",)),  # EU and AI are in the interview
        ("GPT-5 什么时候出?", ("GPT-5",)),  # GPT-4 is mentioned, GPT-5 is not
        ("英國脫歐對歐洲 AI 產業有影響嗎?", ("英国",)),
        # mentioned in the interview (OpenAI in its introduction), or a synonym of what is
        ("What makes Mistral different from OpenAI?", ()),
        ("早期的 AI 公司都是 English-first,這對歐洲有什麼影響?", ()),  # English → 英语
        ("Do you have a PhD?", ()),  # PhD → 博士
        # short acronyms are terms, not names; Title Case says nothing about names
        ("我是做B2B軟體銷售的,在歐洲企業IT部門用API", ()),
        ("What Makes Mistral Different From Other Companies?", ()),
        # a bot mention is not a subject
        ("@MenschBot 你的博士是读什么的", ()),
        # languages are named after a place or people; 无语 (speechless), 外语 are not names
        ("你们的模型西班牙语好不好", ("西班牙语",)),
        ("你们支持日语吗", ("日语",)),
        ("Mistral 懂粤语吗", ("粤语",)),
        ("为啥最早那批ai巨头全拿英文干活 无语", ()),
        ("你们的外语能力怎么样", ()),
        ("他的论文写的什么", ()),
    ],
)
def test_absent_subjects_are_names_the_interview_never_mentions(engine, question, absent):
    assert engine.scope.absent_subjects(question) == absent


@pytest.mark.parametrize(
    ("question", "entry_id", "missing"),
    [
        ("Mensch 是在哪所大學拿到博士學位的?", "background", ("大学", "拿到")),
        ("你在哪所大学读的博士?", "background", ("大学",)),
        ("Which university did he study at?", "background", ("university",)),
        ("How many employees does Mistral have?", "team_speed", ("employees",)),
        ("他那篇深度學習論文叫什麼名字?", "into_genai", ("叫什么名字",)),
        # the passage holds the detail: 兩年半 at DeepMind, co-founders named
        ("他在 DeepMind 待了多久", "background", ()),
        ("Who are your co-founders?", "cofounders", ()),
        # no detail asked
        ("你的博士是什么专业?", "background", ()),
        # where: a lab or institute he never names; how a fee is computed: no figure given
        ("Which lab did he do his postdoc at?", "background", ("lab",)),
        ("他在哪个实验室做的博士后?", "background", ("实验室",)),  # cue 哪个: what
        ("他在哪一所大學念完博士?", "background", ("大学",)),  # 哪 + 一所, as jieba splits it
        # price: he called the models well priced, but named no price
        ("What's the price of your models?", "value_prop", ("price of",)),
        ("呼叫 Mistral 的服務要怎麼收費?", "value_prop", ("怎么收费",)),
        ("你们的价格有竞争力吗", "value_prop", ()),  # no price asked: his words on pricing
        # a date needs a year; a span of time (四個月) is no date
        ("On what exact date did they ship their first model?", "team_speed", ("exact date",)),
        ("How many engineers work at the Paris HQ?", "talent", ("engineers",)),
        # the plural noun is what is counted, not the word before it
        ("How many paying customers does Mistral have?", "portable", ("customers",)),
        ("How old is Arthur Mensch?", "cofounders", ("how old",)),  # an age needs a year
        # where he studied: no place is named in his background
        ("你的博士是在哪裡讀的?", "background", ("在哪里读",)),
        ("Where did you study?", "background", ("where did you study",)),
        ("你们为什么在法国创业", "cofounders", ()),  # no place asked
        ("where did you get your PhD", "background", ("where did you get",)),
        ("how much does Mistral Large cost", "value_prop", ("cost",)),
        ("When was Mistral founded", "cofounders", ("when was mistral founded",)),
        ("what's your biggest competitor", "portable", ("competitor",)),
        ("What was the title of the deep learning paper he wrote?", "into_genai", ("title",)),
        # a name is asked: the passage must name something other than the generic setting
        ("Mistral 第一個模型叫什麼?", "team_speed", ("叫什么",)),
        ("What is Mistral's first model called?", "team_speed", ("called",)),
        ("他的两位联合创始人叫什么名字?", "cofounders", ()),  # Guillaume Lample…
        ("What was the name of the company his co-founders worked at?", "cofounders", ()),
        # cues that ask nothing: negated (没多久: not long after), or a relative clause
        ("Mistral 成立沒多久,怎麼就打響了名號?", "oss_awareness", ()),
        ("Does Europe have people who are strong in math?", "talent", ()),
        ("Who are the co-founders of Mistral?", "cofounders", ()),  # who asks: Guillaume…
        # 多久 asks about what is named on either side: he gives how long he was at DeepMind
        ("他在DeepMind做LLM研究做了多久?", "background", ()),
        ("他在哪个实验室待了多久", "background", ("实验室",)),
        # "which" + an English word the knowledge never uses: a Chinese passage cannot give it
        ("Which project did Guillaume lead at Meta?", "cofounders", ("project",)),
        ("Which branch of mathematics was his postdoc in?", "background", ("branch",)),
        ("which company did his cofounders work at?", "cofounders", ()),  # company → 公司
    ],
)
def test_missing_details_are_the_asked_words_the_passage_lacks(engine, question, entry_id, missing):
    assert engine.scope.missing_details(normalize(question), entry_id) == missing


@pytest.mark.parametrize(
    ("question", "script", "honest"),
    [
        ("你對中國怎麼看", "hant", "這個問題我在那次訪談裡沒有談到"),
        ("你对中国怎么看", "hans", "这个问题我在那次访谈里没有谈到"),
        ("Is Nvidia's dominance a problem?", "en", "I didn't talk about that in the interview"),
        ("Do you support the EU AI Act?", "en", "I didn't talk about that in the interview"),
        ("Mistral 的 CTO 是誰?", "hant", "這個問題我在那次訪談裡沒有談到"),
    ],
)
def test_absent_subject_gets_the_honest_fallback_never_a_quote(engine, question, script, honest):
    reply = engine.answer(question)
    assert reply.kind == "fallback" and not reply.matched and reply.answer_text is None
    assert reply.script == script
    assert reply.paragraphs[0].startswith(honest)
    assert reply.suggestions == engine.topics(script)  # what the interview does cover


@pytest.mark.parametrize(
    ("question", "script", "line"),
    [
        ("他是在哪所大學讀的博士?", "hant", "這個細節我在那次訪談裡沒有講"),
        ("他是在哪所大学读的博士?", "hans", "这个细节我在那次访谈里没有讲"),
        ("Which university did Mensch get his PhD from?", "en", "I didn't give that detail"),
    ],
)
def test_missing_detail_says_so_and_offers_the_closest_passage(engine, question, script, line):
    reply = engine.answer(question)
    assert reply.kind == "related" and not reply.matched and reply.answer_text is None
    assert reply.script == script
    assert reply.paragraphs[0].startswith(line)
    assert reply.suggestions[0].entry_id == "background"
    assert reply.to_json()["suggestions"][0] == "background"


def test_a_name_as_the_point_of_comparison_does_not_block_the_answer(engine):
    # Silicon Valley is never mentioned, but the question is about why France
    reply = engine.answer("Why build an AI startup in Paris rather than Silicon Valley?")
    assert reply.kind == "answer" and reply.entry_id == "cofounders"
    assert engine.answer("欧洲AI怎么跟美国中国竞争").entry_id == "local_partners"


def test_the_same_topic_without_the_absent_name_is_answered(engine):
    assert engine.answer("歐洲如何在人工智能競賽中保持競爭力?").kind == "answer"
    assert engine.answer("你的博士学位是什么专业?").entry_id == "background"


def test_ask_json_reports_related_and_fallback_as_not_matched():
    questions = "你在哪所大学读的博士?\nWho are Mistral's investors?\n你对中国怎么看\n"
    result = run_cli("ask", "--json", stdin=questions)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["kind"], r["matched"], r["answer"]) for r in rows] == [
        ("related", False, None),  # the topic he discussed, without that detail
        ("fallback", False, None),  # investors: a subject he never addressed (off-topic cue)
        ("fallback", False, None),
    ]
    assert rows[0]["suggestions"] == ["background"]


def test_console_offers_the_related_passage_by_number():
    result = run_cli("console", stdin="你在哪所大学读的博士?\n1\n:q\n")
    assert result.returncode == 0, result.stderr
    assert "这个细节我在那次访谈里没有讲" in result.stdout
    assert "  1. " in result.stdout
    assert "功能性磁共振成像" in result.stdout  # "1" picked the background passage


def test_no_quote_on_any_subject_absent_from_the_interview(engine):
    """tests/data/absent.yaml: 48 questions on people, companies, products, places, laws,
    numbers and dates the interview never mentions, in every script."""
    items = yaml.safe_load((ROOT / "tests/data/absent.yaml").read_text(encoding="utf-8"))
    assert len(items) >= 40 and all(item["expect"] is None for item in items)
    quoted = [(i["q"], r.entry_ids) for i in items if (r := engine.answer(i["q"])).matched]
    assert quoted == []


def test_who_questions_need_a_person_named_in_the_passage(engine):
    assert engine.scope.missing_details(
        normalize("Who is Mistral's chief scientist?"), "background"
    )
    assert engine.answer("你的联合创始人是谁?").entry_ids == ("cofounders",)


@pytest.mark.parametrize(
    ("question", "entry_id", "missing"),
    [
        # time: a span of time answers it (兩年半), a founding date is not given
        ("你在DeepMind待了多长时间?", "background", ()),
        ("你认识联合创始人多久了?", "cofounders", ()),  # 十年
        # quantity: a number next to what is counted
        ("价值主张有多少方面", "value_prop", ()),  # 三個方面
        ("团队有多少人", "team_speed", ("人",)),  # 四個月 counts months, not people
        ("营收多少", "oss_shift", ("营收",)),
        ("How many customers do you have?", "value_prop", ("customers",)),
        ("开发者用大模型要做多少工作", "new_language", ()),  # 大量的工作
        # year: no year in the passage (出生 in 科學家出生 is no birth year)
        ("你哪一年出生?", "background", ("哪一年",)),
    ],
)
def test_time_quantity_and_year_questions(engine, question, entry_id, missing):
    assert engine.scope.missing_details(normalize(question), entry_id) == missing


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        # named only in the editor's introduction, never by him
        ("When was Mixtral released?", "fallback"),
        ("Mixtral 8x22B 有什麼特別?", "fallback"),
        # capitals on ordinary words are not names
        ("What Makes Mistral Different?", "answer"),
        ("OPEN SOURCE MODELS", "answer"),
        ("Language Problem In Europe", "answer"),
        ("Does Mistral speak Japanese?", "fallback"),
        # Chinese has no capitals: a capitalised word opening a Chinese sentence is a name
        ("Codestral 支援哪些程式語言?", "fallback"),
        ("Arthur 你的博士读的什么", "answer"),
    ],
)
def test_names_are_judged_against_what_he_and_the_interviewers_said(engine, question, kind):
    assert engine.answer(question).kind == kind


@pytest.mark.parametrize(
    "question",
    [
        "歐盟 AI 法案對 Mistral 有什麼影響?",  # regulation: Europe is his subject, the act is not
        "欧盟AI法案对他们有啥影响?",
        "你觉得AI最后会毁灭人类吗",  # AGI and AI safety
        "Will GPUs get cheaper next year?",  # chips
        "mistral的模型在国内能直接用不",  # 国内: use in China
        "你喜歡吃什麼?",  # his private life
        "他认为AI将来会不会产生意识?",  # consciousness
        "Mistral 在巴黎的辦公室在哪?",  # its offices
        "where is Mistral headquartered",
        # an opinion of a name he mentions only in passing
        "what do you think of Google",
        "what do you think of Meta",
        "Meta的模型怎么样",
        "你喜歡矽谷嗎",
        "开源模型有什么风险",  # the bad side of open source: he named none
        # product details, rankings, governments, feelings: never addressed
        "怎麼用mistral寫程式 有教學嗎",
        "openai跟mistral哪個比較強啊",
        "What license are Mistral's open-weight models released under?",
        "mistral 的 api 有 rate limit 吗",
        "Which supercomputer were Mistral's models trained on?",
        "歐洲各國政府應該怎麼做才能讓市場更統一?",
        "欧洲哪个国家ai最强",
        "Does he regret leaving Google?",
        # the lexicon's grouped off-topic cues: company facts, roles, personal life, products
        "Mistral 的估值現在多少?",
        "Guillaume 在公司擔任什麼職位?",
        "Is Mistral profitable yet?",
        "他平常週末都在幹嘛?",
        "mistral的上下文窗口多长",
    ],
)
def test_subjects_he_never_addressed_are_never_quoted(engine, question):
    reply = engine.answer(question)
    assert reply.kind in ("suggest", "fallback", "related") and not reply.matched


def test_a_part_leaning_on_a_missing_detail_is_not_answered(engine):
    # "what did they build there" has no words of its own: "there" is the lab he never named
    reply = engine.answer(
        "Which lab at Meta were his co-founders part of, and what did they build there?"
    )
    assert reply.kind == "related" and not reply.matched
    # a part with words of its own is still answered beside the detail he did not give
    assert engine.answer("你在哪所大学读的博士?欧洲的优势是什么?").entry_ids == ("talent",)


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        # sentence embeddings put a strength next to a weakness: the side asked decides
        ("歐洲在全球 AI 市場上最大的優勢是什麼?", "talent"),
        ("What's Europe's biggest asset in this race?", "talent"),
        ("欧洲的弱点是什么", "fragmented"),
    ],
)
def test_a_question_about_one_side_gets_that_side(engine, question, entry_id):
    assert engine.answer(question).entry_ids == (entry_id,)


def test_a_covered_part_is_answered_beside_a_detail_he_did_not_give(engine):
    assert engine.answer("歐洲的優勢是什麼?你幾歲?").entry_ids == ("talent",)


def test_a_strength_question_never_quotes_the_weakness(engine):
    reply = engine.answer("What is Europe's main strength in the global AI market?")
    assert "fragmented" not in reply.entry_ids


def test_english_count_without_a_chinese_word_needs_any_number(engine):
    assert engine.answer("How many years have you known your cofounders?").entry_ids == (
        "cofounders",
    )  # 十年


@pytest.mark.parametrize(
    "question",
    ["你對 Meta 怎麼看?", "你對 OpenAI 怎麼看?", "你对谷歌怎么看", "你對矽谷有什麼看法?",
     "你對法國怎麼看?", "What's your take on Google?"],
)  # fmt: skip
def test_an_opinion_on_a_name_he_only_mentions_is_not_quoted(engine, question):
    # 你對 X 怎麼看 puts the name between 你 and 怎麼看: still an opinion question
    assert not engine.answer(question).matched


def test_an_opinion_on_a_subject_he_discussed_is_answered(engine):
    assert engine.answer("你对开源怎么看?").entry_ids == ("oss_value",)
    assert engine.answer("你怎么看人在AI时代的角色?").entry_ids == ("humans_tools",)
