"""What the interview talks about, judged against its own text, never the curated variants.

Curated variants use words he never said (one variant mentioning 美国中国 must not make 中国 a
subject of his), so these judgements read ``knowledge/interview.txt`` itself, from the first
interviewer's turn on (the editor's introduction names things he never speaks of):

* **absent subjects** — a name in the question (a place, organisation, person, language, or a
  Latin capitalised name such as ``Nvidia`` or ``GPT-5``) that the interview never mentions;
* **missing details** — a question asking for a specific fact (``哪所``, ``多少``, ``how
  many``, ``是谁``… listed by kind as ``detail_cues`` in the lexicon) that the passage does
  not give ("which university", "how many employees", "which year").

Pure computation on normalised text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.loading.knowledge import Knowledge
from bot.pipeline.text import (
    compact,
    has_phrase,
    is_cjk,
    normalize,
    phrases,
    strip_markup,
    to_simplified,
)
from bot.pipeline.tokens import CONTENT_TAGS, NOUN_TAGS, PROPER_NOUN_TAGS, Tokenizer

_PERSON_NAME = re.compile(r"\b[A-Z][a-zà-ÿ]+ [A-Z][a-zà-ÿ]+")
"""A person's name as the interview writes it: Guillaume Lample, Timothée Lacroix."""
_NAME = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z0-9]+(?:[ -][A-Z][A-Za-z0-9]+)*")
"""A name in Latin letters as the interview writes it: Google DeepMind, Meta, Mistral."""
_NUMBER = re.compile(r"[0-9]+|[一二两三四五六七八九十百千万亿几半]+|大量|许多|很多|不少")
"""A number or an amount as the interview writes it (2, 两, 三, 四, 大量)."""
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
"""A year (2023)."""
_TIME = re.compile(r"[0-9一二两三四五六七八九十几半]+\s*(?:年|个月|月|周|星期|天)")
"""A span of time as the interview writes it: 两年半, 四个月, 六个月."""
_PRICE = re.compile(
    r"[0-9][0-9.,]*\s*(?:美元|欧元|美金|元|欧|dollars?|euros?|usd|eur)|[€$]\s*[0-9]", re.I
)
"""A price: an amount of money (0.5 美元, €2, 10 euros)."""
_ENGLISH_WORD = re.compile(r"(?<![a-z0-9])[a-z]{3,}(?![a-z0-9])")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?。!?]\s*)([A-Za-z][A-Za-z0-9]*)")
CUE_WINDOW_BEFORE = 2
"""Content words before a detail cue that may name the detail asked (CTO 是谁, 论文 叫什么)."""
CUE_WINDOW_AFTER = 3
"""Content words after a detail cue that may name the detail asked (哪所 大学, how many
employees)."""
FORWARD_CUE_STARTS = ("哪", "几", "多")
"""Chinese detail cues that ask about the words after them (哪所大学, 几个员工, 多少钱); other
Chinese cues ask about the words before them (CTO 是谁); English cues look forward."""
EITHER_WAY_CUES = frozenset({"多久", "多长时间", "多长"})
"""Chinese cues that ask about the words before them (做了**多久**) or after them (成立后多久就
**把模型做出来**): the passage gives the time when it names any word asked on either side."""
NEGATIONS = ("没", "不")
"""A cue starting with, or right after, one of these is negated: 没多久 (not long after)."""
CLAUSE_OPENERS = frozenset({"and", "but", "so", "or", "then", "me", "us", "know", "wonder", "ask"})
"""English words after which "who" still asks (tell me who is…); after any other word
("people who are strong") it opens a relative clause."""
HEAD_ONLY_CUES = frozenset({"which"})
"""Bare interrogatives: they ask about the one word after them (which **project**), not about
the rest of the question."""
SHORT_ACRONYM = 3
"""All-capital words with at most this many letters are not taken for names."""
TITLE_CASE_SHARE = 0.6
"""When at least this share of a message's Latin words after each sentence's first (and at
least :data:`TITLE_CASE_MIN` of them) are capitalised, it is written in Title Case and capitals
say nothing about names ("What Makes Mistral Different From Others?")."""
TITLE_CASE_MIN = 4
MAX_CUE_WORDS = 4
"""A detail cue is at most this many words ("where did you study", "how much does it cost")."""
PLACE_TAG = "ns"
"""jieba's tag of a place name (法国, 硅谷)."""
LANGUAGE_ENDINGS = ("语", "文")
"""A Chinese noun ending so, after a people's or place's name (中文, 日语, 西班牙语), names a
language: a subject like a name. Not 无语 (speechless), 成语 (idiom), 论文 (paper)."""
NATION_SUFFIXES = ("", "国", "本")
"""A language's stem names a place itself (西班牙) or with one of these (法→法国, 日→日本)."""
LANGUAGE_STEMS = frozenset({"汉", "粤", "藏"})
"""Stems of languages named after a people or region, not a country (汉语, 粤语, 藏语)."""
GENERAL_STEMS = frozenset({"外"})
"""Stems that look like a place (外国) but name no one language: 外语 (a foreign language)."""
NAME_TAGS = frozenset({"ns", "nt", "nrt", "nrfg", "nr", "nz"})
"""jieba tags a language's stem may carry (place, organisation, person, other proper noun)."""


