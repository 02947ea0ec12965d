"""Shared fixtures: one Engine per test session (building it loads jieba, about 1 s)."""

from __future__ import annotations

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
