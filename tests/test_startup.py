"""The fast-start paths give the same results as the slow ones, and a cache that is stale, cut
short or corrupt is rebuilt, never trusted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from types import MappingProxyType

import pytest
from conftest import ROOT, run_cli

from bot.errors import DataError
from bot.loading.knowledge import load_knowledge
from bot.loading.yamlio import LineMap, load_yaml
from bot.pipeline.text import normalize
from bot.pipeline.tokens import Tokenizer, _SortedTags, _tagged_words

QUESTIONS = ["開源模型有什麼好處", "歐洲的優勢是什麼", "你在谷歌DeepMind工作了多久", "why oss"]


@pytest.fixture(scope="module")
def lexicon():
    return load_knowledge(ROOT / "knowledge").lexicon


def test_sorted_tag_lookup_equals_the_dictionary_it_was_written_from(tmp_path):
    full = _tagged_words(None)  # built in memory from jieba's dict.txt
    cached = _tagged_words(tmp_path)  # built, then written sorted
    assert isinstance(full, dict) and isinstance(cached, dict)
    reread = _tagged_words(tmp_path)
    assert isinstance(reread, _SortedTags)
    assert len(full) > 200_000
    probes = [*list(full)[::97], "", "a", "不存在的词语", "\uffff", "中国 ns", "上海"]
    assert [reread.get(w) for w in probes] == [full.get(w) for w in probes]


def test_a_tag_file_cut_short_is_rebuilt(tmp_path):
    _tagged_words(tmp_path)
    (path,) = tmp_path.glob("jieba-content-words-sorted-*.txt")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    assert isinstance(_tagged_words(tmp_path), dict)  # rebuilt, not read
    assert path.read_text(encoding="utf-8") == text


def test_a_corrupt_or_stale_jieba_cache_is_rebuilt(lexicon, tmp_path):
    expected = [Tokenizer(lexicon, tmp_path).tokens(normalize(q)) for q in QUESTIONS]
    (cache,) = tmp_path.glob("jieba.u*.cache")
    good = cache.read_bytes()
    cache.write_bytes(good[: len(good) // 3])  # cut short: marshal cannot read it
    assert [Tokenizer(lexicon, tmp_path).tokens(normalize(q)) for q in QUESTIONS] == expected
    assert cache.read_bytes() == good  # jieba rebuilt and rewrote it
    (dictionary,) = tmp_path.glob("jieba-dict-min*.txt")
    os.utime(cache, (1, 1))  # older than the dictionary: stale
    Tokenizer(lexicon, tmp_path)
    assert cache.stat().st_mtime > dictionary.stat().st_mtime


def test_an_unwritable_cache_dir_still_answers(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")  # cache_dir = not-a-folder/mensch-bot: nothing can be written
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.chdir(tmp_path)
    result = run_cli("ask", "--json", QUESTIONS[1])  # an engine of its own: another cache_dir
    assert result.returncode == 0, result.stderr
    assert '"entry": "talent"' in result.stdout


def test_yaml_errors_keep_their_lines_with_the_c_loader(tmp_path):
    cases = {
        "a: 1\nb: [1, 2\nc: 3\n": 3,
        "a: 1\n  b: 2\n": 2,
        "a: 1\na: 2\n": 2,
        "x: 1\ny: 2\nz: [\n": 3,  # the end of the stream is on the last line, not the next
        "k: v\n\tt: 1\n": 2,
    }
    for text, line in cases.items():
        path = tmp_path / "bad.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DataError) as error:
            load_yaml(path, LineMap)
        assert error.value.line == line, (text, str(error.value))
    path.write_text("top:\n  - one\n  - two: 2\n", encoding="utf-8")
    document = load_yaml(path, LineMap)
    assert document.key_line("top") == 1 and document["top"].item_line(1) == 3


def test_jieba_is_imported_without_pkg_resources():
    code = "import sys, bot.pipeline.tokens; print('pkg_resources' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False"


TEXTS = [normalize(t) for t in ("開源模型有什麼好處", "What makes Mistral different?", "私有云")]


def test_the_token_cache_gives_the_words_jieba_gives(lexicon, tmp_path):
    slow = Tokenizer(lexicon, tmp_path)
    expected = [slow.words(t) for t in TEXTS]
    first = Tokenizer(lexicon, tmp_path)
    first.recall()
    assert [first.words(t) for t in TEXTS] == expected  # computed and recorded
    first.store()
    (cache,) = tmp_path.glob("tokens-*.json")
    assert sorted(json.loads(cache.read_text(encoding="utf-8"))) == sorted(TEXTS)
    second = Tokenizer(lexicon, tmp_path)
    second.recall()
    assert second._memo  # read from the file, not recomputed
    assert [second.words(t) for t in TEXTS] == expected
    second.store()
    assert second.words("欧洲的优势") == slow.words("欧洲的优势")
    assert "欧洲的优势" not in second._memo  # a question after the build is never stored


def test_a_lexicon_change_makes_a_new_token_cache_and_a_bad_one_is_ignored(lexicon, tmp_path):
    built = Tokenizer(lexicon, tmp_path)
    built.recall()
    expected = [built.words(t) for t in TEXTS]
    built.store()
    (own,) = tmp_path.glob("tokens-*.json")
    changed = replace(lexicon, synonyms=MappingProxyType({**lexicon.synonyms, "好处": "益处"}))
    other = Tokenizer(changed, tmp_path)
    other.recall()
    assert other.words(TEXTS[0]) != expected[0]  # 好处 → 益处: not read from the old file
    other.store()
    assert len(list(tmp_path.glob("tokens-*.json"))) == 2
    for cache in tmp_path.glob("tokens-*.json"):
        cache.write_text('{"開源": [1, 2', encoding="utf-8")  # cut short
    again = Tokenizer(lexicon, tmp_path)
    again.recall()
    assert [again.words(t) for t in TEXTS] == expected
    again.store()  # rewritten whole
    assert sorted(json.loads(own.read_text(encoding="utf-8"))) == sorted(TEXTS)
