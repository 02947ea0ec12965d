"""Scoring a question against every entry: one calibrated 0-100 confidence per entry.

Three kinds of evidence, computed on normalised Simplified text:

* **coverage** — how much of the question's meaning the entry's vocabulary explains: the
  IDF-weighted share of the question's tokens found in the entry's variants, keywords and
  questions (full weight) or only in its answer text (partial weight). A question word no
  entry knows ("估值", "capital") keeps its full weight and so pulls coverage down: this is
  what keeps off-topic questions out.
* **overlap** — the best IDF-weighted Dice overlap between the question's tokens and one
  variant's tokens (rewards asking the way a curated variant asks).
* **surface** — the best character-level rapidfuzz ratio against one variant (catches typos
  and wordings jieba splits differently).

A fourth, **semantic**, comes from multilingual sentence embeddings (:mod:`bot.pipeline.semantic`):
the best cosine between the question and one of the entry's question-like texts (variants, button
questions, the interviewer's question), and the best cosine with one sentence of its answer. It
bridges words nobody listed ("secret sauce", 私有化) and languages.

With the *lead* (coverage over the best other entry, and each semantic cosine over the best
other entry's), the share of the question no entry knows, and whether only one word matched,
these features go through a logistic calibration
(:data:`CALIBRATION`, fitted by ``benchmarks/calibrate.py``) into a 0-100 confidence.

Terms listed as generic in the lexicon (Mistral, AI, 欧洲, DeepMind…) weigh little, and a
Score says when an entry matched generic terms only (the engine then never answers outright):
one shared broad word never carries an off-topic question to a confident answer. Pure
computation: no I/O, no globals; the same question always gives the same ranking.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from bot.loading.knowledge import Entry, Knowledge
from bot.pipeline.scope import english_words
from bot.pipeline.semantic import Embedder
from bot.pipeline.text import compact, is_cjk, normalize, to_simplified
from bot.pipeline.tokens import Tokenizer

ANSWER_TEXT_WEIGHT = 0.6
"""A token found only in an entry's answer text, or in just one of its variants, counts this
much toward coverage."""
MIN_SUPPORT = 2
"""A variant word counts in full only when at least this many of the entry's texts (variants,
questions) use it, or it is a keyword."""
GENERIC_WEIGHT = 0.25
"""IDF multiplier for generic terms."""
SINGLE_CHAR_WEIGHT = 0.4
"""IDF multiplier for an unknown one-character Chinese token (often a jieba fragment)."""
LONG_QUESTION_TOKENS = 6
"""Beyond this many distinct tokens, unknown tokens weigh proportionally less."""
CALIBRATION = {
    "bias": -5.12,
    "coverage": 1.36,
    "overlap": 2.27,
    "surface": 2.37,
    "lead": 2.35,
    "generic_only": -0.09,
    "unknown": -2.01,
    "single": -1.04,
    "semantic": 2.64,
    "semantic_lead": 5.49,
    "semantic_answer": 2.78,
    "semantic_answer_lead": 1.42,
    "opposed": -4.0,
}
"""Logistic calibration: confidence = 100 * sigmoid(bias + Σ coefficient * feature), so the
confidence estimates the chance that the entry is a right answer. Fitted by
``benchmarks/calibrate.py`` on half of our eleven tuning sets (tests/data; about 2,600
questions, the spent sealed sets included); ``lead`` is this entry's
coverage minus the best other entry's coverage, ``generic_only`` is 1 when every matched token
is a generic term. ``opposed`` is set by hand: the fit gives -1.7 from the few questions about
a side (strength vs weakness) in our sets, too weak to stop "Europe's main strength in the
market" from quoting the weakness passage on its word "market"."""


