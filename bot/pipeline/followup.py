"""Elliptical follow-ups, resolved against the conversation's last answer.

Four kinds, recognised by the lexicon's cue lists (``followup_more``, ``followup_why``,
``followup_about``; ``followup_aspects`` tells an aspect from a subject):

* **more** — "tell me more", "還有呢?", "go on": the next passage of the same interviewer
  question not yet given, else a related passage not yet given;
* **why** — "為什麼?", "why?": the next passage of the same interviewer question (the one that
  goes on explaining), else nothing: the engine then says that is all he said about it;
* **about** — "那優勢呢?", "what about the weaknesses?": the words after the cue, ranked among
  the passages of the same interviewer question and the related ones: elliptical by its form,
  it stays on the last answer's subject when a passage there fits; an aspect with none there
  ("那缺點呢?" after the open-source answer) gets "that's all I said about it"; a subject of
  its own ("那你的背景呢?") is answered as a question of its own;
* **tail** — a short message that only ends with 呢 ("優勢呢?"): answered as a question of its
  own first, like any complete question; the context only when that finds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bot.loading.knowledge import Entry, Knowledge
from bot.pipeline.conversation import Context
from bot.pipeline.matcher import Score
from bot.pipeline.text import compact, normalize

FollowUpKind = Literal["more", "why", "about", "tail"]
MAX_FOLLOWUP_CHARS = 24
"""A follow-up is short: longer messages (characters, spaces aside) are questions of their own."""
ABOUT_MIN_CONFIDENCE = 10.0
"""An "about" follow-up takes a passage near the last answer from this confidence (0-100)."""


class FollowUps:
    """Recognises and resolves follow-ups for one knowledge.

    Args:
        knowledge: entries (file order is interview order) and the lexicon's cue lists.
    """

    def __init__(self, knowledge: Knowledge) -> None:
        lexicon = knowledge.lexicon
        self._cues: dict[FollowUpKind, tuple[str, ...]] = {
            "more": _normalized(lexicon.followup_more),
            "why": _normalized(lexicon.followup_why),
            "about": _normalized(lexicon.followup_about),
        }
        self._aspects = frozenset(_normalized(lexicon.followup_aspects))
        self._entries = knowledge.entries
        self._by_id = {e.id: e for e in knowledge.entries}

    def kind(self, simplified: str) -> tuple[FollowUpKind, str] | None:
        """The kind of follow-up and what it asks about (the message without its cue).

        Args:
            simplified: the message after :func:`bot.pipeline.text.normalize`.

        Returns:
            ("more" | "why", "") for a message that is only such a cue; ("about", rest) for a
            message that opens with an about-cue (那, what about): elliptical by its form;
            ("tail", rest) for one that only ends with 呢 (which a complete question may do);
            else None.
        """
        text = compact(simplified)
        if not text or len(text.replace(" ", "")) > MAX_FOLLOWUP_CHARS:
            return None
        for kind in ("more", "why"):
            if text in self._cues[kind]:
                return kind, ""
        rest = text
        for cue in sorted(self._cues["about"], key=len, reverse=True):
            if rest.startswith(cue):
                rest = rest[len(cue) :].strip()
                break
        opened = rest != text
        ends = rest.endswith("呢")
        rest = rest.removesuffix("呢").strip()
        if rest and (opened or ends):
            return ("about" if opened else "tail"), rest
        return None

    def only_aspects(self, rest: str) -> bool:
        """True when what an "about" follow-up asks is only an aspect (``followup_aspects``:
        优势, 缺点, downside), not a subject of its own: it can only be about the last answer."""
        words = [w for w in normalize(rest).split() if w]
        text = compact(normalize(rest))
        return bool(text) and (text in self._aspects or all(w in self._aspects for w in words))

    def next_passages(self, context: Context, kind: FollowUpKind) -> tuple[str, ...]:
        """For "more" and "why": the passage that goes on from the last answer.

        Returns:
            (entry id,) of the next passage of the same interviewer question not yet given;
            for "more", else the first related passage not yet given; () when there is none.
        """
        if not context.last:
            return ()
        last = self._by_id.get(context.last[-1])
        if last is None:
            return ()
        for entry in self._turn(last):
            if entry.id not in context.given and self._after(entry, last):
                return (entry.id,)
        if kind == "more":
            for entry_id in (r for e in context.last for r in self._by_id[e].related):
                if entry_id not in context.given:
                    return (entry_id,)
        return ()

    def about(self, context: Context, ranking: Sequence[Score]) -> str | None:
        """For "about": the best-ranked passage of the same interviewer question as the last
        answer, or related to it, not the last answer itself, at
        :data:`ABOUT_MIN_CONFIDENCE` or more; None when none qualifies."""
        near: set[str] = set()
        for entry_id in context.last:
            entry = self._by_id.get(entry_id)
            if entry is not None:
                near.update(e.id for e in self._turn(entry))
                near.update(entry.related)
        near -= set(context.last)
        for score in ranking:
            if score.entry_id in near and score.confidence >= ABOUT_MIN_CONFIDENCE:
                return score.entry_id
        return None

    def _turn(self, entry: Entry) -> list[Entry]:
        """The entries answering the same interviewer question, in interview order."""
        return [e for e in self._entries if e.question == entry.question]

    def _after(self, entry: Entry, last: Entry) -> bool:
        """True when ``entry`` comes after ``last`` in the interview."""
        return self._entries.index(entry) > self._entries.index(last)


def _normalized(cues: Sequence[str]) -> tuple[str, ...]:
    return tuple(c for c in (compact(normalize(cue)) for cue in cues) if c)
