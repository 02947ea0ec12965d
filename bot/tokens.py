"""Word tokens for matching: jieba for Chinese, Snowball stems for English, then the lexicon's
synonyms map every form to one canonical term and stopwords are dropped.

Input is text already passed through :func:`bot.text.normalize` (Simplified, lower case,
single spaces). jieba is initialised once, in the constructor, with its cache in a directory
the bot owns (jieba's default, the shared temp dir, breaks for a second OS user).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import warnings
from pathlib import Path

import snowballstemmer

from bot.knowledge import Lexicon
from bot.text import normalize

with warnings.catch_warnings():  # jieba imports pkg_resources, deprecated in setuptools 80+
    warnings.simplefilter("ignore")
    import jieba

_LATIN = re.compile(r"^[a-z0-9]+$")
MIN_WORD_FREQUENCY = 5
"""jieba's dictionary words rarer than this (its own frequency counts) are left out: 137,000 of
349,000 words remain, loading takes ~0.2 s instead of ~0.5 s, and the words dropped are too
rare to matter for questions about this interview (segmentation falls back to jieba's HMM)."""


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
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text("".join(kept), encoding="utf-8")
        os.replace(partial, target)  # atomic: a concurrent start never reads half a file
    return str(target)


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
        if dictionary is not jieba.DEFAULT_DICT:
            self._jieba.tmp_dir = str(cache_dir)
        self._jieba.initialize()
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

    def tokens(self, text: str) -> tuple[str, ...]:
        """Canonical tokens of normalised text, in order, stopwords removed, duplicates kept.

        Args:
            text: output of :func:`bot.text.normalize`.

        Returns:
            Tokens: Simplified Chinese words, English stems (no lone letters), digits;
            canonical synonyms.
        """
        if self._phrase_re is not None:
            text = self._phrase_re.sub(lambda m: f" {self._phrases[m.group(0)]} ", text)
        result = []
        for raw in self._jieba.cut(text, HMM=True):
            raw = raw.strip()
            if not raw or (len(raw) == 1 and raw.isascii() and raw.isalpha()):
                continue  # a lone Latin letter ("<b>" markup, "u r") carries no topic
            token = self.canonical(raw)
            if token:
                result.append(token)
        return tuple(result)
