"""Word tokens for matching: jieba for Chinese, Snowball stems for English, then the lexicon's
synonyms map every form to one canonical term and stopwords are dropped.

Input is text already passed through :func:`bot.pipeline.text.normalize` (Simplified, lower case,
single spaces). jieba is initialised once, in the constructor, with its cache in a directory
the bot owns (jieba's default, the shared temp dir, breaks for a second OS user).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import marshal
import os
import re
import sys
from hashlib import md5
from pathlib import Path
from typing import Any

import snowballstemmer

from bot.loading.knowledge import Lexicon
from bot.pipeline.text import normalize


def _import_jieba():
    """Import jieba without ``pkg_resources``: jieba's ``_compat`` only uses it to open its own
    data files, and falls back to plain ``open`` when the import fails. Importing it costs
    ~0.1-0.15 s and 7 MiB, and warns (deprecated in setuptools 80+)."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import → ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()

_LATIN = re.compile(r"^[a-z0-9]+$")
MIN_WORD_FREQUENCY = 5
"""jieba's dictionary words rarer than this (its own frequency counts) are left out: 137,000 of
349,000 words remain, loading takes ~0.2 s instead of ~0.5 s, and the words dropped are too
rare to matter for questions about this interview (segmentation falls back to jieba's HMM)."""


_CODE_KEY = b"".join(
    Path(module).read_bytes()
    for module in (__file__, sys.modules[normalize.__module__].__file__)
    if module is not None
)
"""This module's and the text module's source: a change to either makes a new token cache."""


