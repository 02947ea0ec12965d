"""Fixtures for the Telegram channel's tests."""

from __future__ import annotations

import pytest
from fakeapi import FakeBotAPI
from harness import InProcessBot


@pytest.fixture
def fake():
    """A running fake Bot API server; the test fails if any request broke the protocol."""
    with FakeBotAPI() as server:
        yield server
        assert server.violations == [], server.violations


@pytest.fixture
def inproc(fake):
    """An :class:`InProcessBot` with the :class:`FakeEngine`."""
    with InProcessBot(fake) as bot:
        yield bot
