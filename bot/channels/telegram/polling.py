"""Long polling that never wedges on an update the library cannot parse.

python-telegram-bot's ``Bot.get_updates`` parses the whole ``getUpdates`` batch at once
(``Update.de_list``): one update it cannot parse (a ``from`` without ``is_bot``, a poll from
an older Bot API without ``members_only``, a 2020 sticker without ``is_video``/``type``…)
raises, the offset never advances, and the same batch is fetched again at once, forever,
while every valid update in it waits. :class:`TolerantBot` parses the batch update by update
instead: an unparseable one is skipped, logged once at WARNING (update id, top-level type,
error; never the payload, which holds user data) and acknowledged, so the next
``getUpdates`` offset passes it.

Webhook mode does not go through ``get_updates``: python-telegram-bot's webhook server
answers an unparseable update with 400 and carries on, which is already the right thing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.ext import ExtBot
from telegram.request import BaseRequest

from bot.measure import shorten

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 160
"""The logged error text is cut to this many characters (it may quote a field value)."""


def update_kind(data: object) -> str:
    """The top-level type of a raw update (``"message"``, ``"poll"``…): its first key other
    than ``update_id``; ``"?"`` when there is none or ``data`` is not a JSON object."""
    if not isinstance(data, dict):
        return "?"
    return next((str(k) for k in data if k != "update_id"), "?")


def parse_updates(raw: Sequence[object], bot: Any) -> tuple[list[Update], list[int]]:
    """Parse a ``getUpdates`` result one update at a time.

    Args:
        raw: the JSON ``result`` array, one dict per update.
        bot: the bot the updates are bound to (``Update.de_json``'s ``bot``).

    Returns:
        (parsed updates in order, update ids of the skipped ones). A skipped update is logged
        once at WARNING with its id, its top-level type and the error, never its content. An
        element without an integer ``update_id`` is skipped too (its id cannot be
        acknowledged, and is not listed).
    """
    updates: list[Update] = []
    skipped: list[int] = []
    for data in raw:
        update_id = data.get("update_id") if isinstance(data, dict) else None
        try:
            if not isinstance(data, dict):
                raise TypeError(f"an update must be an object, got {type(data).__name__}")
            update = Update.de_json(data, bot)
            if update is None:
                raise ValueError("empty update")
        except Exception as exc:  # noqa: BLE001 - whatever the library raises, skip it
            error = shorten(f"{type(exc).__name__}: {exc}", MAX_ERROR_CHARS)
            log.warning(
                "update %s (%s) skipped: python-telegram-bot cannot parse it: %s",
                update_id,
                update_kind(data),
                error,
            )
            if isinstance(update_id, int) and not isinstance(update_id, bool):
                skipped.append(update_id)
            continue
        updates.append(update)
    return updates, skipped


class TolerantBot(ExtBot):
    """:class:`telegram.ext.ExtBot` whose :meth:`get_updates` survives unparseable updates.

    Args:
        token: the bot token.
        get_updates_request: the request object used for ``getUpdates`` (required here: its
            ``read_timeout`` is the base the long-poll wait is added to).
        **kwargs: everything else :class:`telegram.ext.ExtBot` takes (``base_url``,
            ``defaults``, ``rate_limiter``, ``request``…); behaviour is ExtBot's own.
    """

    __slots__ = ("_poll_request",)

    def __init__(self, token: str, *, get_updates_request: BaseRequest, **kwargs: Any) -> None:
        super().__init__(token, get_updates_request=get_updates_request, **kwargs)
        self._poll_request = get_updates_request

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int | dt.timedelta | None = None,
        allowed_updates: Sequence[str] | None = None,
        **request_kwargs: Any,
    ) -> tuple[Update, ...]:
        """``getUpdates``, parsed update by update (see :func:`parse_updates`).

        Args:
            offset, limit, allowed_updates: as :meth:`telegram.Bot.get_updates`.
            timeout: the long-poll wait, seconds (int) or timedelta; None: no wait.
            **request_kwargs: ``read_timeout``, ``write_timeout``, ``connect_timeout``,
                ``pool_timeout`` (seconds), ``api_kwargs``, as the library's method takes
                them. The read timeout (default: the ``getUpdates`` request's own) is
                extended by ``timeout``, as the library does.

        Returns:
            The parsed updates in order. When the batch ends with skipped updates, an empty
            ``Update(update_id=<last skipped id>)`` ends the tuple: the Updater confirms
            ``last update_id + 1`` as the next offset, so the bad update is acknowledged and
            never fetched again. Handlers see no content in it and ignore it.

        Raises:
            telegram.error.TelegramError: as :meth:`telegram.Bot.get_updates` (network,
                conflict, …); never a parse error.
        """
        data: dict[str, Any] = {
            "timeout": timeout,
            "offset": offset,
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        if "read_timeout" in request_kwargs:
            base = request_kwargs.pop("read_timeout") or 0
        else:
            base = self._poll_request.read_timeout or 0
        wait = timeout.total_seconds() if isinstance(timeout, dt.timedelta) else (timeout or 0)
        result = await self._post("getUpdates", data, read_timeout=base + wait, **request_kwargs)
        updates, skipped = parse_updates(result or [], self)
        last_good = updates[-1].update_id if updates else None
        if skipped and (last_good is None or skipped[-1] > last_good):
            updates.append(Update(update_id=skipped[-1]))
        for update in updates:
            self.insert_callback_data(update)
        return tuple(updates)
