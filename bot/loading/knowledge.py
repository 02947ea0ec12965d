"""The knowledge base: the interview source, curated entries, small talk and the lexicon.

Loaded once from ``knowledge/*.yaml`` into frozen objects and validated with the rules of
``mensch-bot check`` (except "every variant reaches its own entry", which needs the matcher:
see :func:`bot.curation.check.check_variants`). Knowledge is read-only at run time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.errors import DataError
from bot.loading.yamlio import LineList, LineMap, load_yaml, reject_unknown_keys
from bot.pipeline.reply import SCRIPTS

ENTRIES_FILE = "entries.yaml"
SOURCE_FILE = "source.yaml"
SMALLTALK_FILE = "smalltalk.yaml"
LEXICON_FILE = "lexicon.yaml"
MIN_VARIANTS = 10
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
"""Entry ids: lower-case ASCII, at most 32 characters, so "a:<id>" fits Telegram's 64-byte
callback_data with room to spare."""


@dataclass(frozen=True)
class Source:
    """The interview the bot quotes.

    Attributes:
        title, title_en: the article title as published, and the original English title.
        speaker: "Arthur Mensch"; speaker_role: script → role line.
        interviewers: names of the interviewers.
        publisher, date: "McKinsey & Company", publication date (2024-05-11).
        url: the original McKinsey URL (no trailing hashtag).
        text: the full interview text (Traditional Chinese), the source of truth for answers.
        translation_note: script → note that the text is a Chinese translation.
    """

    title: str
    title_en: str
    speaker: str
    speaker_role: MappingProxyType
    interviewers: tuple[str, ...]
    publisher: str
    date: dt.date
    url: str
    text: str
    translation_note: MappingProxyType


@dataclass(frozen=True)
class Entry:
    """One curated Q&A pair.

    Attributes:
        id: stable ASCII id.
        topic: script → short topic label.
        asked_by: interviewer who asked ``question``.
        question: the interviewer's original question (Traditional, verbatim).
        ask: script → the question this entry answers, for buttons and suggestions.
        answer: verbatim interview paragraphs (Traditional).
        keywords: words pointing at this entry (any script).
        related: ids of related entries.
        variants: user-style ways to ask it.
        line: 1-based line of the entry in entries.yaml.
        continues: id of the entry (same interviewer question) whose enumeration this passage
            continues ("我想談兩點。首先…" then the second point here), or None. Answering that
            entry always gives this one too: a passage announcing points is never cut.
    """

    id: str
    topic: MappingProxyType
    asked_by: str
    question: str
    ask: MappingProxyType
    answer: tuple[str, ...]
    keywords: tuple[str, ...]
    related: tuple[str, ...]
    variants: tuple[str, ...]
    line: int = 0
    continues: str | None = None


@dataclass(frozen=True)
class SmallTalk:
    """A persona line for hello / thanks / who are you; never an interview quote.

    Attributes:
        id: stable id; patterns: what users type; reply: script → text ({topics} placeholder).
    """

    id: str
    patterns: tuple[str, ...]
    reply: MappingProxyType


@dataclass(frozen=True)
class Lexicon:
    """Matching vocabulary: jieba words, stopwords, synonyms (form → canonical), generic terms,
    off-topic cues (phrases of questions an interview never answers: how-to, definitions,
    future events) and detail cues."""

    words: tuple[str, ...]
    stopwords: frozenset[str]
    synonyms: MappingProxyType
    generic: frozenset[str]
    offtopic_cues: tuple[str, ...] = ()
    detail_cues: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    """Kind → phrases of questions asking for one specific fact: ``what`` (哪所), ``name``
    (叫什么, what is it called), ``time``
    (多久, when), ``year`` (哪一年), ``quantity`` (多少, how many), ``person`` (是谁, who is),
    ``price`` (多少钱, how much does it cost), ``place`` (在哪里读, where did you study).
    The passage quoted must give that fact (see :mod:`bot.pipeline.scope`)."""
    followup_more: tuple[str, ...] = ()
    """Whole messages asking to go on ("tell me more", 還有呢): see :mod:`bot.pipeline.followup`."""
    followup_why: tuple[str, ...] = ()
    """Whole messages asking why (為什麼?, why?): see :mod:`bot.pipeline.followup`."""
    followup_aspects: tuple[str, ...] = ()
    """Aspects of a subject (优势, 缺点, downside): "那缺點呢?" asks about the last answer's."""
    followup_about: tuple[str, ...] = ()
    """Openings of elliptical questions (那…呢, what about): see :mod:`bot.pipeline.followup`."""
    contrast_cues: tuple[str, ...] = ()
    """Phrases of comparisons (rather than, 相比): a name the interview never mentions may be
    only the point of comparison there (see :mod:`bot.pipeline.scope`)."""
    positive_aspects: tuple[str, ...] = ()
    """Words of a good side (优势, strength); see :data:`negative_aspects`."""
    negative_aspects: tuple[str, ...] = ()
    """Words of a bad side (弱点, weakness). A question about one side is not answered by a
    passage whose keywords name only the other: sentence embeddings put "Europe's strength"
    next to "Europe's weakness" (the matcher's ``opposed`` feature)."""
    opinion_cues: tuple[str, ...] = ()
    """Phrases asking his opinion of something (你怎么看, what do you think of): such a question
    matched on a name he only mentions in passing (Google, Meta) is not answered."""
    passing_names: tuple[str, ...] = ()
    """Names he mentions only in passing (Meta, where his co-founders worked): an opinion
    question matched on them alone is not answered (see :data:`opinion_cues`)."""
    addressee_cues: tuple[str, ...] = ()
    """Words that make a question about him, his company or his reasons (你, 他, your, why):
    there, terms every entry shares (生成式AI, DeepMind) are evidence when the meaning agrees
    (see :func:`bot.pipeline.decide.decide`)."""


