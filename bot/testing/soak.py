"""Soak run: the real ``mensch-bot run`` subprocess against the fake Bot API under a stream of
mixed updates with random faults, and the checks that every addressed update was answered
exactly once and nothing else was.

Used by ``tests/telegram/test_telegram_soak.py`` (1,500 updates) and ``benchmarks/soak.py``
(20,000). The mix: private questions, group messages addressed to the bot (``/ask@Bot``,
``@Bot`` first or last) and not (plain, ``@OtherBot``, ``/ask@OtherBot``), inline queries and
button presses, with hostile texts among the questions (10,000 characters, zero-width and
right-to-left characters, HTML/Markdown metacharacters, emoji only).

Faults: a ``fault_rate`` share of the bot's sends (sendMessage, editMessageText,
answerCallbackQuery, answerInlineQuery), chosen at random, get one fault each, spread evenly
over: 429 with ``retry_after`` 1 s, 500, a hang-up without answer (what a timeout looks like
to the bot: the request was not carried out), a slow answer (0.2-1 s), and, for sendMessage
only, 403 (the user blocked the bot). A retry of a faulted send is not faulted again, so the
outcome does not depend on luck.

What counts as answered: a reply message that Telegram accepted, or one it refused with 403.
A 403 is the user's own doing (blocked or kicked bot): the bot made its one attempt, logs it
and drops the reply; retrying could never succeed. So an addressed message is answered
exactly once when exactly one of the bot's sendMessage calls for it ended in success or 403
(429, 500 and hang-ups are transient: the bot must retry them).

The run is in four quarters; after each, the driver waits until everything addressed so far
is answered and reads the bot's resident memory (``VmRSS`` in /proc/<pid>/status).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.pipeline.text import tells_script
from bot.testing.botprocess import BotProcess, bot_config
from bot.testing.fakeapi import BOT_USERNAME, HANG_UP, FakeBotAPI, Fault, parse_html

BOT = BOT_USERNAME
SOAK_SECTION = """\
telegram:
  poll_timeout: 5
  reload_interval: 0
  concurrent_updates: 8
  flood: {private: 100000, group: 100000, window: 60}
  rate_limit: {overall_per_second: 0, group_per_minute: 0, max_retries: 3}
