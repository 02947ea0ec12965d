"""Small talk: hello, thanks, who are you. Answered with persona lines, never quotes.

A message is small talk when, without how users address him ("thanks so much arthur", "你好
Mensch 先生"), its whole text closely resembles a pattern of ``knowledge/smalltalk.yaml``.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from bot.loading.knowledge import Knowledge, SmallTalk
from bot.pipeline.text import compact, normalize

SMALLTALK_RATIO = 86
"""A message is small talk when its whole cleaned text is at least this similar (rapidfuzz
ratio, 0-100) to a small-talk pattern."""
SMALLTALK_MAX_CHARS = 24
"""Messages longer than this (characters, after clean-up) are never small talk."""
_ADDRESS = re.compile(r"\b(?:arthur|mensch|mr)\b|阿瑟|亚瑟|先生")
"""How users address him: not part of the small talk itself."""


class SmallTalkMatcher:
    """Recognises small talk.

    Args:
        knowledge: its small-talk items (patterns in any script, replies per script).
    """

    def __init__(self, knowledge: Knowledge) -> None:
        self._items = [
            (item, [compact(normalize(p)) for p in item.patterns]) for item in knowledge.smalltalk
        ]

    def match(self, simplified: str) -> SmallTalk | None:
        """The small-talk item a message is, or None.

        Args:
            simplified: the message after :func:`bot.pipeline.text.normalize`.
        """
        text = compact(_ADDRESS.sub(" ", simplified).strip())
        if not text or len(text) > SMALLTALK_MAX_CHARS:
            return None
        best, best_ratio = None, 0.0
        for item, patterns in self._items:
            for pattern in patterns:
                ratio = fuzz.ratio(text, pattern)
                if ratio > best_ratio:
                    best, best_ratio = item, ratio
        return best if best_ratio >= SMALLTALK_RATIO else None