@dataclass(frozen=True)
class Knowledge:
    """Everything in ``knowledge/``, validated.

    Attributes:
        directory: where it was read from.
        source: the interview; entries: curated entries in file order; smalltalk; lexicon.
    """

    directory: Path
    source: Source
    entries: tuple[Entry, ...]
    smalltalk: tuple[SmallTalk, ...]
    lexicon: Lexicon


def squeeze(text: str) -> str:
    """Remove all whitespace: the form in which answers are compared with the source."""
    return "".join(text.split())


def _text(node: LineMap, key: str, path: Path, what: str) -> str:
    value = node.get(key)
    if isinstance(value, dt.date | int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise DataError(path, node.key_line(key), f"{what}: {key!r} must be non-empty text")
    return value.strip()


def _scripts(node: LineMap, key: str, path: Path, what: str, need=SCRIPTS) -> MappingProxyType:
    value = node.get(key)
    if not isinstance(value, LineMap):
        raise DataError(path, node.key_line(key), f"{what}: {key!r} must map {'/'.join(need)}")
    for script in value:
        if script not in SCRIPTS:
            raise DataError(path, value.key_line(script), f"{what}: unknown script {script!r}")
    return MappingProxyType({s: _text(value, s, path, f"{what}.{key}") for s in need})


def _text_list(value: Any, path: Path, label: str, line: int) -> tuple[str, ...]:
    """A YAML list of texts (numbers are read as text); anything else is a DataError."""
    if not isinstance(value, LineList):
        raise DataError(path, line, f"{label} must be a list")
    result = []
    for i, item in enumerate(value):
        if isinstance(item, bool):
            raise DataError(
                path, value.item_line(i), f"{label}: {item!r} read as true/false; quote it"
            )
        if isinstance(item, int | float):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            raise DataError(path, value.item_line(i), f"{label}: item must be non-empty text")
        result.append(item.strip())
    return tuple(result)


def _strings(node: LineMap, key: str, path: Path, what: str, required: bool = True):
    value = node.get(key)
    if value is None and not required:
        return ()
    return _text_list(value, path, f"{what}: {key}", node.key_line(key))


def _load_source(directory: Path) -> Source:
    path = directory / SOURCE_FILE
    node = load_yaml(path, LineMap, "source")
    date = node.get("date")
    if not isinstance(date, dt.date):
        raise DataError(path, node.key_line("date"), "date must be a date like 2024-05-11")
    url = _text(node, "url", path, "source")
    if not url.startswith("https://") or "#" in url:
        raise DataError(path, node.key_line("url"), "url must be https:// with no #fragment")
    text_name = _text(node, "text", path, "source")
    text_path = directory / text_name
    try:
        text = text_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, node.key_line("text"), f"cannot read {text_name}: {exc}") from None
    return Source(
        title=_text(node, "title", path, "source"),
        title_en=_text(node, "title_en", path, "source"),
        speaker=_text(node, "speaker", path, "source"),
        speaker_role=_scripts(node, "speaker_role", path, "source"),
        interviewers=_strings(node, "interviewers", path, "source"),
        publisher=_text(node, "publisher", path, "source"),
        date=date,
        url=url,
        text=text,
        translation_note=_scripts(node, "translation_note", path, "source"),
    )