def _lexicon_key(lexicon: Lexicon) -> str:
    """What a tokenizer's output depends on besides the code: jieba's version and the lexicon's
    words, stopwords and synonyms (sorted: the same lexicon gives the same key in any process)."""
    return json.dumps(
        [
            getattr(jieba, "__version__", ""),
            list(lexicon.words),
            sorted(lexicon.stopwords),
            sorted(lexicon.synonyms.items()),
        ],
        ensure_ascii=False,
    )


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``target`` through a temporary file of this process, renamed
    over it: a concurrent start never reads half a file.

    Raises:
        OSError: the file cannot be written.
    """
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target)


def _common_words_dictionary(cache_dir: Path) -> str:
    """Path of jieba's dictionary without its rare words, written once into ``cache_dir``.

    Raises:
        OSError: the file cannot be written.
    """
    target = cache_dir / f"jieba-dict-min{MIN_WORD_FREQUENCY}-{jieba.__version__}.txt"
    if not target.is_file():
        with jieba.get_dict_file() as source:  # jieba's packaged dict.txt, opened binary
            lines = source.read().decode("utf-8").splitlines(keepends=True)
        kept = [line for line in lines if int(line.split(" ", 2)[1]) >= MIN_WORD_FREQUENCY]
        _write_atomically(target, "".join(kept))
    return str(target)


def _load_prefix_cache(tokenizer: Any) -> None:
    """Load a ``jieba.Tokenizer``'s prefix-dictionary cache the way ``initialize`` would, but
    with one ``marshal.loads`` of the whole file (~3x faster than jieba's ``marshal.load`` on
    the open file). Same file, same rule: used only when newer than the dictionary; a missing,
    stale or unreadable cache is left to ``initialize``, which rebuilds and rewrites it."""
    dictionary = tokenizer.dictionary
    name = f"jieba.u{md5(dictionary.encode('utf-8', 'replace')).hexdigest()}.cache"
    cache = os.path.join(tokenizer.tmp_dir, name)
    try:
        if os.path.getmtime(cache) <= os.path.getmtime(dictionary):
            return
        with open(cache, "rb") as file:
            freq, total = marshal.loads(file.read())
        if not isinstance(freq, dict) or not isinstance(total, int):
            return
    except (OSError, EOFError, ValueError, TypeError):
        return
    tokenizer.FREQ, tokenizer.total = freq, total
    tokenizer.initialized = True


PROPER_NOUN_TAGS = frozenset({"ns", "nt", "nrt", "nrfg"})
"""jieba dictionary part-of-speech tags of names: places, organisations, transliterated and full
person names (ICTCLAS tag set). Left out as too noisy: ``nr`` (72,000 words, many ordinary),
``nz`` (上班族, 伺服器) and ``j`` (欧美)."""
NOUN_TAGS = PROPER_NOUN_TAGS | {"n", "nr", "nz", "ng", "vn", "j"}
"""Tags of nouns of any kind (common nouns, person names, verbal nouns)."""
CONTENT_TAGS = NOUN_TAGS | {"v"}
"""Tags of the words a question can ask about: nouns and verbs (出生, 成立)."""


_COMPLETE = "\n#complete\n"
"""Last line of a finished tag file: a file without it (cut short) is rebuilt, never read."""


class _SortedTags:
    """word → tag lookup by binary search over sorted ``"word tag"`` lines held as one string:
    loading is one file read (~5 ms) instead of building a 266,000-entry dict (~0.2 s), and a
    lookup costs a few microseconds."""

    def __init__(self, text: str) -> None:
        self._text = text

    def get(self, word: str) -> str | None:
        text, low, high = self._text, 0, len(self._text)
        while low < high:
            start = text.rfind("\n", 0, (low + high) // 2) + 1  # low is always a line start
            end = text.find("\n", start)
            end = high if end < 0 else end
            found, _, tag = text[start:end].partition(" ")
            if found == word:
                return tag
            if found < word:
                low = end + 1
            else:
                high = start
        return None


def _tagged_words(cache_dir: Path | None) -> _SortedTags | dict[str, str]:
    """word → part-of-speech tag for jieba's dictionary nouns and verbs (:data:`CONTENT_TAGS`)
    of two or more characters: read from jieba's packaged dict.txt (about 0.2 s) and written,
    sorted, into ``cache_dir``, from where later starts read it for a binary search."""
    target = (
        None
        if cache_dir is None
        else cache_dir / f"jieba-content-words-sorted-{jieba.__version__}.txt"
    )
    if target is not None:
        try:
            text = target.read_text(encoding="utf-8")
            if text.endswith(_COMPLETE):
                return _SortedTags(text[: -len(_COMPLETE)])
        except (OSError, UnicodeDecodeError):
            pass
    with jieba.get_dict_file() as source:
        lines = source.read().decode("utf-8").splitlines()
    tags = {}
    for line in lines:
        parts = line.split(" ")
        if len(parts) == 3 and parts[2] in CONTENT_TAGS and len(parts[0]) > 1:
            tags[parts[0]] = parts[2]  # a word listed twice keeps its last tag
    if target is not None:
        try:
            text = "\n".join(f"{word} {tag}" for word, tag in sorted(tags.items()))
            _write_atomically(target, text + _COMPLETE)
        except OSError:
            pass
    return tags


class Tokenizer:
    """Turns normalised text into canonical tokens.

    Args:
        lexicon: jieba words, stopwords and synonyms from ``knowledge/lexicon.yaml``.
        cache_dir: directory for jieba's dictionary cache; created when missing.

    Raises:
        OSError: cache_dir cannot be created (jieba then still works, uncached).
    """

    def __init__(self, lexicon: Lexicon, cache_dir: Path) -> None:
        jieba.setLogLevel(logging.WARNING)
        dictionary = jieba.DEFAULT_DICT
        try:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            dictionary = _common_words_dictionary(Path(cache_dir))
        except OSError as exc:
            logging.getLogger(__name__).warning(
                "jieba cache dir %s not writable (%s): full dictionary, no cache", cache_dir, exc
            )
        self._jieba = jieba.Tokenizer(dictionary)
        self._tags = _tagged_words(None if dictionary is jieba.DEFAULT_DICT else Path(cache_dir))
        if dictionary is not jieba.DEFAULT_DICT:
            self._jieba.tmp_dir = str(cache_dir)
            _load_prefix_cache(self._jieba)
        self._jieba.initialize()  # builds (and caches) the prefix dictionary unless loaded
        key = hashlib.sha256(_lexicon_key(lexicon).encode("utf-8") + _CODE_KEY).hexdigest()[:24]
        self._memo_path = Path(cache_dir) / f"tokens-{key}.json"
        self._memo: dict[str, tuple[tuple[str, str | None], ...]] = {}
        self._recording: set[str] | None = None  # texts looked up since recall()
        self._memo_missed = False
        self._stemmer = snowballstemmer.stemmer("english")
        self._stem = functools.lru_cache(maxsize=4096)(self._stemmer.stemWord)
        self._stopwords = {normalize(w) for w in lexicon.stopwords}
        self._stopwords |= {self._stem(w) for w in self._stopwords if _LATIN.match(w)}
        self._single: dict[str, str] = {}
        phrases: dict[str, str] = {}
        for form, canonical in lexicon.synonyms.items():
            form, canonical = normalize(form), normalize(canonical)
            if not form or not canonical:
                continue
            if " " in form:
                phrases[form] = canonical
            else:
                self._single[form] = canonical
                if _LATIN.match(form):
                    self._single.setdefault(self._stem(form), canonical)
        for word in {*lexicon.words, *self._single, *self._single.values(), *phrases.values()}:
            word = normalize(word)
            if word and not _LATIN.match(word) and " " not in word:
                self._jieba.add_word(word, freq=200_000)
        ordered = sorted(phrases, key=len, reverse=True)
        self._phrases = phrases
        self._phrase_re = (
            re.compile(
                "|".join(
                    rf"(?<![a-z0-9]){re.escape(p)}(?![a-z0-9])" if p[0].isascii() else re.escape(p)
                    for p in ordered
                )
            )
            if ordered
            else None
        )

    def canonical(self, token: str) -> str | None:
        """Map one raw token to its canonical term, or None for a stopword."""
        if token in self._stopwords:
            return None
        mapped = self._single.get(token)
        if mapped is None and _LATIN.match(token):
            stem = self._stem(token)
            if stem in self._stopwords:
                return None
            mapped = self._single.get(stem, stem)
        mapped = mapped or token
        return None if mapped in self._stopwords else mapped

    def stem(self, word: str) -> str:
        """The Snowball (English) stem of a lower-case Latin word: "providers" → "provid"."""
        return self._stem(word)

    def synonym(self, word: str) -> str | None:
        """The canonical term ``word`` (normalised) stands for, stopwords included ("us" → 美国);
        None when the lexicon lists no synonym for it or its English stem."""
        found = self._single.get(word)
        if found is None and _LATIN.match(word):
            found = self._single.get(self._stem(word))
        return found

    def tag(self, word: str) -> str | None:
        """jieba's dictionary part-of-speech tag of a noun or verb (see :data:`CONTENT_TAGS`), or
        None for any other word, one-character words and words outside jieba's dictionary."""
        return self._tags.get(word)

    def recall(self) -> None:
        """Start building on the knowledge: the words of texts a build with the same lexicon,
        code and jieba version tokenised are read from ``cache_dir/tokens-<key>.json`` (a few
        ms instead of ~0.4 s for 2,000 variants); every text looked up until :meth:`store` is
        recorded. A missing or unreadable file only costs time."""
        try:
            stored = json.loads(self._memo_path.read_text(encoding="utf-8"))
            self._memo = {t: tuple((w, c) for w, c in pairs) for t, pairs in stored.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            self._memo = {}
        self._recording = set()
        self._memo_missed = False

    def store(self) -> None:
        """End of the build (see :meth:`recall`): when a text was not in the file, write the
        words of every text looked up since (atomically), then stop recording: questions asked
        later are never stored. A cache dir that cannot be written is logged, not raised."""
        used, self._recording = self._recording, None
        if used is None or not self._memo_missed:
            return
        try:
            stored = {t: self._memo[t] for t in sorted(used)}
            _write_atomically(self._memo_path, json.dumps(stored, ensure_ascii=False))
        except OSError as exc:
            logging.getLogger(__name__).warning(
                "token cache %s not written (%s)", self._memo_path, exc
            )

    def words(self, text: str) -> list[tuple[str, str | None]]:
        """(raw word, canonical token or None for a stopword) for normalised text, in order:
        the pairs behind :meth:`tokens`, so a caller can see which word a token came from."""
        if self._recording is not None:
            self._recording.add(text)
            known = self._memo.get(text)
            if known is not None:
                return list(known)
            self._memo_missed = True
            found = self._words(text)
            self._memo[text] = tuple(found)
            return found
        return self._words(text)

    def _words(self, text: str) -> list[tuple[str, str | None]]:
        if self._phrase_re is not None:
            text = self._phrase_re.sub(lambda m: f" {self._phrases[m.group(0)]} ", text)
        result = []
        for raw in self._jieba.cut(text, HMM=True):
            raw = raw.strip()
            if not raw or (len(raw) == 1 and raw.isascii() and raw.isalpha()):
                continue  # a lone Latin letter ("<b>" markup, "u r") carries no topic
            result.append((raw, self.canonical(raw)))
        return result

    def tokens(self, text: str) -> tuple[str, ...]:
        """Canonical tokens of normalised text, in order, stopwords removed, duplicates kept.

        Args:
            text: output of :func:`bot.pipeline.text.normalize`.

        Returns:
            Tokens: Simplified Chinese words, English stems (no lone letters), digits;
            canonical synonyms.
        """
        return tuple(token for _raw, token in self.words(text) if token)
