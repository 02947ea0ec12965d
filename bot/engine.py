"""The one answer path: ``Engine.answer(question) -> Reply``, used by every channel.

text → :func:`bot.text.normalize` → :class:`bot.matcher.Matcher` → decision (answer, suggest,
fallback, small talk) → :class:`bot.reply.Reply`. An Engine is immutable once built; reloading
knowledge means building a new Engine and swapping the reference.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from typing import Literal

from rapidfuzz import fuzz

from bot.config import Config
from bot.knowledge import Entry, Knowledge, Source, load_knowledge
from bot.matcher import Matcher, Score
from bot.reply import Choice, Reply, Script
from bot.semantic import Embedder
from bot.text import clean, compact, detect_script, normalize, to_simplified
from bot.tokens import Tokenizer

SMALLTALK_RATIO = 86
"""A message is small talk when its whole cleaned text is at least this similar (rapidfuzz
ratio, 0-100) to a small-talk pattern."""
SMALLTALK_MAX_CHARS = 24
"""Messages longer than this (characters, after clean-up) are never small talk."""
_ADDRESS = re.compile(r"\b(?:arthur|mensch|mr)\b|阿瑟|亚瑟|先生")
"""How users address him ("thanks so much arthur", "你好 Mensch 先生"): not part of the
small talk itself."""


@dataclass(frozen=True)
class Decision:
    """What the thresholds make of a ranking: kind, the best score, suggestion scores."""

    kind: Literal["answer", "suggest", "fallback"]
    best: Score | None
    suggestions: tuple[Score, ...]


class Engine:
    """Knowledge, configuration and matcher, ready to answer.

    Args:
        config: validated configuration.
        knowledge: validated knowledge.
        tokenizer: a Tokenizer for this knowledge's lexicon (built when None).
        embedder: the sentence embedder (built when None; it does not depend on the knowledge,
            so a reload may pass the running engine's :attr:`embedder`).
    """

    def __init__(
        self,
        config: Config,
        knowledge: Knowledge,
        tokenizer: Tokenizer | None = None,
        embedder: Embedder | None = None,
    ):
        self.config = config
        self.knowledge = knowledge
        self.source: Source = knowledge.source
        self._tokenizer = tokenizer or Tokenizer(knowledge.lexicon, config.cache_dir)
        self.embedder = embedder or Embedder(config.cache_dir)
        self.matcher = Matcher(knowledge, self._tokenizer, self.embedder)
        self._entries = {e.id: e for e in knowledge.entries}
        self._offtopic = tuple(normalize(c) for c in knowledge.lexicon.offtopic_cues if c.strip())
        self._smalltalk = [
            (item, [compact(normalize(p)) for p in item.patterns]) for item in knowledge.smalltalk
        ]

    @classmethod
    def from_config(cls, config: Config) -> Engine:
        """Load the knowledge named by ``config`` and build an Engine.

        Raises:
            DataError: malformed knowledge (``file:line: problem``).
        """
        return cls(config, load_knowledge(config.knowledge_dir))

    # -- texts -------------------------------------------------------------------------------

    def persona(self, name: str, script: Script, **fields: str) -> str:
        """A persona string from config.yaml in the given script.

        Args:
            name: one of :data:`bot.config.PERSONA_NAMES` ("greeting", "help", "about",
                "fallback", "suggest_header", "none_of_these", "non_text", "attribution").
            script: "hant", "hans" or "en".
            fields: extra placeholders (e.g. interviewer="Eric Hazan").

        Returns:
            The text with {topics}, {speaker}, {role}, {date}, {url}, {title}, {publisher},
            {interviewers}, {note} and ``fields`` filled in.

        Raises:
            KeyError: unknown name.
        """
        text = self.config.persona[name][script]
        return text.format_map({**self._fields(script), **fields})

    def _fields(self, script: Script) -> dict[str, str]:
        separator = ", " if script == "en" else "、"
        return {
            "topics": separator.join(e.topic[script] for e in self._topic_entries()),
            "speaker": self.source.speaker,
            "role": self.source.speaker_role[script],
            "date": self.source.date.isoformat(),
            "url": self.source.url,
            "title": self.source.title_en
            if script == "en"
            else self._script_text(self.source.title, script),
            "publisher": self.source.publisher,
            "interviewers": " & ".join(self.source.interviewers),
            "note": self.source.translation_note[script],
        }

    def _script_text(self, text: str, script: Script) -> str:
        """Interview text (Traditional) as shown to a user writing in ``script``."""
        policy = self.config.reply_script
        target = script if policy == "auto" else policy
        return to_simplified(text) if target == "hans" else text

    def choice(self, entry: Entry, script: Script, confidence: float = 0.0) -> Choice:
        """An entry as a button or suggestion in the user's script."""
        if script == "en":
            question = entry.ask["en"]
        elif script == "hans":
            question = to_simplified(entry.ask["hant"])
        else:
            question = entry.ask["hant"]
        return Choice(entry.id, question, entry.topic[script], round(confidence, 1))

    def _topic_entries(self) -> list[Entry]:
        """The first entry answering each interviewer question: one per interview topic."""
        seen: set[str] = set()
        result = []
        for entry in self.knowledge.entries:
            if entry.question not in seen:
                seen.add(entry.question)
                result.append(entry)
        return result

    def topics(self, script: Script) -> tuple[Choice, ...]:
        """One Choice per interview topic (one per interviewer question), in interview order."""
        return tuple(self.choice(e, script) for e in self._topic_entries())

    # -- replies -----------------------------------------------------------------------------

    def answer_entry(
        self, entry_id: str, script: Script, question: str | None = None, confidence: float = 100
    ) -> Reply:
        """The answer reply for one entry (button presses, /random, the answer band).

        Args:
            entry_id: an entry id.
            script: the script to answer in.
            question: the user's text, when the reply answers a typed question.
            confidence: 0-100, recorded in the reply.

        Raises:
            KeyError: unknown entry id.
        """
        entry = self._entries[entry_id]
        related = tuple(self.choice(self._entries[r], script) for r in entry.related[:3])
        return Reply(
            kind="answer",
            question=question if question is not None else self.choice(entry, script).question,
            script=script,
            entry_id=entry.id,
            confidence=confidence,
            paragraphs=tuple(self._script_text(p, script) for p in entry.answer),
            attribution=self.persona("attribution", script, interviewer=entry.asked_by),
            source_url=self.source.url,
            interviewer_question=self._script_text(entry.question, script),
            related=related,
        )

    def random_reply(self, script: Script, rng: random.Random) -> Reply:
        """An answer reply for a random entry (``/random``); ``rng`` makes it reproducible."""
        return self.answer_entry(rng.choice(self.knowledge.entries).id, script)

    def _has_offtopic_cue(self, simplified: str) -> bool:
        """True when the normalised question holds an off-topic cue of the lexicon (Latin cues
        as whole words)."""
        padded = f" {simplified} "
        return any(
            (f" {cue} " in padded) if cue.isascii() else (cue in simplified)
            for cue in self._offtopic
        )

    def decide(self, ranking: list[Score], offtopic: bool = False) -> Decision:
        """Apply the thresholds and margin to a ranking.

        Answer when the best confidence reaches the answer threshold and no unrelated rival is
        within the margin; suggest when it reaches the suggest threshold (or a close unrelated
        rival exists); fall back otherwise. Sibling passages of one interview answer (related
        entries) are not rivals: either is a fitting answer. A best entry matched on generic
        terms only (Mistral, AI, 欧洲), or a question with an off-topic cue (``offtopic``:
        how-to, definitions, future events), is never answered outright: at most suggested.

        Args:
            ranking: the matcher's scores, best first.
            offtopic: the question holds an off-topic cue of the lexicon.
        """
        t = self.config.thresholds
        if not ranking or ranking[0].confidence < t.suggest:
            return Decision("fallback", ranking[0] if ranking else None, ())
        best = ranking[0]
        floor = max(t.suggest - 10, best.confidence - 20)
        candidates = tuple(s for s in ranking[: t.max_suggestions] if s.confidence >= floor)
        generic_only = bool(best.features.get("generic_only"))
        if best.confidence >= t.answer and not generic_only and not offtopic:
            rivals = [
                s
                for s in ranking[1:]
                if best.logit - s.logit < t.margin and not self._related(best, s)
            ]
            if not rivals:
                return Decision("answer", best, ())
        return Decision("suggest", best, candidates)

    def _related(self, a: Score, b: Score) -> bool:
        return (
            b.entry_id in self._entries[a.entry_id].related
            or a.entry_id in self._entries[b.entry_id].related
        )

    def _smalltalk_reply(self, question: str, simplified: str, script: Script) -> Reply | None:
        text = compact(_ADDRESS.sub(" ", simplified).strip())
        if not text or len(text) > SMALLTALK_MAX_CHARS:
            return None
        best, best_ratio = None, 0.0
        for item, patterns in self._smalltalk:
            for pattern in patterns:
                ratio = fuzz.ratio(text, pattern)
                if ratio > best_ratio:
                    best, best_ratio = item, ratio
        if best is None or best_ratio < SMALLTALK_RATIO:
            return None
        line = best.reply[script].format_map(self._fields(script))
        return Reply(kind="smalltalk", question=question, script=script, paragraphs=(line,))

    def answer(self, question: str, script_hint: Script | None = None) -> Reply:
        """Answer one question: the single answer path of every channel.

        Args:
            question: the user's message, any str (empty, 100,000 characters, emoji, control
                characters and lone surrogates included). Only the first 500 characters are
                matched.
            script_hint: the script to reply in when the message has no letters to tell
                (digits, emoji, punctuation only): e.g. the script of the conversation so far.

        Returns:
            A Reply of kind "answer", "suggest", "fallback" or "smalltalk". Never raises for a
            str; the same question always gives the same Reply.
        """
        if not isinstance(question, str):
            raise TypeError(f"question must be str, not {type(question).__name__}")
        cleaned = clean(question)
        script = detect_script(cleaned)
        if script_hint is not None and not any(c.isalpha() for c in cleaned):
            script = script_hint
        simplified = to_simplified(cleaned)
        smalltalk = self._smalltalk_reply(question, simplified, script)
        if smalltalk is not None:
            return smalltalk
        ranking = self.matcher.rank(simplified) if cleaned else []
        decision = self.decide(ranking, offtopic=self._has_offtopic_cue(simplified))
        top = tuple((s.entry_id, s.confidence) for s in ranking[:3])
        if decision.kind == "answer":
            reply = self.answer_entry(
                decision.best.entry_id, script, question, decision.best.confidence
            )
            return replace(reply, top=top)
        confidence = decision.best.confidence if decision.best else 0.0
        if decision.kind == "suggest":
            return Reply(
                kind="suggest",
                question=question,
                script=script,
                confidence=confidence,
                paragraphs=(),
                suggestions=tuple(
                    self.choice(self._entries[s.entry_id], script, s.confidence)
                    for s in decision.suggestions
                ),
                header=self.persona("suggest_header", script),
                top=top,
            )
        return Reply(
            kind="fallback",
            question=question,
            script=script,
            confidence=confidence,
            paragraphs=(self.persona("fallback", script),),
            suggestions=self.topics(script),
            top=top,
        )