class Scope:
    """What the interview talks about, judged against its own text.

    Args:
        knowledge: the knowledge (interview text, entries, lexicon with ``detail_cues``).
        tokenizer: the shared tokenizer (its dictionary tags tell names and nouns).

    Attributes:
        generic: canonical forms of the lexicon's generic terms (Mistral, AI, 欧洲).
        english: the knowledge's English words (:func:`english_words`).
    """

    def __init__(self, knowledge: Knowledge, tokenizer: Tokenizer) -> None:
        self._tokenizer = tokenizer
        # normalize() keeps a question's first 500 characters: the interview goes sentence by
        # sentence.
        dialogue = _dialogue(knowledge.source.text, knowledge.source.interviewers)
        sentences = [normalize(s) for s in re.split(r"(?<=[。!?;\n])", dialogue)]
        self._text = "".join(compact(s) for s in sentences)
        self._vocabulary = frozenset(t for s in sentences for t in tokenizer.tokens(s))
        self.generic = frozenset(
            t for g in knowledge.lexicon.generic if (t := tokenizer.canonical(normalize(g)))
        )
        self._cue_kinds: dict[str, str] = {}  # normalised cue → its kind
        for kind, cues in knowledge.lexicon.detail_cues.items():
            for cue in cues:
                if normalize(cue):
                    self._cue_kinds.setdefault(normalize(cue), kind)
        self._cjk_cues = tuple(c for c in self._cue_kinds if is_cjk(c[0]))
        self.english = english_words(knowledge)
        self._contrast = phrases(knowledge.lexicon.contrast_cues)
        self._gives: dict[str, dict[str, bool]] = {}  # entry id → kind → the passage gives it
        for entry in knowledge.entries:
            passage = " ".join(entry.answer)
            simplified = to_simplified(passage)
            raws = [raw for raw, _canonical in tokenizer.words(normalize(simplified))]
            self._gives[entry.id] = {
                "person": bool(_PERSON_NAME.search(passage)),
                "time": bool(_TIME.search(simplified)),
                "year": bool(_YEAR.search(simplified)),
                "price": bool(_PRICE.search(simplified)),
                "place": any(self._tokenizer.tag(raw) == PLACE_TAG for raw in raws),
                "name": self._names_something(passage, raws),
            }
        self._answers = {}
        for entry in knowledge.entries:
            parts = [normalize(s) for p in entry.answer for s in re.split(r"(?<=[。!?;])", p)]
            self._answers[entry.id] = (
                "".join(compact(s) for s in parts),
                frozenset(t for s in parts for t in tokenizer.tokens(s)),
            )

    def _names_something(self, passage: str, raws: list[str]) -> bool:
        """True when a passage (as published; ``raws``: its words, normalised) names something
        a "what is it called" question could ask for: a Latin name (Meta, Guillaume Lample) or
        a Chinese name of a person or organisation (jieba's tags), other than the lexicon's
        generic terms (DeepMind, Google, Mistral: the setting of every passage, not an answer
        to a name question), short acronyms (API) and places."""
        latin = (
            m.group(0).lower()
            for m in _NAME.finditer(passage)
            if not (m.group(0).isupper() and len(m.group(0)) <= SHORT_ACRONYM)  # API, VPC
        )
        chinese = (
            raw
            for raw in raws
            if is_cjk(raw[0]) and self._tokenizer.tag(raw) in PROPER_NOUN_TAGS - {PLACE_TAG}
        )
        return any(
            all(self._tokenizer.canonical(w) not in self.generic for w in name.split())
            for name in (*latin, *chinese)
        )

    def _mentioned(self, raw: str, canonical: str | None) -> bool:
        return compact(raw) in self._text or (
            canonical is not None and (canonical in self._vocabulary or canonical in self.generic)
        )

    def absent_subjects(self, question: str, simplified: str | None = None) -> tuple[str, ...]:
        """Names in ``question`` (the raw message) that the interview never mentions.

        Names are Chinese words jieba's dictionary tags as places, organisations or persons,
        language names (中文, 日语), and Latin words written with a capital other than at a
        sentence start (not in Title Case messages). A name counts as mentioned when it, or its
        canonical synonym, occurs in the interview text. ``simplified`` is the question after
        :func:`bot.pipeline.text.normalize`, when the caller has it already.

        Returns:
            The absent names as written (Simplified for Chinese), in order, without duplicates.
        """
        absent: list[str] = []
        normalized = normalize(question) if simplified is None else simplified
        for raw, canonical in self._tokenizer.words(normalized):
            if (
                canonical is not None
                and is_cjk(raw[0])
                and self._is_name(raw)
                and not self._mentioned_name(raw, canonical)
            ):
                absent.append(raw)
        for word in _names(strip_markup(question), self._ordinary):
            if not self._mentioned_latin(word):
                absent.append(word)
        return tuple(dict.fromkeys(absent))

    def compares(self, simplified: str) -> bool:
        """True when the question (normalised) holds a ``contrast_cues`` phrase of the lexicon
        (rather than, 跟…竞争, 相比): a name in it may be only the point of comparison."""
        return has_phrase(simplified, self._contrast)

    def _names_detail(self, raw: str, canonical: str | None) -> bool:
        """A word of a detail cue that is a noun: 名字, 题目, university (→ 大学)."""
        if canonical is None:
            return False
        if is_cjk(raw[0]):
            return self._tokenizer.tag(raw) in NOUN_TAGS
        return (
            canonical != raw
            and is_cjk(canonical[0])
            and self._tokenizer.tag(canonical) in NOUN_TAGS
        )

    def _is_name(self, word: str) -> bool:
        """A Chinese word that names something: a place, organisation or person by jieba's
        dictionary tag, or a language: a noun ending in 语 or 文 whose stem names a place or
        people (日语, 西班牙语, 汉语; not 无语, 成语, 论文, 外语)."""
        tag = self._tokenizer.tag(word)
        if tag in PROPER_NOUN_TAGS:
            return True
        if tag not in NOUN_TAGS or not word.endswith(LANGUAGE_ENDINGS) or len(word) < 2:
            return False
        stem = word[:-1]
        return stem in LANGUAGE_STEMS or (
            stem not in GENERAL_STEMS
            and any(self._tokenizer.tag(stem + s) in NAME_TAGS for s in NATION_SUFFIXES)
        )

    def _mentioned_name(self, raw: str, canonical: str | None) -> bool:
        """A Chinese name is mentioned when it, its synonym, or both its halves are
        (美国市场: 美国 and 市场)."""
        if self._mentioned(raw, canonical):
            return True
        half = len(raw) // 2
        return len(raw) >= 4 and raw[:half] in self._text and raw[half:] in self._text

    def _ordinary(self, lower: str) -> bool:
        """An English word the knowledge uses as an ordinary word (its variants and button
        questions), with no synonym standing for a subject (japanese → 日语 is a subject)."""
        return lower in self.english and self._tokenizer.synonym(lower) is None

    def _mentioned_latin(self, word: str) -> bool:
        """A Latin name is mentioned when it, or its synonym, is in the interview. A hyphenated
        or dotted one ("English-first", "GPT-4") is judged by its capitalised parts, and by the
        whole when it holds digits (GPT-5 is not GPT-4)."""
        lower = word.lower()
        if self._mentioned(lower, self._tokenizer.synonym(lower)):
            return True
        parts = [p for p in re.split(r"[-.]", word) if p]
        if len(parts) < 2:
            return False
        if any(c.isdigit() for c in word):
            return compact(" ".join(parts).lower()) in self._text
        return all(
            self._mentioned(p.lower(), self._tokenizer.synonym(p.lower()))
            for p in parts
            if any(c.isupper() for c in p)
        )

    def missing_details(self, simplified: str, entry_id: str) -> tuple[str, ...]:
        """What a detail question asks that entry ``entry_id``'s passage does not give.

        A detail question holds a phrase of the lexicon's ``detail_cues``. The words it asks
        about: up to :data:`CUE_WINDOW_AFTER` content words after a forward cue
        (:data:`FORWARD_CUE_STARTS`, all English cues: 哪所**大学**, how many **employees**), up
        to :data:`CUE_WINDOW_BEFORE` before any other (**CTO** 是谁, **营收**多少); Chinese nouns
        and verbs of jieba's dictionary count, and English words whose synonym is Chinese
        (employees → 员工); 多久 looks both ways (:data:`EITHER_WAY_CUES`); a negated cue (没多久)
        or an English relative clause ("people who are") asks nothing; after a bare "which"
        (:data:`HEAD_ONLY_CUES`), only the next word
        is asked about, and it counts even as an English word the knowledge never uses ("which
        **project**": a Chinese passage cannot give it). By the cue's kind:

        * ``what``: those words, and the cue's own nouns (名字, which university), must be in
          the passage;
        * ``quantity``: the passage must give a number next to the word counted (三个方面);
        * ``time``: a span or point of time (两年半, 一年前); ``year``: a year (2023);
        * ``person``: someone named (Guillaume Lample);
        * ``name``: something named (Google DeepMind, 法国: Latin capitals or jieba's proper-noun
          tags): "what is the first model called" is not answered by "four months";
        * ``place``: a place named (法国, 硅谷: jieba's place tag);
        * ``price``: an amount of money (0.5 美元, €2): he called the models well priced but
          named no price;
        * and for every kind but ``quantity`` and ``price``, the words asked about must be in
          the passage.

        Args:
            simplified: the question after :func:`bot.pipeline.text.normalize`.
            entry_id: the passage that would be quoted.

        Returns:
            () when the question asks for no specific detail or the passage contains every
            noun asked about; else the missing nouns as written (Simplified).
        """
        words = self._tokenizer.words(simplified)
        raws = [raw for raw, _canonical in words]
        content = [k for k, (_raw, canonical) in enumerate(words) if canonical is not None]
        spans = self._cue_spans(raws)
        if not spans:
            return ()
        in_cue = {k for i, j, _kind in spans for k in range(i, j)}
        text, tokens = self._answers[entry_id]
        gives = self._gives[entry_id]
        missing: list[str] = []
        for i, j, kind in spans:
            after = [k for k in content if k >= j and k not in in_cue][:CUE_WINDOW_AFTER]
            before = [k for k in content if k < i and k not in in_cue][-CUE_WINDOW_BEFORE:]
            cue = "".join(raws[i:j]) if is_cjk(raws[i][0]) else " ".join(raws[i:j])
            either = cue in EITHER_WAY_CUES
            forward = (cue.startswith(FORWARD_CUE_STARTS) or cue.isascii()) and not either
            window = after if forward and after else before  # 营收多少 looks back
            if either:
                window = before + after
            if kind in ("person", "name", "time", "year", "price", "place") and not gives[kind]:
                missing.append(cue)  # who: no one named; when: no time given; no price
            if kind == "price":
                continue
            if kind == "what":  # the cue's own nouns name the detail (which university)
                window += [k for k in range(i, j) if self._names_detail(*words[k])]
            head_word = after[0] if forward and after else None  # which **project** did…
            if cue in HEAD_ONLY_CUES:
                window = after[:1]  # which **work** will humans do: "humans" is not asked
            asked = [words[k] for k in window if self._asked(*words[k], head=k == head_word)]
            if kind == "quantity":
                counted = [(raw, c) for raw, c in (words[k] for k in window) if c is not None]
                # the word counted, nearest the cue; in English the plural noun ("how many
                # paying customers" counts customers, not "paying")
                counted = counted if forward else counted[::-1]
                plural = [(raw, c) for raw, c in counted if cue.isascii() and raw.endswith("s")]
                head = (plural or counted or [("", "")])[0]
                if not self._counts(text, *head):  # the word counted: 多少人, 营收多少
                    missing.append(head[0] or cue)
                continue
            lacking = [
                raw
                for raw, canonical in asked
                if compact(raw) not in text
                and not (canonical is not None and (canonical in tokens or canonical in text))
            ]
            if either and len(lacking) < len(asked):
                continue  # how long he did what the passage names: its time is given
            missing += lacking
        return tuple(dict.fromkeys(missing))

    def _cue_spans(self, raws: list[str]) -> list[tuple[int, int, str]]:
        """Every detail cue among the words, the longest where cues overlap: (first word, end,
        kind)."""
        spans = []
        for i in range(len(raws)):
            for j in range(i + 1, min(len(raws), i + MAX_CUE_WORDS) + 1):
                joined = "".join(raws[i:j])
                kind = self._cue_kinds.get(joined) or self._cue_kinds.get(" ".join(raws[i:j]))
                if kind is None and j == i + 1 and is_cjk(joined[0]):
                    kind = next((self._cue_kinds[c] for c in self._cjk_cues if c in joined), None)
                if kind is not None and not self._not_asking(raws, i, j):
                    spans.append((i, j, kind))
        # the longest reading only: 叫什么名字, not also 叫什么, 什么名字 and 名字
        return [
            (i, j, kind)
            for i, j, kind in spans
            if not any(a <= i and j <= b and (a, b) != (i, j) for a, b, _kind in spans)
        ]

    @staticmethod
    def _not_asking(raws: list[str], i: int, j: int) -> bool:
        """True when the cue at words i..j asks nothing: negated (成立**没多久**, 不久: "not long
        after") or an English relative clause after a noun ("people **who are** strong")."""
        cue = "".join(raws[i:j])
        before = raws[i - 1] if i > 0 else ""
        if is_cjk(cue[0]):
            return cue.startswith(NEGATIONS) or before.endswith(NEGATIONS)
        return (
            cue.startswith("who")
            and before.isascii()
            and before.isalpha()
            and before not in CLAUSE_OPENERS
        )

    def _asked(self, raw: str, canonical: str | None, head: bool = False) -> bool:
        """A word a detail question can ask about: a Chinese noun or verb of jieba's dictionary,
        or an English word whose synonym is Chinese; not a stopword or generic term. With
        ``head`` (the first content word after a forward cue: "which **project**"), also an
        English word the knowledge never uses (:attr:`english`): a Chinese passage cannot give
        what it names."""
        if canonical is None or canonical in self.generic:
            return False
        if is_cjk(raw[0]):
            return self._tokenizer.tag(raw) in CONTENT_TAGS
        if canonical != raw and is_cjk(canonical[0]):
            return True
        return head and raw.isalpha() and raw not in self.english and canonical not in self.english

    @staticmethod
    def _counts(text: str, raw: str, canonical: str | None) -> bool:
        """True when the passage (compact Simplified) gives a number next to what is counted
        (三个方面, 四个月); with nothing named (raw ""), or an English word with no Chinese
        synonym to look for (years, months), any number will do."""
        if not raw or not any(w and is_cjk(w[0]) for w in (raw, canonical)):
            return bool(_NUMBER.search(text))
        for word in dict.fromkeys(w for w in (raw, canonical) if w and is_cjk(w[0])):
            number, counted = _NUMBER.pattern, re.escape(word)
            if re.search(rf"(?:{number})\S{{0,3}}{counted}|{counted}\S{{0,4}}(?:{number})", text):
                return True
        return False


