"""Tokens: jieba with the common-words dictionary in the bot's own cache, synonyms, stopwords."""

import logging

import pytest
from conftest import ROOT

from bot.loading.knowledge import load_knowledge
from bot.pipeline.text import normalize
from bot.pipeline.tokens import MIN_WORD_FREQUENCY, Tokenizer


@pytest.fixture(scope="module")
def lexicon():
    return load_knowledge(ROOT / "knowledge").lexicon


def test_dictionary_and_cache_live_in_the_bots_cache_dir(lexicon, tmp_path):
    Tokenizer(lexicon, tmp_path / "cache")
    names = sorted(p.name for p in (tmp_path / "cache").iterdir())
    dictionary = [n for n in names if n.startswith(f"jieba-dict-min{MIN_WORD_FREQUENCY}-")]
    assert len(dictionary) == 1
    assert any(n.startswith("jieba.u") and n.endswith(".cache") for n in names)
    lines = (tmp_path / "cache" / dictionary[0]).read_text(encoding="utf-8").splitlines()
    assert 100_000 < len(lines) < 349_046
    assert all(int(line.split(" ")[1]) >= MIN_WORD_FREQUENCY for line in lines[:1000])
    assert not [n for n in names if n.endswith(".tmp")]


def test_unwritable_cache_dir_falls_back_to_jiebas_own_dictionary(lexicon, tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with caplog.at_level(logging.WARNING):
        tokenizer = Tokenizer(lexicon, blocker / "cache")
    assert "not writable" in caplog.text
    assert "".join(tokenizer.tokens(normalize("開源模型有什麼好處"))) == "开源模型好处"


def test_synonyms_stopwords_and_stems(lexicon, tmp_path):
    tokenizer = Tokenizer(lexicon, tmp_path)
    assert tokenizer.tokens(normalize("Can I deploy on-premise?")) == ("部署", "本地部署")
    assert tokenizer.tokens(normalize("開原模型")) == ("开源", "模型")
    assert tokenizer.tokens(normalize("What are the models?")) == ("模型",)
    assert tokenizer.tokens(normalize("你们咋这么快")) == ("速度",)
    assert tokenizer.tokens(normalize("<b>x</b> u r")) == ()
