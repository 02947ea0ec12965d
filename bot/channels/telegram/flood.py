"""Per-chat flood guard: nobody can make the bot flood a chat, whatever they send."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class FloodGuard:
    """A sliding-window budget of replies per chat.

    Args:
        private: replies allowed per window in a private chat.
        group: replies allowed per window in a group, supergroup or channel.
        window: the window length in seconds.
        clock: a monotonic clock in seconds (injectable for tests).

    :meth:`allow` answers whether one more reply may go to a chat now, and records it.
    Over budget the bot stays silent in that chat until the window slides on.
    """

    def __init__(
        self,
        private: int,
        group: int,
        window: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.private, self.group, self.window, self.clock = private, group, window, clock
        self._sent: dict[int, deque[float]] = {}

    def allow(self, chat_id: int, chat_type: str) -> bool:
        """True (and counted) if ``chat_id`` has budget left; ``chat_type`` is Telegram's
        ``Chat.type`` ("private", "group", "supergroup", "channel")."""
        now = self.clock()
        limit = self.private if chat_type == "private" else self.group
        stamps = self._sent.setdefault(chat_id, deque())
        while stamps and now - stamps[0] >= self.window:
            stamps.popleft()
        if len(stamps) >= limit:
            return False
        stamps.append(now)
        if len(self._sent) > 50_000:  # forget idle chats so memory stays bounded
            self._sent = {k: v for k, v in self._sent.items() if v and now - v[-1] < self.window}
        return True
