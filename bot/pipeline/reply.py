"""The reply: what the answer path decides for one question, before any channel renders it.

Every channel (console, ``ask``/``ask --json``, Telegram messages, inline results, buttons)
receives a :class:`Reply` from :class:`bot.pipeline.engine.Engine` and only formats what it carries:
the texts and labels (persona lines, the suggestion header, the attribution line, the
"none of these" label and the pick-range hint), the lists to offer (suggestions, related
questions, topics) and what the "none of these" choice leads to. No channel builds a reply
text of its own. Plain-text rendering for the console and the command line lives here too;
Telegram's HTML rendering lives in :mod:`bot.channels.telegram.render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

Kind = Literal["answer", "related", "suggest", "fallback", "smalltalk"]
"""answer: a verbatim interview passage; related: the question asks a detail the interview does
not give (an honest line, then the closest passages as choices); suggest: "did you mean"
choices; fallback: an honest non-answer in Mensch's voice; smalltalk: a persona line (hello,
thanks, who are you)."""

Script = Literal["hant", "hans", "en"]
"""The user's writing: Traditional Chinese, Simplified Chinese, or English (no CJK at all)."""
SCRIPTS: tuple[Script, ...] = get_args(Script)
"""Every script, in the order texts are written: ("hant", "hans", "en")."""


@dataclass(frozen=True)
class Choice:
    """An entry offered to the user: as a suggestion, a related question or a topic.

    Attributes:
        entry_id: the entry's stable id (ASCII, at most 32 characters: fits callback_data).
        question: the entry's question in the user's script (zh-Hans, zh-Hant or English).
        topic: the entry's short topic label in the user's script.
        confidence: 0-100 match confidence for suggestions; 0 for related entries and topics.
    """

    entry_id: str
    question: str
    topic: str
    confidence: float = 0.0


@dataclass(frozen=True)
class Reply:
    """The answer path's decision for one question.

    Attributes:
        kind: "answer" | "related" | "suggest" | "fallback" | "smalltalk".
        question: the user's text as received (before normalisation).
        script: the script replies are written in ("hant", "hans" or "en").
        entry_id: the (first) answering entry for kind "answer", else None.
        entry_ids: every entry quoted, in interview order, for kind "answer" (a multi-part
            question, a passage announcing several points); () otherwise.
        confidence: 0-100 confidence of the best entry (0 when nothing scored).
        paragraphs: for "answer", the verbatim interview paragraphs of every entry quoted, in
            order (converted to Simplified characters when ``script`` is "hans"); for the other
            kinds, persona text lines that are clearly not interview quotes.
        attribution: for "answer", the attribution line as every channel shows it: speaker,
            interviewer and publication after exactly one dash (see :func:`attribution_line`);
            None otherwise.
        source_url: the original interview URL, for "answer"; None otherwise.
        interviewer_question: the interviewer's original question this passage answers.
        suggestions: up to 3 entries for kinds "suggest" and "related" (best first); for
            "fallback" and the help reply the topics the interview covers.
        related: up to 3 related entries under an answer.
        header: the line shown above suggestions ("Did you mean…"), or "" when none.
        none_label: for "suggest", the label of the "none of these" choice offered after
            the suggestions ("都不是", "None of these"); "" when no such choice is offered.
        declined: for "suggest", the reply choosing "none of these" leads to (the honest
            fallback with the topics, for no question); None otherwise.
        topics: the interview's topics in the reply's script, one per interviewer question in
            interview order, on every reply: what a channel offers when the reply has nothing
            closer (inline results for small talk and fallbacks, the fallback's buttons).
        pick_hint: when the reply has :attr:`choices`, the line asking for a number from 1 to
            their count ("請輸入 1 到 3 之間的數字…"), for a channel that numbers them; ""
            otherwise.
        goes_on_from: for his "that's all I said about it" (kind "related" after a
            follow-up), the entries of the answer it goes on from: the conversation stays on
            them (:meth:`bot.pipeline.conversation.Context.after`); () otherwise.
        note: for "answer", a line of the bot's own shown after the attribution and link
            (never his words): the parts of a multi-part question the interview does not
            cover ("關於「你對中國怎麼看」,我在那次訪談裡沒有談到。"); "" otherwise.
    """

    kind: Kind
    question: str
    script: Script
    entry_id: str | None = None
    entry_ids: tuple[str, ...] = ()
    confidence: float = 0.0
    paragraphs: tuple[str, ...] = ()
    attribution: str | None = None
    source_url: str | None = None
    interviewer_question: str | None = None
    suggestions: tuple[Choice, ...] = ()
    related: tuple[Choice, ...] = ()
    header: str = ""
    none_label: str = ""
    declined: Reply | None = None
    topics: tuple[Choice, ...] = ()
    pick_hint: str = ""
    goes_on_from: tuple[str, ...] = ()
    note: str = ""
    top: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    """The three best (entry id, confidence) pairs, for logs and diagnostics."""

    @property
    def matched(self) -> bool:
        """True only when an interview answer is given (kind "answer")."""
        return self.kind == "answer"

    @property
    def choices(self) -> tuple[Choice, ...]:
        """What a channel offers to pick from, in order: the suggestions (for "suggest",
        "related", "fallback", help), else the related questions under an answer; () when
        none. :attr:`pick_hint` counts these."""
        return self.suggestions or self.related

    @property
    def answer_text(self) -> str | None:
        """The answer paragraphs joined by blank lines for kind "answer", else None."""
        return "\n\n".join(self.paragraphs) if self.kind == "answer" else None

    def to_json(self) -> dict:
        """The ``ask --json`` object: question, matched, kind, entry (the first quoted),
        entries (every entry quoted), score, answer (all passages), source, suggestions (entry
        ids), related (entry ids), script, note (:attr:`note`, or null). Score is rounded to
        0.1."""
        return {
            "question": self.question,
            "matched": self.matched,
            "kind": self.kind,
            "entry": self.entry_id,
            "entries": list(self.entry_ids),
            "score": round(self.confidence, 1),
            "answer": self.answer_text,
            "source": self.source_url,
            "suggestions": [c.entry_id for c in self.suggestions]
            if self.kind in ("suggest", "related")
            else [],
            "related": [c.entry_id for c in self.related],
            "script": self.script,
            "note": self.note or None,
        }