def english_words(knowledge: Knowledge) -> frozenset[str]:
    """The English words (lower case, three letters or more) the knowledge itself uses: in its
    variants and button questions, and the lexicon's synonyms, words and stopwords."""
    texts = [t for e in knowledge.entries for t in (*e.variants, *e.ask.values())]
    lexicon = knowledge.lexicon
    texts += [*lexicon.synonyms, *lexicon.words, *lexicon.stopwords]
    return frozenset(w for t in texts for w in _ENGLISH_WORD.findall(normalize(t)))


def _dialogue(text: str, interviewers: tuple[str, ...]) -> str:
    """The interview itself: from the first interviewer's turn on. The editor's introduction
    before it names things Mensch never speaks of (OpenAI, GPT-4, Mixtral, Mistral Large): he
    cannot be quoted on them."""
    starts = [text.find(f"{name} :") for name in interviewers] + [
        text.find(f"{name}:") for name in interviewers
    ]
    found = [i for i in starts if i >= 0]
    return text[min(found) :] if found else text


def _before_cjk(text: str, end: int) -> bool:
    """True when the next letter after ``text[:end]`` is Chinese: a capitalised Latin word
    opening a Chinese sentence ("Codestral 支援哪些語言?") is capitalised as a name, since
    Chinese has no capitals to begin a sentence with."""
    rest = text[end:].lstrip(" \t-_:,'")
    return bool(rest) and is_cjk(rest[0])


