"""Shared fixtures and the in-process command line.

Building an Engine loads the knowledge, jieba's dictionary and the sentence encoder (about
0.6 s), so the suite builds one per distinct config and knowledge (:data:`ENGINES`): the
``engine`` fixture and every :func:`run_cli` call on unchanged files share it. Tests that
change a copy of the config or the knowledge get an engine of their own.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.loading.config import ENV_CONFIG, Config, load_config
from bot.loading.knowledge import load_knowledge
from bot.pipeline.engine import Engine
from bot.pipeline.semantic import Embedder
from bot.testing.config import write_config

ROOT = Path(__file__).resolve().parent.parent


class EngineCache:
    """Engines by the content of their config file and knowledge folder (and the config's
    path and cache folder, which an engine reports or uses). An Engine is immutable once
    built, so one serves every test that reads the same files. Engines with the same cache
    folder share the sentence encoder, which depends on nothing else (as reloads do)."""

    def __init__(self) -> None:
        self._engines: dict[tuple, Engine] = {}
        self._embedders: dict[Path, Embedder] = {}

    def build(self, config: Config) -> Engine:
        """The engine for ``config``: built once per distinct content, like
        ``Engine.from_config`` (DataError for malformed knowledge)."""
        key = (config.path, config.cache_dir, _digest([config.path]), _folder(config))
        if key not in self._engines:
            embedder = self._embedders.get(config.cache_dir)
            if embedder is None:
                embedder = self._embedders[config.cache_dir] = Embedder(config.cache_dir)
            knowledge = load_knowledge(config.knowledge_dir)
            self._engines[key] = Engine(config, knowledge, embedder=embedder)
        return self._engines[key]


def _folder(config: Config) -> str:
    folder = Path(config.knowledge_dir)
    files = sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
    return f"{folder}:{_digest(files)}"


def _digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


ENGINES = EngineCache()


@dataclass(frozen=True)
class CliResult:
    """What a command returned and wrote, like ``subprocess.CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, stdin: str = "") -> CliResult:
    """Run ``mensch-bot ARGS`` in this process (:func:`bot.cli.main`) with ``stdin`` as its
    input, engines from :data:`ENGINES`; returns the exit status and what it wrote."""
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(args), stdin=io.StringIO(stdin), stdout=out, stderr=err, build_engine=ENGINES.build
    )
    return CliResult(code, out.getvalue(), err.getvalue())


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file at ``path`` by ``new`` (``old`` must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="session", autouse=True)
def quiet_unanswered_log(tmp_path_factory):
    """Commands the tests run use a copy of config.yaml whose unanswered log is off, so the
    suite never writes test questions into the curators' log (var/unanswered.jsonl)."""
    path = write_config(tmp_path_factory.mktemp("config"), unanswered="unanswered: {}")
    previous = os.environ.get(ENV_CONFIG)
    os.environ[ENV_CONFIG] = str(path)
    yield path
    if previous is None:
        os.environ.pop(ENV_CONFIG, None)
    else:
        os.environ[ENV_CONFIG] = previous


@pytest.fixture(scope="session")
def config():
    """The project's own config.yaml."""
    return load_config(ROOT / "config.yaml")


@pytest.fixture(scope="session")
def engine(config):
    """The real answer path on the real knowledge (shared: do not change it)."""
    return ENGINES.build(config)