_DASHES = "—–―-－ \u3000"
"""Characters stripped from the start of an attribution before its one dash is put back."""


def attribution_line(attribution: str, script: str) -> str:
    """The attribution as users see it under an answer, in every channel (the engine puts
    it in :attr:`Reply.attribution`): exactly one dash, then the text. Chinese typography
    writes its dash as two em dashes ("—— "), English as one ("— "); any dashes the
    configured string already starts with are replaced, so a persona string with or without
    its own dash renders the same.

    Args:
        attribution: ``persona.attribution`` with its placeholders filled.
        script: "hant", "hans" or "en".

    Returns:
        The line: the dash and a space, then the text.
    """
    dash = "— " if script == "en" else "—— "
    return dash + attribution.lstrip(_DASHES)


def render_text(reply: Reply, numbered: bool = False) -> str:
    """Render a reply as plain text for ``mensch-bot ask`` and the console.

    Args:
        reply: the reply to show.
        numbered: the console's view: related questions under an answer are numbered like
            suggestions ("  1. question" instead of "  · question"), and a reply offering
            "none of these" lists it last as "  0. label".

    Returns:
        Lines separated by "\\n": the answer paragraphs, then the attribution line, the source
        link and the note; or the persona lines, then the header and numbered suggestions
        ("  1. question") when present.
    """
    lines: list[str] = []
    if reply.kind == "answer":
        lines.append("\n\n".join(reply.paragraphs))
        lines.append("")
        if reply.attribution:
            lines.append(reply.attribution)
        if reply.source_url:
            lines.append(reply.source_url)
        if reply.note:
            lines.extend(("", reply.note))
        if reply.related:
            lines.append("")
            if numbered:
                lines.extend(_numbered(reply.related))
            else:
                lines.extend(f"  · {c.question}" for c in reply.related)
        return "\n".join(lines)
    lines.extend(reply.paragraphs)
    if reply.suggestions:
        if reply.header:
            lines.append(reply.header)
        lines.extend(_numbered(reply.suggestions))
        if numbered and reply.none_label:
            lines.append(f"  0. {reply.none_label}")
    return "\n".join(lines)


def _numbered(choices: tuple[Choice, ...]) -> list[str]:
    """Choices as numbered lines ("  1. question"), from 1."""
    return [f"  {i}. {c.question}" for i, c in enumerate(choices, 1)]
