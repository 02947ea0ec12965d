"""A message that asks several things: split it into the questions it asks.

"歐洲的優勢和劣勢?" asks two things, as do "你的背景是什麼?你又是怎麼進入生成式 AI 的?" and
"What are Europe's strengths and weaknesses?". The engine ranks each part on its own and
answers every part that reaches an entry of its own (see :meth:`bot.pipeline.engine.Engine.answer`);
a split that yields nothing answerable costs nothing.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.pipeline.text import strip_markup

_SENTENCE = re.compile(
    r"[?？!！。;；\n]+"
    # a comma before a new question: "歐洲的優勢是什麼,你對中國怎麼看?"
    r"|[,，]\s*(?=(?:还有|還有|另外|那|and|also)?\s*"
    r"(?:你|您|他|(?:mistral|what|how|why|who|when|where|which|do|does|is|are|can)\b))"
    # "… and what do you think of …", "… and why open source?": a second question
    r"|,?\s+and\s+(?=why\b|(?:what|how|who|when|where|which)\s+"
    r"(?:do|does|did|is|are|was|were|about|you|your|would|will|can)\b)",
    re.IGNORECASE,
)
_JOIN = re.compile(
    r"\s*[,，、]\s*(?:还是|還是|以及|还有|還有|另外|and also|and|or)\s+"
    r"|(?<=[\u3400-\u9fff])(?:和|與|与|以及|還有|还有|及|跟)(?=[\u3400-\u9fff])"  # 優勢和劣勢
    r"|\s+(?:and|as well as|&)\s+",
    re.IGNORECASE,
)


_LEADING = re.compile(
    r"^(?:还有|還有|另外|以及|而且|and also|and|also|plus)(?:\s+|[,，]\s*|(?=[\u3400-\u9fff]))",
    re.I,
)
"""A connecting word opening a part ("還有你們為什麼開源"): not part of the question."""


_ASKS = re.compile(
    r"什[么麼]|怎[么麼樣样]|[为為]何|[吗嗎呢]|哪|[谁誰]|多少|[几幾]|如何|是否|咋|啥"
    r"|有[没沒]有|能不能|[会會]不[会會]|可不可以|是不是"
    r"|\b(?:what|whats|why|how|who|whom|whose|which|when|where|do|does|did|is|are|was|were"
    r"|can|could|would|will|should|any)\b",
    re.IGNORECASE,
)
"""A question word or particle (什麼, 嗎, 哪, why, do…): a part without one ("哈哈哈", "我是銀行的
IT 主管") is no question of its own."""


def asks(text: str) -> bool:
    """True when ``text`` (a part as written) holds a question word or particle (:data:`_ASKS`)."""
    return bool(_ASKS.search(text))


class Part(NamedTuple):
    """One question of a message: its text, and whether it is a sentence of its own (True)
    or a piece joined by 和/and (False: often elliptical, "劣勢")."""

    text: str
    sentence: bool


MIN_PART_CHARS = 2
"""Parts shorter than this (characters, spaces aside) are dropped."""
MAX_PARTS = 4
"""At most this many parts are considered (a long list is not a multi-part question)."""


def split_parts(text: str) -> list[Part]:
    """The questions a message asks, in order.

    Args:
        text: the raw message (any str).

    Returns:
        Two to :data:`MAX_PARTS` parts: its sentences when it has two or more (a sentence
        that joins pieces with 和/與/跟/以及/and/& gives the pieces), else the pieces it joins;
        otherwise an empty list (one question). A connecting word opening a part (還有,
        另外, and) is dropped. Parts keep
        the user's wording; the bot command and mentions are removed.
    """
    message = strip_markup(text)
    sentences = _pieces(_SENTENCE.split(message))
    if len(sentences) >= 2:
        parts: list[Part] = []
        for sentence in sentences:  # "歐洲的優勢和弱點是什麼?還有你們為什麼開源?": three
            pieces = _pieces(_JOIN.split(sentence))
            if len(pieces) >= 2:
                parts.extend(Part(p, False) for p in pieces)
            else:
                parts.append(Part(sentence, True))
        return parts[:MAX_PARTS]
    pieces = _pieces(_JOIN.split(sentences[0])) if sentences else []
    return [Part(p, False) for p in pieces[:MAX_PARTS]] if len(pieces) >= 2 else []


def _pieces(texts: list[str]) -> list[str]:
    """The non-trivial texts, stripped, without a leading connecting word."""
    stripped = (_LEADING.sub("", t.strip()) for t in texts)
    return [t.strip() for t in stripped if len(t.replace(" ", "").strip()) >= MIN_PART_CHARS]
