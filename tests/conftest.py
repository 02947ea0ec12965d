"""Shared fixtures: one Engine per test session (building it loads jieba, about 1 s)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ENV_CONFIG, load_config
from bot.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


def write_config(directory: Path, **sections: str) -> Path:
    """Write the project's config.yaml into ``directory`` with an absolute knowledge path and
    the named top-level sections replaced, e.g. ``unanswered="unanswered: {}"`` (the text
    includes the key). Returns the new file's path."""
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^knowledge:.*$", f"knowledge: {ROOT / 'knowledge'}", text)
    for name, body in sections.items():
        block = re.compile(rf"(?ms)^{name}:.*?(?=^[^\s#]|\Z)")  # the key and its lines
        text, count = block.subn(lambda _, body=body: body.rstrip("\n") + "\n", text)
        assert count == 1, f"config.yaml has no top-level {name}: section"
    path = directory / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


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
    """The real answer path on the real knowledge."""
    return Engine.from_config(config)


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """Run ``python -m bot ARGS`` from the project root; text in and out, 120 s at most."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
