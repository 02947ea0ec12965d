"""The one answer path: ``Engine.answer(question) -> Reply``, used by every channel.

text → :func:`bot.pipeline.text.normalize` → :class:`bot.pipeline.matcher.Matcher` → decision
(answer, suggest, fallback, small talk) → :class:`bot.pipeline.reply.Reply`. An Engine is immutable
once built; reloading knowledge means building a new Engine and swapping the reference.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.loading.config import Config
from bot.loading.knowledge import Entry, Knowledge, Source, load_knowledge, squeeze
from bot.measure import shorten
from bot.pipeline.conversation import Context
from bot.pipeline.decide import Decision, decide
from bot.pipeline.followup import FollowUpKind, FollowUps
from bot.pipeline.matcher import Matcher, Score
from bot.pipeline.parts import asks, split_parts
from bot.pipeline.reply import Choice, Kind, Reply, Script, attribution_line
from bot.pipeline.scope import Scope
from bot.pipeline.semantic import Embedder
from bot.pipeline.smalltalk import SmallTalkMatcher
from bot.pipeline.text import (
    clean,
    detect_script,
    has_phrase,
    normalize,
    phrases,
    tells_script,
    to_simplified,
)
from bot.pipeline.tokens import Tokenizer

QUOTE_PROBE_CHARS = 20
"""Characters of a passage's opening that identify it in a message of the bot."""
PART_END = "?？!！.。,,;;、~ \t"
"""Closing punctuation dropped from a part quoted in the not-covered line."""
NOTE_PART_CHARS = 60
"""A part quoted in the not-covered line is cut to this many characters (code points, "…"
included): the line stays one line however long the message."""
MIN_PART_TOKENS = 2
"""A part of a multi-part question needs this many content words to add a passage unrelated to
the others."""


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
        self._tokenizer.recall()  # the knowledge's words, as tokenised by an earlier start
        self.scope = Scope(knowledge, self._tokenizer)
        self.matcher = Matcher(
            knowledge, self._tokenizer, self.embedder, english=self.scope.english
        )
        self.followups = FollowUps(knowledge)
        self._entries = {e.id: e for e in knowledge.entries}
        self._offtopic = phrases(knowledge.lexicon.offtopic_cues)
        self._addressee = phrases(knowledge.lexicon.addressee_cues)
        self._opinion = phrases(knowledge.lexicon.opinion_cues)
        self._passing = frozenset(
            t for n in knowledge.lexicon.passing_names for t in self._tokenizer.tokens(normalize(n))
        )
        self.smalltalk = SmallTalkMatcher(knowledge)
        self._probe = {
            e.id: squeeze(to_simplified(e.answer[0]))[:QUOTE_PROBE_CHARS] for e in knowledge.entries
        }
        self._tokenizer.store()
        self._field_cache: dict[Script, dict[str, str]] = {}  # script → persona placeholders
        self._topic_cache: dict[Script, tuple[Choice, ...]] = {}  # script → topics

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
            name: one of :data:`bot.loading.config.PERSONA_NAMES` (the ``persona:`` keys of
                config.yaml).
            script: "hant", "hans" or "en".
            fields: extra placeholders (e.g. interviewer="Eric Hazan", count="3"); every
                placeholder a persona string may use is in :data:`bot.loading.config.PLACEHOLDERS`.

        Returns:
            The text with {topics}, {speaker}, {role}, {date}, {url}, {title}, {publisher},
            {interviewers}, {note} and ``fields`` filled in.

        Raises:
            KeyError: unknown name.
        """
        text = self.config.persona[name][script]
        return text.format_map({**self._fields(script), **fields})

    def _fields(self, script: Script) -> dict[str, str]:
        """The persona placeholders in ``script`` (built once per script)."""
        fields = self._field_cache.get(script)
        if fields is None:
            separator = ", " if script == "en" else "、"
            fields = self._field_cache[script] = {
                "topics": separator.join(e.topic[script] for e in self._topic_entries()),
                "speaker": self.source.speaker,
                "role": self.source.speaker_role[script],
                "date": self.source.date.isoformat(),
                "url": self.source.url,
                "title": self.source_title(script),
                "publisher": self.source.publisher,
                "interviewers": " & ".join(self.source.interviewers),
                "note": self.source.translation_note[script],
            }
        return fields

    def source_title(self, script: Script) -> str:
        """The interview's title as shown to a user writing in ``script``: the English title
        for "en", else the published title (in Simplified characters for "hans" when the
        reply-script policy converts)."""
        if script == "en":
            return self.source.title_en
        return self._script_text(self.source.title, script)

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
        """One Choice per interview topic (one per interviewer question), in interview order
        (the same tuple on every call for a script)."""
        topics = self._topic_cache.get(script)
        if topics is None:
            topics = tuple(self.choice(e, script) for e in self._topic_entries())
            self._topic_cache[script] = topics
        return topics

    # -- replies -----------------------------------------------------------------------------

    def _reply(self, kind: Kind, question: str, script: Script, **fields: Any) -> Reply:
        """The one place a Reply is built: ``fields`` are the decision (paragraphs,
        suggestions, related, …); added here is what every channel shows with it, so none
        builds it again: the topics, the pick-range hint for its choices, and for "suggest"
        the "none of these" label and the reply that choice leads to (:meth:`declined`)."""
        choices = fields.get("suggestions") or fields.get("related") or ()
        if choices:
            fields["pick_hint"] = self.persona("pick_range", script, count=str(len(choices)))
        if kind == "suggest":
            fields["none_label"] = self.persona("none_of_these", script)
            fields["declined"] = self.declined(script)
        return Reply(kind, question, script, topics=self.topics(script), **fields)

    def declined(self, script: Script) -> Reply:
        """What choosing "none of these" under suggestions leads to, in every channel: his
        honest "I didn't talk about that" with the interview's topics (kind "fallback", for no
        question: ``question`` "", confidence 0).

        Args:
            script: "hant", "hans" or "en".
        """
        return self._fallback("", script, 0.0, ())

    def about(self, script: Script) -> Reply:
        """The bot's "about" text (``persona.about``): the interview, its source and that the
        bot only quotes it, with the source URL exactly once (added as a line of its own when
        the configured text does not name it).

        Args:
            script: "hant", "hans" or "en".

        Returns:
            A Reply of kind "smalltalk" whose paragraphs are the text (and the URL).
        """
        text = self.persona("about", script)
        url = self.source.url
        paragraphs = (text,) if url in text else (text, url)
        return self._reply("smalltalk", "", script, paragraphs=paragraphs)

    def answer_entry(
        self, entry_id: str, script: Script, question: str | None = None, confidence: float = 100
    ) -> Reply:
        """The answer reply for one entry (button presses, /random, the answer band): see
        :meth:`answer_entries`.

        Raises:
            KeyError: unknown entry id.
        """
        return self.answer_entries((entry_id,), script, question, confidence)

    def whole(self, entry_ids: Sequence[str]) -> tuple[str, ...]:
        """``entry_ids`` with every passage that continues one of them (``continues`` in
        entries.yaml: the second point of "我想談兩點"), without duplicates, in interview order.

        Raises:
            KeyError: unknown entry id.
        """
        wanted = {self._entries[e].id for e in entry_ids}
        grew = True
        while grew:
            more = {e.id for e in self.knowledge.entries if e.continues in wanted}
            grew = not more <= wanted
            wanted |= more
        return tuple(e.id for e in self.knowledge.entries if e.id in wanted)

    def answer_entries(
        self,
        entry_ids: Sequence[str],
        script: Script,
        question: str | None = None,
        confidence: float = 100,
    ) -> Reply:
        """The answer reply quoting one or more entries, whole (see :meth:`whole`), in
        interview order.

        Args:
            entry_ids: entry ids (one or more).
            script: the script to answer in.
            question: the user's text, when the reply answers a typed question.
            confidence: 0-100, recorded in the reply.

        Returns:
            A Reply of kind "answer": the passages' paragraphs in order, one attribution naming
            every interviewer concerned, related entries (up to 3) not already quoted.

        Raises:
            KeyError: unknown entry id.
        """
        ids = self.whole(entry_ids)
        entries = [self._entries[e] for e in ids]
        first = entries[0]
        interviewers = " & ".join(dict.fromkeys(e.asked_by for e in entries))
        related_ids = [r for e in entries for r in e.related if r not in ids]
        related = tuple(self.choice(self._entries[r], script) for r in dict.fromkeys(related_ids))
        attribution = self.persona("attribution", script, interviewer=interviewers)
        return self._reply(
            "answer",
            question if question is not None else self.choice(first, script).question,
            script,
            entry_id=first.id,
            entry_ids=ids,
            confidence=confidence,
            paragraphs=tuple(self._script_text(p, script) for e in entries for p in e.answer),
            attribution=attribution_line(attribution, script),
            source_url=self.source.url,
            interviewer_question=self._script_text(first.question, script),
            related=related[:3],
        )

    def quoted_entries(self, text: str) -> tuple[str, ...]:
        """The entries whose passages a message of the bot quotes (e.g. the message a group
        member replies to), in interview order: recovers a conversation's context from the
        message itself, so it survives a restart and needs no store.

        Args:
            text: a message's text as sent (Traditional or Simplified; any markup stripped by
                the channel).

        Returns:
            Entry ids whose first paragraph's opening (:data:`QUOTE_PROBE_CHARS` characters,
            compared in Simplified without spaces) occurs in ``text``; () when none does.
        """
        body = squeeze(to_simplified(text))
        return tuple(e.id for e in self.knowledge.entries if self._probe[e.id] in body)

    def random_reply(self, script: Script, rng: random.Random) -> Reply:
        """An answer reply for a random entry (``/random``); ``rng`` makes it reproducible."""
        return self.answer_entry(rng.choice(self.knowledge.entries).id, script)

    def _has_offtopic_cue(self, simplified: str) -> bool:
        """True when the normalised question holds an off-topic cue of the lexicon (Latin cues
        as whole words)."""
        return has_phrase(simplified, self._offtopic)

    def _choices(self, scores: Sequence[Score], script: Script) -> tuple[Choice, ...]:
        """Scored entries as choices in the user's script, with their confidence."""
        return tuple(self.choice(self._entries[s.entry_id], script, s.confidence) for s in scores)

    def _related(self, a: str, b: str) -> bool:
        """True when entries a and b are sibling passages (either lists the other as related)."""
        return b in self._entries[a].related or a in self._entries[b].related

    def _part_answers(
        self, question: str, first: Score | None, own_words: bool = False
    ) -> tuple[dict[str, float], tuple[str, ...]]:
        """The entries answering the parts of a multi-part question
        (:func:`bot.pipeline.parts.split_parts`), each part decided on its own, after
        ``first`` (the whole message's answer, if any).

        A part's entry joins when the part is a sentence of its own, when it is a sibling or
        related passage of one already chosen (優勢和劣勢), or when the part has
        :data:`MIN_PART_TOKENS` content words of its own: a bare "How fast" in "How fast and
        how good…" is not a question of its own. When the whole message was not answered (it
        named something absent, or mixed two subjects), the parts answered on their own are:
        two or more, or one that is a sentence of its own. With ``own_words`` (the whole
        message asked a detail the interview lacks), a part joins only as a sentence of its own
        or with :data:`MIN_PART_TOKENS` content words of its own: "…, and what did they build
        there?" leans on the detail asked and is no question of its own.

        Returns:
            (entry id → confidence (0-100) of the part that found it (``first``'s own for
            ``first``), in the order chosen, ``first`` first, empty for a one-part question
            or when no part adds a passage; the sentences of their own that ask something
            (:func:`bot.pipeline.parts.asks`) the interview does not cover: declined outright
            (:meth:`decide` gives "fallback" or "related"), as written, without their closing
            punctuation).
        """
        chosen = {first.entry_id: first.confidence} if first is not None else {}
        sentences: dict[str, bool] = {}  # entry id → found by a sentence of its own
        uncovered: list[str] = []
        for part, sentence in split_parts(question):
            simplified = normalize(part)
            if self.followups.kind(simplified) or self.smalltalk.match(simplified):
                continue  # "還有, 你們為什麼開源?": a connecting word, not a question
            ranking = self.matcher.rank(simplified)
            decision = self.decide(part, simplified, ranking)
            best = decision.answered
            if sentence and decision.kind in ("fallback", "related") and asks(part):
                uncovered.append(shorten(" ".join(part.split()).rstrip(PART_END), NOTE_PART_CHARS))
            if best is None or best.entry_id in chosen:
                continue
            entry_id = best.entry_id
            near = any(self._related(entry_id, c) or self._same_turn(entry_id, c) for c in chosen)
            worded = len(best.matched) >= MIN_PART_TOKENS
            if own_words and not worded and not sentence:
                continue
            strong = sentence or worded
            if not chosen or near or strong:
                chosen[entry_id] = best.confidence
                sentences[entry_id] = sentence
        if first is None and len(sentences) == 1 and not any(sentences.values()):
            return {}, ()  # one piece of "瑞士的巧克力工廠跟模型…" is no question of its own
        return (chosen, tuple(uncovered)) if sentences else ({}, ())

    def _same_turn(self, a: str, b: str) -> bool:
        """True when entries a and b answer the same interviewer question."""
        return self._entries[a].question == self._entries[b].question

    def _follow_up(
        self,
        question: str,
        followup: tuple[FollowUpKind, str],
        script: Script,
        context: Context,
        top: tuple[tuple[str, float], ...],
    ) -> Reply | None:
        """The reply to an elliptical follow-up (:meth:`bot.pipeline.followup.FollowUps.kind`), or
        None when an "about" follow-up finds nothing near the last answer. "more"/"why" with nothing
        left to quote: his honest "that is all I said" with the related passages."""
        kind, rest = followup
        if kind in ("about", "tail"):
            entry_id = self.followups.about(context, self.matcher.rank(rest))
            if entry_id is None:
                return None
            return replace(self.answer_entries((entry_id,), script, question), top=top)
        ids = self.followups.next_passages(context, kind)
        if ids:
            return replace(self.answer_entries(ids, script, question), top=top)
        return self._no_more(question, script, context, top)

    def _no_more(
        self, question: str, script: Script, context: Context, top: tuple[tuple[str, float], ...]
    ) -> Reply:
        """His "that's all I said about it", with the related passages not yet given (else the
        topics not yet given, else all topics: never an empty list)."""
        last = [self._entries[e] for e in context.last]
        related = [r for e in last for r in e.related if r not in context.given]
        choices = tuple(self.choice(self._entries[r], script) for r in dict.fromkeys(related))
        untold = tuple(c for c in self.topics(script) if c.entry_id not in context.given)
        return self._reply(
            "related",
            question,
            script,
            paragraphs=(self.persona("no_more", script),),
            suggestions=choices[:3] or untold or self.topics(script),
            top=top,
            goes_on_from=context.last,
        )

    def decide(self, question: str, simplified: str, ranking: list[Score]) -> Decision:
        """:func:`bot.pipeline.decide.decide` for one question, with this knowledge's scope checks.

        Args:
            question: the raw message (capitals tell names).
            simplified: the question after :func:`bot.pipeline.text.normalize`.
            ranking: the matcher's scores for it, best first.
        """
        absent = self.scope.absent_subjects(question, simplified)
        if (
            absent
            and ranking
            and self.scope.compares(simplified)
            and self._stands_without(simplified, absent, ranking[0])
        ):
            absent = ()
        opinion = has_phrase(simplified, self._opinion)
        return decide(
            ranking,
            self.config.thresholds,
            self._related,
            offtopic=self._has_offtopic_cue(simplified)
            or (opinion and bool(ranking) and self._on_names_only(ranking[0])),
            personal=has_phrase(simplified, self._addressee) and not opinion,
            absent=absent,
            missing=lambda entry_id: self.scope.missing_details(simplified, entry_id),
        )

    def _on_names_only(self, best: Score) -> bool:
        """True when the entry matched only on names he mentions in passing (Meta, Google:
        the lexicon's ``passing_names``) or terms every entry shares: an opinion question
        ("what do you think of Meta") about them is not one he answered."""
        return bool(best.matched) and all(
            t in self._passing or t in self.scope.generic for t in best.matched
        )

    def _stands_without(self, simplified: str, names: tuple[str, ...], best: Score) -> bool:
        """True when the question, with the absent names taken out, is still answered by the
        same entry at the answer threshold or more. Asked only of comparisons
        (:meth:`bot.pipeline.scope.Scope.compares`): there a name can be the point of comparison
        ("why Paris rather than Silicon Valley", "欧洲怎么跟美国中国竞争"), not the subject."""
        stripped = simplified
        for name in names:
            stripped = stripped.replace(normalize(name), " ")
        ranking = self.matcher.rank(stripped)
        return (
            bool(ranking)
            and ranking[0].entry_id == best.entry_id
            and ranking[0].confidence >= self.config.thresholds.answer
            and any(t not in self.scope.generic for t in ranking[0].matched)
        )

    def _smalltalk_reply(self, question: str, simplified: str, script: Script) -> Reply | None:
        item = self.smalltalk.match(simplified)
        if item is None:
            return None
        line = item.reply[script].format_map(self._fields(script))
        return self._reply("smalltalk", question, script, paragraphs=(line,))

    def answer(
        self, question: str, script_hint: Script | None = None, context: Context | None = None
    ) -> Reply:
        """Answer one question: the single answer path of every channel.

        Args:
            question: the user's message, any str (empty, 100,000 characters, emoji, control
                characters and lone surrogates included). Only the first 500 characters are
                matched.
            script_hint: the script to reply in when the message cannot tell: no letters
                (digits, emoji, punctuation only), or Chinese written the same in both scripts
                ("那Meta呢"): e.g. the script of the conversation so far. Default: the
                context's script.
            context: the conversation so far (see :mod:`bot.pipeline.conversation`). Used only when
                the message alone is not answered and reads as a follow-up ("那優勢呢?", "tell me
                more", "為什麼?"): a complete question is answered the same with or without it.

        Returns:
            A Reply of kind "answer" (one or more passages: every part of a multi-part
            question, every point of a passage that announces several), "related",
            "suggest", "fallback" or "smalltalk". Never raises for a str; the same question
            and context always give the same Reply.
        """
        if not isinstance(question, str):
            raise TypeError(f"question must be str, not {type(question).__name__}")
        cleaned = clean(question)
        script = detect_script(cleaned)
        hint = script_hint or (context.script if context is not None else None)
        # "那Meta呢" in a Simplified conversation is answered in Simplified; a message with
        # Chinese to read is never answered in English
        has_letters = any(c.isalpha() for c in cleaned)
        if hint is not None and not tells_script(cleaned) and (hint != "en" or not has_letters):
            script = hint
        simplified = to_simplified(cleaned)
        smalltalk = self._smalltalk_reply(question, simplified, script)
        if smalltalk is not None:
            return smalltalk
        followup = self.followups.kind(simplified)
        if followup is not None and followup[0] == "about" and context is not None:
            # "那優勢呢?" opens elliptically: it stays on the last answer's subject if it can
            near = self.followups.about(context, self.matcher.rank(followup[1]))
            if near is not None:
                return self.answer_entries((near,), script, question)
            if context.last and self.followups.only_aspects(followup[1]):
                # "那缺點呢?" after the open-source answer: he named none; never another
                # subject's downside
                return self._no_more(question, script, context, ())
        if followup is not None and followup[0] in ("more", "why"):
            # "tell me more", "為什麼?": nothing to match on their own
            followed = None
            if context is not None and context.last:
                followed = self._follow_up(question, followup, script, context, ())
            return followed or self.help(question, script)
        if not any(c.isalpha() for c in cleaned):  # emoji, digits, nothing: no question yet
            return self.help(question, script)
        ranking = self.matcher.rank(simplified)
        decision = self.decide(question, simplified, ranking)
        top = tuple((s.entry_id, s.confidence) for s in ranking[:3])
        first = decision.answered
        related = decision.kind == "related"
        given, uncovered = self._part_answers(question, first, own_words=related)
        if not given and first is not None:
            given = {first.entry_id: first.confidence}
        if given:  # parts alone: the covered part of "歐洲的優勢?你對中國怎麼看?"
            # the score reported is the weakest passage given
            reply = self.answer_entries(tuple(given), script, question, min(given.values()))
            note = ""
            if uncovered:  # ... and an honest line on the other part
                separator = '", "' if script == "en" else "」、「"
                note = self.persona("not_covered", script, parts=separator.join(uncovered))
            return replace(reply, top=top, note=note)
        if followup is not None and context is not None and context.last:
            followed = self._follow_up(question, followup, script, context, top)
            if followed is not None:
                return followed
        confidence = decision.best.confidence if decision.best else 0.0
        if decision.kind == "related":
            return self._reply(
                "related",
                question,
                script,
                confidence=confidence,
                paragraphs=(self.persona("not_said", script),),
                suggestions=self._choices(decision.suggestions, script),
                top=top,
            )
        if decision.kind == "suggest":
            return self._reply(
                "suggest",
                question,
                script,
                confidence=confidence,
                paragraphs=(),
                suggestions=self._choices(decision.suggestions, script),
                header=self.persona("suggest_header", script),
                top=top,
            )
        return self._fallback(question, script, confidence, top)

    def help(self, question: str, script: Script) -> Reply:
        """How to ask, with the interview's topics: for a message with no question in it (only
        emoji or punctuation, or "tell me more" with nothing said before)."""
        return self._reply(
            "smalltalk",
            question,
            script,
            paragraphs=(self.persona("help", script),),
            suggestions=self.topics(script),
        )

    def _fallback(
        self, question: str, script: Script, confidence: float, top: tuple[tuple[str, float], ...]
    ) -> Reply:
        """His honest "I didn't talk about that", with the interview's topics."""
        return self._reply(
            "fallback",
            question,
            script,
            confidence=confidence,
            paragraphs=(self.persona("fallback", script),),
            suggestions=self.topics(script),
            top=top,
        )