def features(
    coverage: float,
    overlap: float,
    surface: float,
    lead: float,
    generic_only: bool,
    unknown: float = 0.0,
    single: bool = False,
    semantic: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
    opposed: bool = False,
) -> dict[str, float]:
    """The calibration features of one (question, entry) pair, each named as in CALIBRATION.

    Args:
        coverage, overlap, surface: evidence, each 0-1 (see the module docstring).
        lead: coverage minus the best other entry's coverage, -1..1.
        generic_only: every token this entry matched is a generic term.
        unknown: share (0-1) of the question's token weight that no entry knows.
        single: the entry matched one token only, of a question with two or more.
        semantic: (best cosine with a question-like text of the entry, that minus the best
            other entry's; best cosine with a sentence of its answer, that minus the best
            other entry's), cosines -1..1.
        opposed: the question asks about one side (优势) and the entry's keywords name only
            the other (弱点): see :attr:`bot.loading.knowledge.Lexicon.negative_aspects`.
    """
    return {
        "bias": 1.0,
        "coverage": coverage,
        "overlap": overlap,
        "surface": surface,
        "lead": lead,
        "generic_only": float(generic_only),
        "unknown": unknown,
        "single": float(single),
        "semantic": semantic[0],
        "semantic_lead": semantic[1],
        "semantic_answer": semantic[2],
        "semantic_answer_lead": semantic[3],
        "opposed": float(opposed),
    }


def logit(feature_values: dict[str, float], coefficients: dict[str, float]) -> float:
    """Σ coefficient * feature, clamped to ±50: the log-odds that the entry is right."""
    z = sum(coefficients[name] * value for name, value in feature_values.items())
    return max(-50.0, min(50.0, z))


def confidence_of(z: float) -> float:
    """100 * logistic(z): log-odds to a 0-100 confidence."""
    return 100.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class Score:
    """One entry's confidence for one question.

    Attributes:
        entry_id: the entry.
        confidence: 0-100, the calibrated chance (in %) that this entry answers the question.
        coverage, overlap, surface: the three pieces of evidence, each 0-1.
        matched: canonical tokens of the question this entry knows, sorted.
        logit: the log-odds behind ``confidence``; ranking and margins use it (it does not
            saturate near 100).
        features: the calibration features by name (see :func:`features`).
    """

    entry_id: str
    confidence: float
    coverage: float
    overlap: float
    surface: float
    matched: tuple[str, ...]
    logit: float = -50.0
    features: dict = field(default_factory=dict, compare=False, hash=False)


_LATIN_WORDS = re.compile(r"(?<![a-z0-9])[a-z]{3,}(?![a-z0-9])")
MIN_TYPO_CHARS = 4
"""English words shorter than this (letters) are never corrected: too many neighbours."""
SHORT_TYPO_CHARS = 5
"""English words shorter than this (letters) are corrected only for two swapped letters: one
other edit away from a known word, a short word is usually another real word (week, weak)."""
LONG_TYPO_CHARS = 8
"""English words this long may be two edits from the word meant."""
_SENTENCE_END = re.compile(r"(?<=[。!?;!?;])")
MIN_SENTENCE_CHARS = 5
"""Answer sentences shorter than this (characters) are not embedded on their own."""


def semantic_texts(entry: Entry) -> tuple[list[str], list[str]]:
    """The texts of an entry that are embedded, in Simplified characters.

    Returns:
        (question-like texts: variants, button questions and the interviewer's question;
        the sentences of its answer paragraphs, each at least MIN_SENTENCE_CHARS long).
    """
    asked = [to_simplified(t) for t in (*entry.variants, *entry.ask.values(), entry.question)]
    sentences = [
        to_simplified(s.strip())
        for p in entry.answer
        for s in _SENTENCE_END.split(p)
        if len(s.strip()) >= MIN_SENTENCE_CHARS
    ]
    return asked, sentences