_ENTRY_KEYS = {
    "id",
    "topic",
    "asked_by",
    "question",
    "ask",
    "answer",
    "keywords",
    "related",
    "variants",
    "continues",
}


def _load_entries(directory: Path, source: Source) -> tuple[Entry, ...]:
    path = directory / ENTRIES_FILE
    nodes = load_yaml(path, LineList, "entries")
    if not nodes:
        raise DataError(path, 1, "entries must be a non-empty list")
    source_squeezed = squeeze(source.text)
    entries: list[Entry] = []
    lines: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if not isinstance(node, LineMap):
            raise DataError(path, nodes.item_line(i), "each entry must be a mapping")
        for key in node:
            if key not in _ENTRY_KEYS:
                raise DataError(path, node.key_line(key), f"unknown entry field {key!r}")
        entry_id = _text(node, "id", path, "entry")
        what = f"entry {entry_id}"
        if not ID_PATTERN.match(entry_id):
            raise DataError(
                path, node.key_line("id"), f"{what}: id must match {ID_PATTERN.pattern}"
            )
        if entry_id in lines:
            raise DataError(
                path,
                node.key_line("id"),
                f"duplicate id {entry_id!r} (first on line {lines[entry_id]})",
            )
        lines[entry_id] = node.key_line("id")
        question = _text(node, "question", path, what)
        if squeeze(question) not in source_squeezed:
            raise DataError(path, node.key_line("question"), f"{what}: question not in the source")
        asked_by = _text(node, "asked_by", path, what)
        if asked_by not in source.interviewers:
            raise DataError(path, node.key_line("asked_by"), f"{what}: unknown interviewer")
        answer = _strings(node, "answer", path, what)
        answer_node = node["answer"]
        for j, paragraph in enumerate(answer):
            if squeeze(paragraph) not in source_squeezed:
                raise DataError(
                    path,
                    answer_node.item_line(j),
                    f"{what}: answer paragraph {j + 1} is not verbatim in the source text",
                )
        ask = _scripts(node, "ask", path, what, need=("hant", "en"))
        variants = _strings(node, "variants", path, what)
        if len(variants) < MIN_VARIANTS:
            raise DataError(
                path,
                node.key_line("variants"),
                f"{what}: needs at least {MIN_VARIANTS} variants, has {len(variants)}",
            )
        entries.append(
            Entry(
                id=entry_id,
                topic=_scripts(node, "topic", path, what),
                asked_by=asked_by,
                question=question,
                ask=ask,
                answer=answer,
                keywords=_strings(node, "keywords", path, what, required=False),
                related=_strings(node, "related", path, what, required=False),
                variants=variants,
                line=node.line,
                continues=_text(node, "continues", path, what) if "continues" in node else None,
            )
        )
    by_id = {e.id: e for e in entries}
    for node, entry in zip(nodes, entries, strict=True):
        if entry.continues is not None:
            first = by_id.get(entry.continues)
            if first is None or first is entry or first.question != entry.question:
                raise DataError(
                    path,
                    node.key_line("continues"),
                    f"entry {entry.id}: continues {entry.continues!r}, which is not another "
                    "entry answering the same interviewer question",
                )
        for j, related in enumerate(entry.related):
            if related not in lines or related == entry.id:
                raise DataError(
                    path,
                    node["related"].item_line(j),
                    f"entry {entry.id}: related id {related!r} is not another entry",
                )
    return tuple(entries)


def _load_smalltalk(directory: Path) -> tuple[SmallTalk, ...]:
    path = directory / SMALLTALK_FILE
    nodes = load_yaml(path, LineList, "small talk")
    result = []
    for i, node in enumerate(nodes):
        if not isinstance(node, LineMap):
            raise DataError(path, nodes.item_line(i), "each small-talk item must be a mapping")
        item_id = _text(node, "id", path, "small talk")
        result.append(
            SmallTalk(
                id=item_id,
                patterns=_strings(node, "patterns", path, f"small talk {item_id}"),
                reply=_scripts(node, "reply", path, f"small talk {item_id}"),
            )
        )
    return tuple(result)


def _optional_list(node: LineMap, key: str, path: Path) -> tuple[str, ...]:
    """The lexicon's optional list ``key`` (``()`` when absent): :func:`_text_list` rules."""
    return _text_list(node.get(key, LineList()), path, key, node.key_line(key))