def _names(text: str, ordinary: Callable[[str], bool] = lambda word: False) -> list[str]:
    """Latin words in ``text`` that look like names: a capital letter anywhere but in a
    sentence's first word (``Nvidia``, ``GDPR``, ``iPhone``) or in any place when Chinese
    follows it (``Codestral 支援…``), unless most words are capitalised
    (Title Case). Words of one letter, acronyms of up to :data:`SHORT_ACRONYM` letters (IT,
    API, B2B, CTO: terms more often than names), and words ``ordinary`` says are ordinary
    (lower case given) are not names."""
    words = _LATIN_WORD.findall(text)
    if not words:
        return []
    starts = {m.start(1) for m in _SENTENCE_START.finditer(text)}
    inner = [m.group(0) for m in _LATIN_WORD.finditer(text) if m.start() not in starts]
    capitalised = [w for w in inner if w[0].isupper()]
    if len(capitalised) >= TITLE_CASE_MIN and len(capitalised) >= TITLE_CASE_SHARE * len(inner):
        return []
    names = []
    for match in _LATIN_WORD.finditer(text):
        word = match.group(0)
        if len(word) < 2 or not any(c.isupper() for c in word) or ordinary(word.lower()):
            continue  # "What Makes Mistral Different?", "OPEN SOURCE": ordinary words
        base = word[:-1] if word.endswith("s") and word[:-1].isupper() else word  # APIs
        short = sum(c.isalpha() for c in base) <= SHORT_ACRONYM
        if base.isupper() and short and "-" not in base and "." not in base:
            continue  # IT, API, B2B; but GPT-4 is a name
        if match.start() in starts and word[1:].islower() and not _before_cjk(text, match.end()):
            continue  # "Who are…", "Is Nvidia…": a sentence's first word
        names.append(word)
    return names
