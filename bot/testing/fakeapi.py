"""A fake Telegram Bot API server for tests, speaking the real wire protocol.

It listens on 127.0.0.1 at an ephemeral port and answers ``POST /bot<token>/<method>`` with
form-urlencoded (or JSON) bodies, complex values JSON-encoded, exactly as python-telegram-bot
sends them. Answers are ``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": N,
"description": …, "parameters": {…}}`` with HTTP status N, as Telegram's.

Every request is checked against ``bot_api_methods.json`` beside this module (derived from
the Bot API 10.0 specification by ``tests/telegram/make_fixture.py``): an unknown method or
parameter, a missing required parameter or a value of the wrong type is recorded in
:attr:`FakeBotAPI.violations`, which the tests' fixtures assert empty. Bot API limits are
enforced as Telegram does (text 1-4096 characters after entity parsing, callback_data 1-64
bytes, at most 50 inline results with ids of 1-64 bytes, callback answer text 0-200
characters, HTML parse errors).

Faults are injected per method (:meth:`FakeBotAPI.fail`, :meth:`FakeBotAPI.delay`,
:meth:`FakeBotAPI.hold`), per
chat (:meth:`FakeBotAPI.block`, :meth:`FakeBotAPI.migrate`, :meth:`FakeBotAPI.delete`), or
by a function consulted for every request without a queued fault
(:attr:`FakeBotAPI.chaos`: ``(method, params) -> Fault | None``; the soak test's random
faults). A :class:`Fault` with code :data:`HANG_UP` closes the connection unanswered.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

FIXTURE = Path(__file__).parent / "bot_api_methods.json"
SPEC: dict[str, dict[str, dict]] = {
    k: v for k, v in json.loads(FIXTURE.read_text(encoding="utf-8")).items() if k != "_version"
}

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmnopq"
BOT_ID = 123456789
BOT_USERNAME = "MenschTestBot"

_ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:=\"[^\"]*\"|='[^']*')?)*)\s*>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}")


HANG_UP = -1
"""A :class:`Fault` code: close the connection without answering (the request is not
carried out), as a dropped connection or a proxy timeout looks to the bot."""
HOLD_LIMIT = 30.0
"""Longest a held answer (:meth:`FakeBotAPI.hold`) waits for its gate, in seconds."""


class ApiError(Exception):
    """An error answer: HTTP status = ``code``."""

    def __init__(self, code: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The visible text of Telegram-HTML ``text``; raises ApiError 400 as Telegram does."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "<":
            m = _TAG.match(text, i)
            offset = len(text[:i].encode())
            if not m:
                raise ApiError(
                    400,
                    f"Bad Request: can't parse entities: Unexpected character at byte offset "
                    f"{offset}",
                )
            closing, name = m.group(1), m.group(2).lower()
            if name not in _ALLOWED_TAGS:
                raise ApiError(
                    400,
                    f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at '
                    f"byte offset {offset}",
                )
            if closing:
                if not stack or stack[-1] != name:
                    raise ApiError(
                        400,
                        f"Bad Request: can't parse entities: Unmatched end tag at byte offset "
                        f'{offset}, expected "</{stack[-1] if stack else ""}>", found "</{name}>"',
                    )
                stack.pop()
            else:
                if name == "a" and 'href="' not in m.group(3):
                    raise ApiError(400, "Bad Request: can't parse entities: a without href")
                stack.append(name)
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, i)
            if not m:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Character '&' is reserved at byte "
                    f"offset {len(text[:i].encode())}",
                )
            out.append(html.unescape(m.group(0)))
            i = m.end()
        elif ch == ">":
            raise ApiError(400, "Bad Request: can't parse entities: Character '>' is reserved")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise ApiError(
            400, f"Bad Request: can't parse entities: Can't find end tag for \"{stack[-1]}\""
        )
    return "".join(out)


def entities_for(text: str) -> list[dict]:
    """The entities a Telegram client attaches: a leading bot_command and @mentions,
    offsets and lengths in UTF-16 code units."""
    found = []
    m = _COMMAND.match(text)
    if m:
        found.append(("bot_command", m.start(), m.end()))
    for m in _MENTION.finditer(text):
        found.append(("mention", m.start(), m.end()))
    return [
        {"type": t, "offset": utf16_len(text[:a]), "length": utf16_len(text[a:b])}
        for t, a, b in sorted(found, key=lambda x: x[1])
    ]


@dataclass
class Fault:
    """One injected fault: an error answer, a delay, or a hold until ``gate`` is set, for
    ``times`` calls of a method."""

    code: int = 0
    description: str = ""
    parameters: dict | None = None
    delay: float = 0.0
    times: int = 1
    chat_id: int | None = None
    gate: threading.Event | None = None


@dataclass
class Chat:
    id: int
    type: str
    title: str | None = None
    is_forum: bool = False
    migrated_to: int | None = None
    blocked: bool = False
    messages: dict[int, dict] = field(default_factory=dict)
    next_id: itertools.count = field(default_factory=lambda: itertools.count(1))

    def as_dict(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            data["first_name"] = f"User{self.id}"
        else:
            data["title"] = self.title or f"Group {self.id}"
        if self.is_forum:
            data["is_forum"] = True
        return data


class FakeBotAPI:
    """The fake server. Use as a context manager, or call :meth:`start` / :meth:`stop`.

    Attributes:
        requests: every call as ``(method, params)`` in arrival order (params decoded).
        bodies: method → the content types its request bodies came in.
        violations: protocol problems (unknown method or parameter, missing required one,
            wrong type, wrong token, unimplemented method); tests assert it stays empty.
        sent: messages the bot sent or edited, as ``(method, params, result_or_error)``.
    """

    def __init__(self, *, token: str = TOKEN, read_all_group_messages: bool = False) -> None:
        self.token = token
        self.read_all = read_all_group_messages
        self.lock = threading.Condition()
        self.requests: list[tuple[str, dict]] = []
        self.bodies: dict[str, set[str]] = {}
        self.violations: list[str] = []
        self.sent: list[tuple[str, dict, Any]] = []
        self.updates: list[dict] = []
        self.unfiltered: set[int] = set()
        self.confirmed = 0
        self.allowed_updates: list[str] | None = None
        self.chats: dict[int, Chat] = {}
        self.faults: dict[str, deque[Fault]] = {}
        self.callback_queries: dict[str, dict] = {}
        self.inline_queries: dict[str, dict] = {}
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.webhook: dict | None = None
        self.chaos: Callable[[str, dict], Fault | None] | None = None
        self.closing = False
        self._ids = itertools.count(1)
        self.server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeBotAPI:
        """Listen on 127.0.0.1 at an ephemeral port, in a daemon thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else Nagle + delayed ACK cost 40 ms per answer

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, payload = fake.handle(self.path, self.headers.get("Content-Type", ""), body)
                if status == HANG_UP:  # an injected fault: no answer at all
                    self.close_connection = True
                    return
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(ConnectionError):  # the client hung up (shutdown)
                    self.wfile.write(data)

            do_GET = do_POST  # noqa: N815

            def handle(self) -> None:
                with contextlib.suppress(ConnectionError):  # the bot hung up at shutdown
                    super().handle()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        with self.lock:
            self.closing = True
            self.lock.notify_all()
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The server address for TELEGRAM_BASE_URL (``http://127.0.0.1:PORT``)."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    # ------------------------------------------------------------------ wire protocol
    def handle(self, path: str, content_type: str, body: bytes) -> tuple[int, dict]:
        """Answer one HTTP request: (status, JSON payload)."""
        m = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path.split("?")[0])
        if not m:
            self._violation(f"bad path {path!r}")
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = m.groups()
        if token != self.token:
            self._violation("request with a wrong token")
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        try:
            params = self._decode(content_type, body)
        except ValueError as exc:
            self._violation(f"{method}: undecodable body: {exc}")
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request"}
        if method in SPEC:
            params = _coerce(SPEC[method], params)
        with self.lock:
            self.requests.append((method, params))
            if body:
                self.bodies.setdefault(method, set()).add(content_type.split(";")[0])
        if method not in SPEC:
            self._violation(f"unknown method {method}")
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        problems = self._check(method, params)
        if problems:
            for p in problems:
                self._violation(f"{method}: {p}")
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: " + problems[0],
            }
        fault = self._take_fault(method, params)
        if fault is None and self.chaos is not None:
            fault = self.chaos(method, params)
        if fault and fault.code == HANG_UP:
            return HANG_UP, {}
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.gate is not None and not fault.gate.wait(HOLD_LIMIT):
            self._violation(f"{method}: held past {HOLD_LIMIT} s; was the gate never opened?")
        try:
            if fault and fault.code:
                raise ApiError(fault.code, fault.description, fault.parameters)
            impl = getattr(self, "api_" + method, None)
            if impl is None:
                self._violation(f"{method}: not implemented by the fake")
                raise ApiError(501, "Not Implemented")
            result = impl(params)
        except ApiError as exc:
            payload = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                payload["parameters"] = exc.parameters
            if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
                with self.lock:
                    self.sent.append((method, params, exc))
                    self.lock.notify_all()
            return exc.code, payload
        return 200, {"ok": True, "result": result}

    def _decode(self, content_type: str, body: bytes) -> dict:
        if not body:
            return {}
        if content_type.startswith("application/json"):
            return json.loads(body)
        if content_type.startswith("application/x-www-form-urlencoded"):
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        raise ValueError(f"unsupported content type {content_type!r}")

    def _check(self, method: str, params: dict) -> list[str]:
        spec = SPEC[method]
        problems = [f"unknown parameter {p!r}" for p in params if p not in spec]
        problems += [
            f"missing required parameter {p!r}"
            for p, facts in spec.items()
            if facts["required"] and p not in params
        ]
        for p, value in params.items():
            if p in spec and not any(_type_ok(t, value) for t in spec[p]["types"]):
                problems.append(f"parameter {p!r}: {value!r} is not {spec[p]['types']}")
        return problems

    def _violation(self, text: str) -> None:
        with self.lock:
            self.violations.append(text)

    def _take_fault(self, method: str, params: dict) -> Fault | None:
        with self.lock:
            queue = self.faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            if fault.chat_id is not None and _int(params.get("chat_id")) != fault.chat_id:
                return None
            fault.times -= 1
            if fault.times <= 0:
                queue.popleft()
            return fault

    # ------------------------------------------------------------------ fault injection
    def fail(
        self,
        method: str,
        code: int,
        description: str,
        *,
        parameters: dict | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (optionally only to ``chat_id``)
        with an error."""
        with self.lock:
            self.faults.setdefault(method, deque()).append(
                Fault(code, description, parameters, times=times, chat_id=chat_id)
            )

    def delay(
        self, method: str, seconds: float, *, times: int = 1, chat_id: int | None = None
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (optionally only to ``chat_id``)
        after ``seconds``."""
        with self.lock:
            self.faults.setdefault(method, deque()).append(
                Fault(delay=seconds, times=times, chat_id=chat_id)
            )

    def hold(self, method: str, *, times: int = 1, chat_id: int | None = None) -> threading.Event:
        """Hold the answers to the next ``times`` calls of ``method`` (optionally only to
        ``chat_id``) until the returned event is set: a slow answer whose length the test
        decides (at most :data:`HOLD_LIMIT` seconds)."""
        gate = threading.Event()
        with self.lock:
            self.faults.setdefault(method, deque()).append(
                Fault(times=times, chat_id=chat_id, gate=gate)
            )
        return gate

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sends to ``chat_id`` answer 403."""
        self.chat(chat_id).blocked = True

    def migrate(self, chat_id: int, new_id: int) -> None:
        """The group became supergroup ``new_id``: sends to the old id answer 400 with
        ``migrate_to_chat_id``."""
        old = self.chat(chat_id)
        new = self.chat(new_id, "supergroup", title=old.title)
        old.migrated_to = new.id

    def delete(self, chat_id: int, message_id: int) -> None:
        """Delete a message (a later reply to it fails without allow_sending_without_reply)."""
        with self.lock:
            self.chats[chat_id].messages.pop(message_id, None)

    # ------------------------------------------------------------------ the world
    def chat(self, chat_id: int, type_: str | None = None, **kwargs: Any) -> Chat:
        """The chat ``chat_id``, created on first use (private for positive ids)."""
        with self.lock:
            if chat_id not in self.chats:
                type_ = type_ or ("private" if chat_id > 0 else "group")
                self.chats[chat_id] = Chat(chat_id, type_, **kwargs)
            return self.chats[chat_id]

    def user(self, user_id: int, **extra: Any) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", **extra}

    def bot_user(self) -> dict:
        return {"id": BOT_ID, "is_bot": True, "first_name": "Mensch", "username": BOT_USERNAME}

    def push(self, kind: str, payload: dict, *, unfiltered: bool = False) -> int:
        """Queue an update of ``kind`` ("message", "callback_query", …); returns its id.

        ``unfiltered``: deliver it whatever ``allowed_updates`` says, as Telegram does for
        updates created before ``allowed_updates`` changed (and as a lagging self-hosted
        server may)."""
        with self.lock:
            update_id = len(self.updates) + 1
            if unfiltered:
                self.unfiltered.add(update_id)
            self.updates.append({"update_id": update_id, kind: payload})
            self.lock.notify_all()
            return update_id

    def new_message(
        self,
        chat_id: int,
        user_id: int | None = None,
        text: str | None = None,
        *,
        caption: str | None = None,
        entities: list[dict] | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
        sender: dict | None = None,
        sender_chat: dict | None = None,
        extra: dict | None = None,
        kind: str = "message",
        store: bool = True,
    ) -> dict:
        """Build (and store) a user's message as Telegram would deliver it. Entities for
        a leading command and @mentions are computed unless given."""
        chat = self.chat(chat_id)
        with self.lock:
            message_id = next(chat.next_id)
        msg: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat.as_dict(),
        }
        if sender is not None:
            msg["from"] = sender
        elif user_id is not None:
            msg["from"] = self.user(user_id, language_code="zh-hant")
        if sender_chat is not None:
            msg["sender_chat"] = sender_chat
        if text is not None:
            msg["text"] = text
            ents = entities if entities is not None else entities_for(text)
            if ents:
                msg["entities"] = ents
        if caption is not None:
            msg["caption"] = caption
            ents = entities if entities is not None else entities_for(caption)
            if ents:
                msg["caption_entities"] = ents
        if thread_id is not None:
            msg["message_thread_id"] = thread_id
            msg["is_topic_message"] = True
            if reply_to is None:
                reply_to = thread_id
        if reply_to is not None:
            with self.lock:
                msg["reply_to_message"] = dict(chat.messages[reply_to])
        msg.update(extra or {})
        if store:
            with self.lock:
                chat.messages[message_id] = msg
        return msg

    def send_user_message(
        self, chat_id: int, user_id: int | None, text: str | None = None, **kwargs: Any
    ) -> dict:
        """A user writes ``text`` in ``chat_id``: store it and queue the update."""
        msg = self.new_message(chat_id, user_id, text, **kwargs)
        self.push(kwargs.get("kind", "message"), msg)
        return msg

    def create_topic(self, chat_id: int, user_id: int, name: str = "Topic") -> int:
        """Create a forum topic (the root service message); returns its thread id."""
        chat = self.chat(chat_id, "supergroup", is_forum=True)
        chat.is_forum = True
        msg = self.new_message(
            chat_id, user_id, extra={"forum_topic_created": {"name": name, "icon_color": 7322096}}
        )
        msg["message_thread_id"] = msg["message_id"]
        msg["is_topic_message"] = True
        return msg["message_id"]

    def press(
        self, chat_id: int, message_id: int, data: str, user_id: int, stale: bool = False
    ) -> str:
        """A user presses the button carrying ``data`` under a bot message; returns the
        callback query id. Fails the test if no such button exists, unless ``stale`` (a
        client still showing an older keyboard)."""
        with self.lock:
            message = self.chats[chat_id].messages[message_id]
        buttons = [
            b["callback_data"]
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        ]
        assert stale or data in buttons, f"no button {data!r} on message {message_id}: {buttons}"
        query_id = str(next(self._ids) + 10_000)
        query = {
            "id": query_id,
            "from": self.user(user_id, language_code="en"),
            "message": message,
            "chat_instance": str(chat_id),
            "data": data,
        }
        with self.lock:
            self.callback_queries[query_id] = {"answered": 0}
        self.push("callback_query", query)
        return query_id

    def inline(self, user_id: int, query: str, language_code: str = "en") -> str:
        """A user types ``@Bot query``; returns the inline query id."""
        query_id = str(next(self._ids) + 50_000)
        with self.lock:
            self.inline_queries[query_id] = {"answered": 0}
        self.push(
            "inline_query",
            {
                "id": query_id,
                "from": self.user(user_id, language_code=language_code),
                "query": query,
                "offset": "",
            },
        )
        return query_id

    # ------------------------------------------------------------------ observations
    def wait_for(self, predicate, timeout: float = 10.0, what: str = "condition") -> Any:
        """Poll ``predicate()`` (under the lock) until it returns a truthy value or
        ``timeout`` seconds pass (then AssertionError)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
                self.lock.wait(min(remaining, 0.05))

    def messages_to(self, chat_id: int) -> list[dict]:
        """Messages the bot sent successfully to ``chat_id`` (sendMessage results)."""
        return [
            r
            for m, p, r in self.sent
            if m == "sendMessage" and isinstance(r, dict) and r["chat"]["id"] == chat_id
        ]

    def calls(self, method: str) -> list[dict]:
        return [p for m, p in self.requests if m == method]

    # ------------------------------------------------------------------ methods
    def api_getMe(self, params: dict) -> dict:  # noqa: N802
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": self.read_all,
            "supports_inline_queries": True,
        }

    def api_deleteWebhook(self, params: dict) -> bool:  # noqa: N802
        self.webhook = None
        return True

    def api_setWebhook(self, params: dict) -> bool:  # noqa: N802
        self.webhook = params
        return True

    def api_getWebhookInfo(self, params: dict) -> dict:  # noqa: N802
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    def api_logOut(self, params: dict) -> bool:  # noqa: N802
        return True

    def api_close(self, params: dict) -> bool:
        return True

    def api_getUpdates(self, params: dict) -> list[dict]:  # noqa: N802
        offset = _int(params.get("offset")) or 0
        limit = _int(params.get("limit")) or 100
        timeout = float(params.get("timeout") or 0)
        if self.webhook:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"] or None
        deadline = time.monotonic() + min(timeout, 60)
        with self.lock:
            if offset > self.confirmed:
                self.confirmed = offset - 1
            while True:
                ready = [
                    u
                    for u in self.updates
                    if u["update_id"] > self.confirmed
                    and (
                        self.allowed_updates is None
                        or _kind(u) in self.allowed_updates
                        or u["update_id"] in self.unfiltered
                    )
                ]
                if ready or self.closing:
                    return ready[:limit]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self.lock.wait(min(remaining, 0.5))

    def _target(self, params: dict) -> Chat:
        chat_id = _int(params["chat_id"])
        with self.lock:
            chat = self.chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _text(self, params: dict, key: str = "text") -> str:
        text = params[key]
        visible = parse_html(text) if params.get("parse_mode") == "HTML" else text
        if params.get("parse_mode") not in (None, "HTML", "MarkdownV2", "Markdown"):
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(visible) > 4096 or utf16_len(visible) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return visible

    def _markup(self, params: dict) -> dict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def api_sendMessage(self, params: dict) -> dict:  # noqa: N802
        chat = self._target(params)
        visible = self._text(params)
        markup = self._markup(params)
        thread = _int(params.get("message_thread_id"))
        if thread is not None and (not chat.is_forum or thread not in chat.messages):
            raise ApiError(400, "Bad Request: message thread not found")
        reply = params.get("reply_parameters")
        with self.lock:
            if reply is not None and reply.get("message_id") not in chat.messages:
                if not reply.get("allow_sending_without_reply"):
                    raise ApiError(400, "Bad Request: message to be replied not found")
                reply = None
            message_id = next(chat.next_id)
            msg: dict[str, Any] = {
                "message_id": message_id,
                "from": self.bot_user(),
                "date": int(time.time()),
                "chat": chat.as_dict(),
                "text": visible,
            }
            if markup:
                msg["reply_markup"] = markup
            if thread is not None:
                msg["message_thread_id"] = thread
                msg["is_topic_message"] = True
            if reply is not None:
                msg["reply_to_message"] = dict(chat.messages[reply["message_id"]])
                msg["reply_to_message"].pop("reply_to_message", None)
            chat.messages[message_id] = msg
            self.sent.append(("sendMessage", params, msg))
            self.lock.notify_all()
            return msg

    def _editable(self, params: dict) -> dict:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: inline messages are not used by these tests")
        chat = self._target(params)
        with self.lock:
            message_id = _int(params.get("message_id"))
            msg = chat.messages.get(message_id) if message_id is not None else None
        if msg is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if msg.get("from", {}).get("id") != BOT_ID:
            raise ApiError(400, "Bad Request: message can't be edited")
        return msg

    def api_editMessageText(self, params: dict) -> dict:  # noqa: N802
        msg = self._editable(params)
        visible = self._text(params)
        markup = self._markup(params)
        with self.lock:
            if msg["text"] == visible and msg.get("reply_markup") == markup:
                raise ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and "
                    "reply markup are exactly the same as a current content and reply markup "
                    "of the message",
                )
            msg["text"] = visible
            if markup:
                msg["reply_markup"] = markup
            else:
                msg.pop("reply_markup", None)
            self.sent.append(("editMessageText", params, dict(msg)))
            self.lock.notify_all()
            return msg

    def api_editMessageReplyMarkup(self, params: dict) -> dict:  # noqa: N802
        msg = self._editable(params)
        markup = self._markup(params)
        with self.lock:
            if msg.get("reply_markup") == markup:
                raise ApiError(400, "Bad Request: message is not modified")
            msg["reply_markup"] = markup
            self.sent.append(("editMessageReplyMarkup", params, dict(msg)))
            self.lock.notify_all()
            return msg

    def api_answerCallbackQuery(self, params: dict) -> bool:  # noqa: N802
        text = params.get("text") or ""
        if len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self.lock:
            query = self.callback_queries.get(params["callback_query_id"])
            if query is None or query["answered"]:
                raise ApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID "
                    "is invalid",
                )
            query["answered"] += 1
            query["text"] = text
            self.lock.notify_all()
        return True

    def api_answerInlineQuery(self, params: dict) -> bool:  # noqa: N802
        results = params["results"]
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if any(not 1 <= len(i.encode()) <= 64 for i in ids) or len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for r in results:
            content = r.get("input_message_content") or {}
            if r.get("type") != "article" or not r.get("title") or "message_text" not in content:
                raise ApiError(400, "Bad Request: RESULT_INVALID")
            self._text(content, "message_text")
        with self.lock:
            query = self.inline_queries.get(params["inline_query_id"])
            if query is None or query["answered"]:
                raise ApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired "
                    "or query ID is invalid",
                )
            query["answered"] += 1
            query["results"] = results
            query["params"] = params
            self.lock.notify_all()
        return True

    def api_setMyCommands(self, params: dict) -> bool:  # noqa: N802
        commands = params["commands"]
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = (params.get("scope") or {"type": "default"})["type"]
        with self.lock:
            self.commands[(scope, params.get("language_code", ""))] = commands
        return True

    def api_getMyCommands(self, params: dict) -> list[dict]:  # noqa: N802
        scope = (params.get("scope") or {"type": "default"})["type"]
        return self.commands.get((scope, params.get("language_code", "")), [])

    def api_sendChatAction(self, params: dict) -> bool:  # noqa: N802
        self._target(params)
        return True


def _coerce(spec: dict, params: dict) -> dict:
    """Decode form values by their spec types: strings stay strings; Boolean, Float, arrays
    and objects arrive JSON-encoded (as PTB and Telegram's other clients send them)."""
    out = {}
    for key, value in params.items():
        types = spec.get(key, {}).get("types", ["String"])
        if isinstance(value, str) and "String" not in types and types != ["Integer"]:
            with contextlib.suppress(ValueError):  # else _check reports the wrong type
                value = json.loads(value)
        out[key] = value
    return out


def _int(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _kind(update: dict) -> str:
    return next(k for k in update if k != "update_id")


def _type_ok(type_name: str, value: Any) -> bool:
    """Whether a decoded value fits a spec type name."""
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "Integer":
        return _int(value) is not None and not isinstance(value, bool | float)
    if type_name == "Float":
        try:
            float(value)
            return not isinstance(value, bool)
        except (TypeError, ValueError):
            return False
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name.startswith("Array of"):
        return isinstance(value, list)
    if type_name == "InputFile":
        return isinstance(value, str)
    return isinstance(value, dict)