def _grouped_list(node: LineMap, key: str, path: Path) -> tuple[str, ...]:
    """The lexicon's optional ``key``: a list, or a mapping of group names (personal_life,
    company_facts…) to lists, read as the lists one after the other (``()`` when absent).

    Raises:
        DataError: neither a list nor a mapping of lists; a group that is not a list of texts.
    """
    value = node.get(key)
    if not isinstance(value, LineMap):
        return _optional_list(node, key, path)
    cues: list[str] = []
    for group in value:
        cues += _text_list(value[group], path, f"{key}.{group}", value.key_line(group))
    return tuple(cues)


def _load_lexicon(directory: Path) -> Lexicon:
    path = directory / LEXICON_FILE
    node = load_yaml(path, LineMap, "lexicon")
    stop = node.get("stopwords")
    if not isinstance(stop, LineMap):
        raise DataError(path, node.key_line("stopwords"), "stopwords must map zh/en to lists")
    stopwords: set[str] = set()
    for key in stop:
        stopwords.update(_text_list(stop[key], path, f"stopwords.{key}", stop.key_line(key)))
    synonyms_node = node.get("synonyms")
    if not isinstance(synonyms_node, LineMap):
        raise DataError(path, node.key_line("synonyms"), "synonyms must be a mapping")
    synonyms: dict[str, str] = {}
    for canonical in synonyms_node:
        line = synonyms_node.key_line(canonical)
        for form in _text_list(synonyms_node[canonical], path, f"synonyms.{canonical}", line):
            synonyms[form] = str(canonical)
    return Lexicon(
        words=_text_list(node.get("words"), path, "words", node.key_line("words")),
        stopwords=frozenset(stopwords),
        synonyms=MappingProxyType(synonyms),
        generic=frozenset(
            _text_list(node.get("generic"), path, "generic", node.key_line("generic"))
        ),
        offtopic_cues=_grouped_list(node, "offtopic_cues", path),
        detail_cues=_detail_cues(node, path),
        contrast_cues=_optional_list(node, "contrast_cues", path),
        addressee_cues=_optional_list(node, "addressee_cues", path),
        opinion_cues=_optional_list(node, "opinion_cues", path),
        passing_names=_optional_list(node, "passing_names", path),
        positive_aspects=_optional_list(node, "positive_aspects", path),
        negative_aspects=_optional_list(node, "negative_aspects", path),
        followup_more=_optional_list(node, "followup_more", path),
        followup_why=_optional_list(node, "followup_why", path),
        followup_aspects=_optional_list(node, "followup_aspects", path),
        followup_about=_optional_list(node, "followup_about", path),
    )


DETAIL_KINDS = ("what", "name", "time", "year", "quantity", "person", "price", "place")
"""Kinds of detail a question can ask for (keys of the lexicon's ``detail_cues``)."""


def _detail_cues(node: LineMap, path: Path) -> MappingProxyType:
    """The lexicon's ``detail_cues``: a mapping of :data:`DETAIL_KINDS` to phrase lists."""
    cues = node.get("detail_cues", LineMap())
    if not isinstance(cues, LineMap):
        raise DataError(path, node.key_line("detail_cues"), "detail_cues must map kinds to lists")
    reject_unknown_keys(cues, DETAIL_KINDS, path, lambda kind: f"unknown detail_cues kind {kind!r}")
    result = {}
    for kind in cues:
        result[kind] = _text_list(cues[kind], path, f"detail_cues.{kind}", cues.key_line(kind))
    return MappingProxyType(result)


def load_knowledge(directory: str | Path) -> Knowledge:
    """Load and validate the knowledge directory.

    Args:
        directory: holds source.yaml, entries.yaml, smalltalk.yaml, lexicon.yaml and the
            interview text named by source.yaml.

    Returns:
        A frozen Knowledge.

    Raises:
        DataError: the first problem found, as ``file:line: problem`` — missing file, invalid
            YAML, missing or mistyped field, duplicate id, an answer paragraph or question that
            is not verbatim in the interview text, a related id that does not exist, fewer than
            10 variants.
    """
    directory = Path(directory)
    source = _load_source(directory)
    return Knowledge(
        directory=directory,
        source=source,
        entries=_load_entries(directory, source),
        smalltalk=_load_smalltalk(directory),
        lexicon=_load_lexicon(directory),
    )
