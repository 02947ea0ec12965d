"""Shared fixtures: one Engine per test session (building it loads jieba, about 1 s)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import load_config
from bot.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


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