class _Semantic:
    """Per-entry best cosines between a question and the entries' embedded texts."""

    def __init__(self, knowledge: Knowledge, embedder: Embedder) -> None:
        self._embedder = embedder
        texts: list[str] = []
        starts: list[int] = []
        for group in (0, 1):  # all question-like texts first, then all answer sentences
            for entry in knowledge.entries:
                starts.append(len(texts))
                texts.extend(semantic_texts(entry)[group])
        self._vectors = embedder.encode_cached(texts)
        self._starts = np.array(starts)
        self._count = len(knowledge.entries)

    def cosines(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(best cosine per entry over question-like texts, over answer sentences), in entry
        order; zeros for empty text."""
        if not text.strip():
            zeros = np.zeros(self._count)
            return zeros, zeros
        similarity = self._vectors @ self._embedder.encode([text])[0]
        best = np.maximum.reduceat(similarity, self._starts).astype(float)
        return best[: self._count], best[self._count :]


def _leads(values: np.ndarray) -> np.ndarray:
    """Each value minus the best other value."""
    order = np.sort(values)[::-1]
    top, second = order[0], order[1] if len(order) > 1 else order[0]
    return values - np.where(values == top, second, top)


@dataclass(frozen=True)
class _Variant:
    entry: int
    tokens: frozenset[str]
    weight: float


class Matcher:
    """Ranks entries for a question.

    Args:
        knowledge: the validated knowledge (entries and lexicon).
        tokenizer: the shared tokenizer (jieba already initialised).
        embedder: the sentence embedder (see :mod:`bot.pipeline.semantic`).
        coefficients: calibration coefficients (default :data:`CALIBRATION`).
        english: the knowledge's English words (:func:`bot.pipeline.scope.english_words`), when the
            caller has them already (:attr:`bot.pipeline.scope.Scope.english`); computed when None.

    Build cost: tokenising every variant once (about 0.1 s for 470 variants); embedding the
    knowledge's texts (~1 s, once per knowledge version: then read from the cache dir).
    """

    def __init__(
        self,
        knowledge: Knowledge,
        tokenizer: Tokenizer,
        embedder: Embedder,
        coefficients: dict | None = None,
        english: frozenset[str] | None = None,
    ) -> None:
        self._coefficients = dict(coefficients or CALIBRATION)
        self._semantic = _Semantic(knowledge, embedder)
        self._embedder = embedder
        self._tokenizer = tokenizer
        self._ids = tuple(e.id for e in knowledge.entries)
        self._generic = {tokenizer.canonical(normalize(g)) for g in knowledge.lexicon.generic}
        strong: list[set[str]] = []
        keyword_tokens: list[frozenset[str]] = []  # per entry: its keywords' tokens
        weak: list[set[str]] = []
        texts: list[list[tuple[str, frozenset[str]]]] = []  # (normalised text, its tokens)
        for entry in knowledge.entries:
            # The interviewer's question is shared by sibling entries (one per paragraph of
            # the answer), so its words are weak evidence for each of them.
            asked = [normalize(t) for t in (*entry.variants, entry.ask["hant"], entry.ask["en"])]
            texts.append([(t, frozenset(tokenizer.tokens(t))) for t in asked])
            support: dict[str, int] = defaultdict(int)
            for _text, text_tokens in texts[-1]:
                for token in text_tokens:
                    support[token] += 1
            # A word one variant happens to use ("喜欢") is weak evidence; a keyword, or a word
            # two texts share, is strong.
            tokens = {t for t, n in support.items() if n >= MIN_SUPPORT}
            incidental = {t for t, n in support.items() if n < MIN_SUPPORT}
            keyword_tokens.append(
                frozenset(t for k in entry.keywords for t in tokenizer.tokens(normalize(k)))
            )
            tokens |= keyword_tokens[-1]
            strong.append(tokens)
            answer_tokens = {
                t for p in (*entry.answer, entry.question) for t in tokenizer.tokens(normalize(p))
            }
            weak.append((answer_tokens | incidental) - tokens)
        count = len(self._ids)
        df: dict[str, int] = defaultdict(int)
        for s, w in zip(strong, weak, strict=True):
            for token in s | w:
                df[token] += 1
        self._unknown_idf = math.log(1 + count)
        self._idf = {t: math.log(1 + count / n) for t, n in df.items()}
        self._strong = tuple(frozenset(s) for s in strong)
        self._weak = tuple(frozenset(w) for w in weak)
        variants = [
            _Variant(index, tokens, sum(self.weight(t) for t in tokens))
            for index, entry_texts in enumerate(texts)
            for _text, tokens in entry_texts
        ]
        self._variants = tuple(variants)
        self._entry_surfaces = tuple(
            tuple(compact(text) for text, _tokens in entry_texts) for entry_texts in texts
        )
        evidence: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i in range(count):  # token → (entry, how much it counts): strong 1, weak less
            for token in self._strong[i]:
                evidence[token].append((i, 1.0))
            for token in self._weak[i]:
                evidence[token].append((i, ANSWER_TEXT_WEIGHT))
        self._evidence = {t: tuple(v) for t, v in evidence.items()}
        postings: dict[str, list[int]] = defaultdict(list)
        for i, variant in enumerate(variants):
            for token in variant.tokens:
                postings[token].append(i)
        self._postings = {t: tuple(v) for t, v in postings.items()}
        latin = set(english_words(knowledge) if english is None else english)
        stop = {w for w in (normalize(x) for x in knowledge.lexicon.stopwords) if w.isascii()}
        self._latin_known = frozenset(latin)
        self._latin_content = tuple(sorted(latin - stop))  # never "correct" into a stopword
        self._latin_stems = frozenset(tokenizer.stem(w) for w in latin)
        lexicon = knowledge.lexicon
        self._sides = tuple(
            frozenset(t for w in words for t in tokenizer.tokens(normalize(w)))
            for words in (lexicon.positive_aspects, lexicon.negative_aspects)
        )
        self._entry_sides = tuple(
            tuple(bool(side & keywords) for side in self._sides) for keywords in keyword_tokens
        )

    def correct(self, normalized: str) -> str:
        """English typos fixed against the knowledge's own English words: a word of
        :data:`MIN_TYPO_CHARS` or more letters that no variant, synonym or stopword uses, and
        that is not another form of one (same Snowball stem), becomes the known content word
        one edit away (two from :data:`LONG_TYPO_CHARS` letters; a swap of two neighbouring
        letters is one edit; below :data:`SHORT_TYPO_CHARS` letters only a swap): "opne sourse"
        → "open source", "backround" → "background". A word the sentence encoder's vocabulary
        holds whole is a real word, never a typo ("place" stays, not "pace";
        :meth:`bot.pipeline.semantic.Embedder.knows_word`). Chinese is left alone (jieba and
        the synonyms handle it).

        Args:
            normalized: text after :func:`bot.pipeline.text.normalize`.

        Returns:
            The text with the corrected words; the same text when nothing needs correcting.
        """

        def fix(match: re.Match) -> str:
            word = match.group(0)
            if len(word) < MIN_TYPO_CHARS or word in self._latin_known:
                return word
            if self._tokenizer.stem(word) in self._latin_stems:
                return word  # another form of a known word (wants, providers)
            if self._embedder.knows_word(word):
                return word  # a real word the knowledge does not use (place → not pace)
            limit = 2 if len(word) >= LONG_TYPO_CHARS else 1
            found = process.extract(
                word,
                self._latin_content,
                scorer=DamerauLevenshtein.distance,
                score_cutoff=limit,
                limit=None,
            )
            if len(word) < SHORT_TYPO_CHARS:  # week, pace, bank: only a swap (opne → open)
                found = [f for f in found if sorted(f[0]) == sorted(word)]
            if not found:
                return word
            # nearest first; among equals, the same letters swapped (opne → open, not one),
            # then the same first letter, then the same length
            return min(
                found,
                key=lambda f: (
                    f[1],
                    sorted(f[0]) != sorted(word),
                    f[0][0] != word[0],
                    abs(len(f[0]) - len(word)),
                    f[0],
                ),
            )[0]

        return _LATIN_WORDS.sub(fix, normalized)

    def weight(self, token: str) -> float:
        """IDF weight of a canonical token (unknown tokens weigh as much as the rarest)."""
        idf = self._idf.get(token)
        if idf is None:
            idf = self._unknown_idf
            if len(token) == 1 and is_cjk(token):
                idf *= SINGLE_CHAR_WEIGHT
        if token in self._generic:
            idf *= GENERIC_WEIGHT
        return idf

    def tokens(self, normalized: str) -> tuple[str, ...]:
        """Canonical tokens of normalised text (see
        :meth:`bot.pipeline.tokens.Tokenizer.tokens`)."""
        return self._tokenizer.tokens(normalized)

    @staticmethod
    def _opposed(question: tuple[bool, ...], entry: tuple[bool, ...]) -> bool:
        """True when the question names one side only (good: 优势; bad: 弱点, 风险) and the
        entry's keywords name only the other, or, for the bad side, neither: "开源有什么风险"
        is not answered by a passage on what open source is good for."""
        if sum(question) != 1:
            return False
        bad_side_asked = question[1]
        return (sum(entry) == 1 and question != entry) or (bad_side_asked and not any(entry))

    def rank(self, normalized: str) -> list[Score]:
        """Score every entry for one question.

        Args:
            normalized: the question after :func:`bot.pipeline.text.normalize` (may be ""); English
                typos are corrected first (:meth:`correct`).

        Returns:
            One Score per entry, best first; ties keep the entries' file order.
        """
        normalized = self.correct(normalized)
        query = set(self.tokens(normalized))
        surface_q = compact(normalized)
        count = len(self._ids)
        if not query and not surface_q and not normalized.strip():
            return [Score(i, 0.0, 0.0, 0.0, 0.0, ()) for i in self._ids]
        weights = {t: self.weight(t) for t in query}
        if len(query) > LONG_QUESTION_TOKENS:
            # In a long question, most unknown words are the asker's context ("I am a student
            # at…"), not its topic: they weigh less, so the topic words can carry it.
            discount = LONG_QUESTION_TOKENS / len(query)
            weights = {t: w * discount if t not in self._idf else w for t, w in weights.items()}
        total = sum(weights.values()) or 1.0

        overlap = [0.0] * count
        shared: dict[int, float] = defaultdict(float)
        for token in query:
            for v in self._postings.get(token, ()):
                shared[v] += weights[token]
        for v, common in shared.items():
            variant = self._variants[v]
            dice = 2 * common / (total + variant.weight)
            if dice > overlap[variant.entry]:
                overlap[variant.entry] = dice

        surface = [0.0] * count
        if surface_q:
            for i, choices in enumerate(self._entry_surfaces):
                best = process.extractOne(surface_q, choices, scorer=fuzz.ratio)
                surface[i] = best[1] / 100 if best else 0.0

        known = [0.0] * count
        matched: list[list[str]] = [[] for _ in range(count)]
        for token, w in weights.items():
            for i, level in self._evidence.get(token, ()):
                known[i] += w * level
                matched[i].append(token)
        coverage = [k / total for k in known] if query else known
        ordered = sorted(coverage, reverse=True)
        unknown = sum(w for t, w in weights.items() if t not in self._idf) / total
        asked, said = self._semantic.cosines(normalized)
        sides = tuple(bool(side & query) for side in self._sides)
        asked_lead, said_lead = _leads(asked), _leads(said)
        scores = []
        for i, entry_id in enumerate(self._ids):
            best_other = ordered[1] if coverage[i] == ordered[0] else ordered[0]
            generic_only = bool(matched[i]) and all(t in self._generic for t in matched[i])
            values = features(
                coverage[i],
                overlap[i],
                surface[i],
                coverage[i] - best_other,
                generic_only,
                unknown,
                len(matched[i]) == 1 and len(query) > 1,
                (asked[i], asked_lead[i], said[i], said_lead[i]),
                self._opposed(sides, self._entry_sides[i]),
            )
            z = logit(values, self._coefficients)
            scores.append(
                Score(
                    entry_id,
                    round(confidence_of(z), 2),
                    coverage[i],
                    overlap[i],
                    surface[i],
                    tuple(sorted(matched[i])),
                    z,
                    values,
                )
            )
        order = sorted(range(count), key=lambda i: -scores[i].logit)
        return [scores[i] for i in order]