"""
QUESTIONS = [
    "為什麼要開源?", "why open source?", "歐洲", "Mistral 和 歐洲", "語言", "工作",
    "你的背景是什麼", "Europe?", "今天天氣如何", "hello", "價值",
    "未來三到五年工作會怎麼變", "what sets Mistral apart?", "私有雲", "开源模型有什么价值",
    "how did you start Mistral", "歐洲的弱點是什麼", "人類的角色",
]  # fmt: skip
HOSTILE = [
    "為什麼要開源?" + "問" * 10_000,  # 10,000+ characters
    "\u200b\u200c開\u200d源\ufeff\u2060",  # zero-width characters
    "\u200fلماذا المصدر المفتوح؟\u202e Mistral \u202c",  # right-to-left
    "<b>開源</b> & *為什麼* _x_ [a](b) `c` </i> &amp; <script>",  # HTML/Markdown
    "🤖🔥🇪🇺👍🏽",  # emoji only
]
TEXTS = QUESTIONS + HOSTILE
SCRIPT_OPENERS = ("开源模型有什么价值", "為什麼要開源?", "why open source?")
"""A question in each script: what a text that tells no script is calibrated after."""


PRIVATE_USERS = range(20_000, 20_200)
PRESS_USERS = range(22_000, 22_040)
GROUPS = range(-30_000, -30_040, -1)
SEED = "為什麼要開源?"  # its answer carries related-question buttons to press
FAULTED = ("sendMessage", "editMessageText", "answerCallbackQuery", "answerInlineQuery")


class Chaos:
    """The fake's fault function: faults ``rate`` of the faultable requests, each distinct
    request (method, chat, text or query id) at most once. ``counts`` tallies by kind."""

    def __init__(self, rate: float, seed: int) -> None:
        self.rate, self.rng = rate, random.Random(seed)
        self.enabled = False
        self.counts: Counter[str] = Counter()
        self._seen: set[tuple] = set()
        self._lock = threading.Lock()

    def __call__(self, method: str, params: dict) -> Fault | None:
        if not self.enabled or method not in FAULTED:
            return None
        key = (method, params.get("chat_id"), params.get("message_id"), params.get("text"),
               params.get("callback_query_id"), params.get("inline_query_id"))  # fmt: skip
        with self._lock:
            if key in self._seen or self.rng.random() >= self.rate:
                return None
            self._seen.add(key)
            kinds = ["429", "500", "hang-up", "slow"] + (["403"] if method == "sendMessage" else [])
            kind = self.rng.choice(kinds)
            self.counts[kind] += 1
            slow = self.rng.uniform(0.2, 1.0)
        return {
            "429": Fault(429, "Too Many Requests: retry after 1", {"retry_after": 1}),
            "500": Fault(500, "Internal Server Error"),
            "hang-up": Fault(HANG_UP),
            "slow": Fault(delay=slow),
            "403": Fault(403, "Forbidden: bot was blocked by the user"),
        }[kind]


@dataclass
class SoakResult:
    """Figures and findings of one run.

    Attributes:
        updates: updates sent (sentinels and button seeds included).
        seconds: wall time from the first update to the last answer.
        answered: addressed updates answered (message, inline answer or button answer).
        faults: injected faults by kind.
        rss_kb: the bot's VmRSS (KiB) at the end of each quarter.
        problems: every violation found (empty when the run is clean).
        exit_code: the bot's exit status after SIGTERM.
    """

    updates: int = 0
    seconds: float = 0.0
    answered: int = 0
    faults: Counter = field(default_factory=Counter)
    rss_kb: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    exit_code: int | None = None

    @property
    def rss_growth(self) -> float:
        """RSS growth from the end of the first quarter to the end of the run (0.05 = 5%)."""
        return self.rss_kb[-1] / self.rss_kb[0] - 1


def rss_kb(pid: int) -> int:
    """Resident memory of process ``pid`` in KiB (``VmRSS`` of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def visible(params: dict) -> str:
    """The text a sendMessage call shows (HTML parsed as Telegram does)."""
    text = params["text"]
    return parse_html(text) if params.get("parse_mode") == "HTML" else text


def _terminal(result: object) -> bool:
    """Success or 403: the bot's attempt for that reply is over."""
    return isinstance(result, dict) or getattr(result, "code", None) == 403


class Soak:
    """One soak run; :meth:`run` returns a :class:`SoakResult`."""

    def __init__(self, count: int, tmp_path: Path, fault_rate: float = 0.05, seed: int = 7):
        self.count, self.tmp, self.rng = count, tmp_path, random.Random(seed)
        self.chaos = Chaos(fault_rate, seed)
        # question → the visible texts its reply may have: one, or for a text that does not
        # tell its script (emoji only), one per script of the conversation it comes in
        self.expected: dict[str, set[str]] = {}
        self.private: dict[int, list[str]] = {u: [] for u in PRIVATE_USERS}
        self.addressed: dict[int, set[int]] = {g: set() for g in GROUPS}
        self.unaddressed: dict[int, set[int]] = {g: set() for g in GROUPS}
        self.inline: list[str] = []
        self.presses: list[str] = []
        self.pressed: dict[int, set[str]] = {u: set() for u in PRESS_USERS}
        self.seeds: dict[int, dict] = {}
        self.due = 0  # terminal sendMessage outcomes expected so far
        self._seen_sent, self._done = 0, 0

    # ----------------------------------------------------------------- driving
    def run(self) -> SoakResult:
        result = SoakResult()
        with FakeBotAPI() as fake:
            fake.chaos = self.chaos
            self.fake = fake
            config = bot_config(self.tmp, SOAK_SECTION)
            bot = BotProcess(fake, self.tmp, "--log-level", "WARNING", config=config)
            try:
                bot.wait_started(fake)
                self._calibrate()
                self._seed_buttons()
                self.chaos.enabled = True
                start, sent = time.perf_counter(), 0
                for quarter in range(4):
                    n = self.count * (quarter + 1) // 4 - self.count * quarter // 4
                    for _ in range(n):
                        self._one_update()
                    sent += n
                    if quarter == 3:
                        for g in GROUPS:  # addressed last: nothing unaddressed can follow
                            self._group(g, addressed=True)
                    self._wait_answered(bot, timeout=60 + n / 5)
                    result.rss_kb.append(rss_kb(bot.proc.pid))
                result.seconds = time.perf_counter() - start
            finally:
                result.exit_code, output = bot.stop()
            result.updates = len(fake.updates)
            result.faults = self.chaos.counts
            result.problems = self._check(fake, output)
            result.answered = self._answered(fake)
        return result

    def _one_update(self) -> None:
        roll = self.rng.random()
        if roll < 0.40:
            user = self.rng.choice(PRIVATE_USERS)
            self._private(user, self.rng.choice(TEXTS))
        elif roll < 0.55:
            self._group(self.rng.choice(GROUPS), addressed=True)
        elif roll < 0.75:
            self._group(self.rng.choice(GROUPS), addressed=False)
        elif roll < 0.90:
            text = self.rng.choice(TEXTS + [""])
            self.inline.append(self.fake.inline(self.rng.choice(PRIVATE_USERS), text[:256]))
        else:
            user = self.rng.choice(PRESS_USERS)
            seed = self.seeds[user]
            data = self.rng.choice(
                [b["callback_data"] for row in seed["reply_markup"]["inline_keyboard"] for b in row]
            )
            if data not in self.pressed[user]:
                self.pressed[user].add(data)
                self.due += 1
            self.presses.append(self.fake.press(user, seed["message_id"], data, user))

    def _private(self, user: int, text: str) -> None:
        self.private[user].append(text)
        self.due += 1
        self.fake.send_user_message(user, user, text)

    def _group(self, g: int, addressed: bool) -> None:
        q = self.rng.choice(TEXTS)
        if addressed:
            text = self.rng.choice([f"/ask@{BOT} {q}", f"@{BOT} {q}", f"{q} @{BOT}"])
            self.due += 1
        else:
            text = self.rng.choice([q, f"@OtherBot {q}", f"/ask@OtherBot {q}", "just chatting"])
        mid = self.fake.send_user_message(g, 7, text)["message_id"]
        (self.addressed if addressed else self.unaddressed)[g].add(mid)

    def _calibrate(self) -> None:
        """Each text once, each in a private chat of its own (no conversation to go on
        from), no faults: the reply each must get (and that it is one message). None of the
        texts is a follow-up ("what about…", "tell me more"), so in the soak's chats, whatever
        came before, each gets the same reply."""
        chat = 29_999
        for text in TEXTS:
            # a text that tells no script is answered in the conversation's: calibrate it
            # after a question in each script too
            openers = [None] if tells_script(text) else [None, *SCRIPT_OPENERS]
            for opener in openers:
                if opener is not None:
                    self._reply_to(chat, opener)
                self.expected.setdefault(text, set()).add(self._reply_to(chat, text))
                chat -= 1
        self._seen_sent = len(self.fake.sent)

    def _reply_to(self, chat: int, text: str) -> str:
        """Send ``text`` in ``chat`` and return the visible text of its one reply."""
        have = len(self.fake.messages_to(chat))
        self.fake.send_user_message(chat, chat, text)
        self.fake.send_user_message(chat, chat, "/help")  # sentinel: one message

        def done():
            got = self.fake.messages_to(chat)[have:]
            return got if got and f"/ask@{BOT}" in got[-1]["text"] else None

        got = self.fake.wait_for(done, 60, "calibration")
        if len(got) != 2:
            raise AssertionError(f"{text[:30]!r} gets {len(got) - 1} messages, not 1")
        return got[0]["text"]

    def _seed_buttons(self) -> None:
        for user in PRESS_USERS:
            self.fake.send_user_message(user, user, SEED)
        for user in PRESS_USERS:
            [seed] = self.fake.wait_for(lambda u=user: self.fake.messages_to(u), 60, "seed")
            self.seeds[user] = seed
            self.due += 1

    def _wait_answered(self, bot: BotProcess, timeout: float) -> None:
        fake = self.fake

        def caught_up() -> bool:
            if bot.proc.poll() is not None:
                raise AssertionError(f"the bot exited:\n{bot.output()[-3000:]}")
            for method, _, outcome in fake.sent[self._seen_sent :]:
                self._done += method == "sendMessage" and _terminal(outcome)
            self._seen_sent = len(fake.sent)
            return (
                self._done >= self.due
                and all(fake.inline_queries[q]["answered"] for q in self.inline)
                and all(fake.callback_queries[q]["answered"] for q in self.presses)
            )

        fake.wait_for(caught_up, timeout, f"{self.due} replies")

    # ----------------------------------------------------------------- checking
    def _outcomes(self, fake: FakeBotAPI) -> dict[int, list[tuple[dict, object]]]:
        """Terminal sendMessage outcomes per chat, in order: (params, result or error)."""
        per_chat: dict[int, list] = {}
        for method, params, outcome in fake.sent:
            if method == "sendMessage" and _terminal(outcome):
                per_chat.setdefault(int(params["chat_id"]), []).append((params, outcome))
        return per_chat

    def _check(self, fake: FakeBotAPI, output: str) -> list[str]:
        problems = [f"protocol: {v}" for v in fake.violations[:5]]
        outcomes = self._outcomes(fake)
        for user, texts in self.private.items():
            got = [visible(p) for p, _ in outcomes.get(user, [])]
            want = [self.expected[t] for t in texts]
            if len(got) != len(want) or any(g not in w for g, w in zip(got, want, strict=False)):
                problems.append(f"private chat {user}: {len(got)} replies for {len(want)} "
                                f"questions, or in the wrong order or wording")  # fmt: skip
        for g in GROUPS:
            replied = Counter(
                (p.get("reply_parameters") or {}).get("message_id") for p, _ in outcomes.get(g, [])
            )
            for mid in self.addressed[g]:
                if replied[mid] != 1:
                    problems.append(f"group {g}: message {mid} answered {replied[mid]} times")
            extra = set(replied) - self.addressed[g]
            if extra:
                problems.append(f"group {g}: replies to unaddressed or unknown messages {extra}")
        for user in PRESS_USERS:
            n = len(outcomes.get(user, []))
            if n != 1 + len(self.pressed[user]):
                problems.append(f"press chat {user}: {n} messages, want "
                                f"{1 + len(self.pressed[user])}")  # fmt: skip
        for q in self.inline:
            if fake.inline_queries[q]["answered"] != 1:
                problems.append(f"inline query {q} answered {fake.inline_queries[q]['answered']}")
        for q in self.presses:
            if fake.callback_queries[q]["answered"] != 1:
                problems.append(f"button press {q} answered {fake.callback_queries[q]['answered']}")
        for line in output.splitlines():
            if " ERROR " in line or "Traceback" in line:
                problems.append(f"log: {line[:200]}")
        return problems

    def _answered(self, fake: FakeBotAPI) -> int:
        """Addressed updates answered: private and group questions (reply sent or refused
        with 403), inline queries and button presses."""
        outcomes = self._outcomes(fake)
        chats = [*PRIVATE_USERS, *GROUPS]
        messages = sum(len(outcomes.get(c, [])) for c in chats)
        inline = sum(1 for q in self.inline if fake.inline_queries[q]["answered"])
        presses = sum(1 for q in self.presses if fake.callback_queries[q]["answered"])
        return messages + inline + presses
