"""``config.yaml``: where the knowledge is, the decision thresholds, the reply-script policy, the
persona strings, the unanswered log and the channels' sections. Loaded once into a frozen
:class:`Config` by the one reader of :mod:`bot.loading.schema`; every bad value is reported as
``file:line: problem`` (:class:`bot.errors.DataError`).

Each key is declared once, as a field of :class:`Config`, :class:`Thresholds` or
:class:`UnansweredSettings` (the ``telegram:`` section: :class:`bot.channels.telegram.settings.
TelegramSettings`), with its default and a one-line doc; ``tests/test_config_reference.py``
holds ``config.yaml``, ``README.md`` and ``docs/telegram.md`` to those declarations."""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot import paths
from bot.loading.schema import (
    ABSENT,
    Number,
    OneOf,
    Place,
    Section,
    Whole,
    number_text,
    read_section,
    required,
    section,
    setting,
    switch,
)
from bot.loading.yamlio import LineMap, load_yaml
from bot.pipeline.reply import SCRIPTS

PERSONA_NAMES = (
    "greeting",
    "help",
    "about",
    "fallback",
    "suggest_header",
    "none_of_these",
    "non_text",
    "attribution",
    "pick_range",
    "not_said",
    "no_more",
)
"""Persona strings every channel may need; each is given in zh-Hant, zh-Hans and English."""
OPTIONAL_PERSONA: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "not_covered": MappingProxyType(
            {
                "hant": "關於「{parts}」,我在那次訪談裡沒有談到。",
                "hans": "关于「{parts}」,我在那次访谈里没有谈到。",
                "en": 'I didn\'t talk about "{parts}" in the interview.',
            }
        ),
    }
)
"""Persona strings added after the first release, with these texts when a config omits them
(a config written before them stays valid): ``not_covered``, the line under an answer naming
the parts of a multi-part question the interview does not cover."""
REPLY_SCRIPT_POLICIES = ("auto", "hant", "hans")
"""auto: answer in the user's script (Simplified question → Simplified answer, else the
published Traditional text); hant: always the published text; hans: always Simplified."""

ENV_CONFIG = "MENSCH_BOT_CONFIG"
PLACEHOLDERS = frozenset(
    {
        "topics",
        "speaker",
        "role",
        "date",
        "url",
        "title",
        "publisher",
        "interviewers",
        "note",
        "interviewer",
        "count",
        "parts",
    }
)
"""Placeholders persona strings may use, e.g. ``{speaker}``; filled by the engine."""


def _placeholder_problem(text: str) -> str | None:
    """Why ``text`` cannot be formatted with PLACEHOLDERS, or None when it can."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        return f"bad braces ({exc}); write {{{{ and }}}} for literal braces"
    for name in fields:
        if name not in PLACEHOLDERS:
            return f"unknown placeholder {{{name}}}; known: " + ", ".join(sorted(PLACEHOLDERS))
    return None


@dataclass(frozen=True)
class Thresholds:
    """Decision bands on the 0-100 confidence scale (the ``matching:`` section).

    Attributes:
        answer: at or above, answer (unless a rival entry is within ``margin``).
        suggest: at or above (and below ``answer``), offer suggestions; below, fall back.
        margin: log-odds; a rival entry whose log-odds are within this of the best one's,
            and which is not related to it, turns an answer into suggestions (0.7 ≈ the best
            entry must be twice as likely as any unrelated rival).
        max_suggestions: how many "did you mean" choices at most (1-3 fit one keyboard).
    """

    answer: float = setting(
        40.0,
        "0-100 confidence at or above which the bot answers",
        Number(0, 100),
        key="answer_threshold",
    )
    suggest: float = setting(
        25.0,
        "0-100; between this and the answer threshold: suggestions",
        Number(0, 100),
        key="suggest_threshold",
    )
    margin: float = setting(
        0.5,
        "log-odds; an unrelated rival this close turns an answer into suggestions",
        Number(0, 10),
    )
    max_suggestions: int = setting(3, "1-3", Whole(1, 3))

    def checked(self, section: Section) -> None:
        """Raise DataError (at ``suggest_threshold``) when it exceeds ``answer_threshold``."""
        if self.suggest > self.answer:
            raise section.fail(
                "suggest_threshold",
                f"({number_text(self.suggest)}) must not exceed answer_threshold "
                f"({number_text(self.answer)})",
            )


def _log_path(section: Section, key: str, value: Any) -> Path | None:
    """``unanswered.path``: None (log off), else absolute (``~`` expanded; relative to the
    state dir)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise section.fail(key, f"must be a file path or null, got {value!r}")
    path = Path(os.path.expanduser(value.strip()))
    return path if path.is_absolute() else section.place.state_dir / path


@dataclass(frozen=True)
class UnansweredSettings:
    """The ``unanswered:`` section: where and how the unanswered-question log is written
    (:class:`bot.curation.unanswered.UnansweredLog`).

    Attributes:
        path: the JSON Lines file (absolute), or None when the log is off.
        max_bytes: size cap of the live file in bytes before it is rotated (>= 4096).
        backups: how many rotated files to keep (0-100; 0 means the file is simply restarted).
        include_user_ids: write the Telegram user id of the asker (default False).
        include_chat_ids: write the chat id (default False).
    """

    path: Path | None = setting(
        None,
        "the log file (JSON Lines; fallback and suggestion questions of the console and "
        "Telegram, not of ask), relative to the "
        "config's folder, or, in the shipped config, to the state dir (`$STATE_DIRECTORY`, else "
        "`~/.local/state/mensch-bot`); null = off",
        _log_path,
    )
    max_bytes: int = setting(
        5_000_000,
        "rotate when the next record would pass this size (bytes, >= 4096)",
        Whole(4096, 2**40),
    )
    backups: int = setting(3, "rotated files kept: `unanswered.jsonl.1` … (0-100)", Whole(0, 100))
    include_user_ids: bool = setting(False, "privacy: no Telegram user ids unless true", switch)
    include_chat_ids: bool = setting(False, "privacy: no chat ids unless true", switch)

    @property
    def enabled(self) -> bool:
        """True when a log path is set."""
        return self.path is not None


def _knowledge_dir(section: Section, key: str, value: Any) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise section.fail(key, "must be a directory path")
    folder = (section.place.folder / os.path.expanduser(value)).resolve()
    if not folder.is_dir():
        raise section.fail(key, f"directory not found: {folder}")
    return folder


def _cache_dir(section: Section, key: str, value: Any) -> Path:
    if value is None:
        return paths.cache_dir()
    if not isinstance(value, str) or not value.strip():
        raise section.fail(key, "must be a path or null")
    return section.place.folder / os.path.expanduser(value)


def _persona(parent: Section, key: str, value: Any) -> Mapping[str, Mapping[str, str]]:
    """Every name of PERSONA_NAMES, each in every script, placeholders checked; the names of
    OPTIONAL_PERSONA likewise, or their built-in texts when absent."""
    section = parent.sub(key)
    names = (*PERSONA_NAMES, *OPTIONAL_PERSONA)
    section.reject_unknown(names, lambda name: f"unknown persona string {name!r}")
    persona: dict[str, Mapping[str, str]] = {}
    for name in names:
        texts = section.get(name)
        if texts is ABSENT and name in OPTIONAL_PERSONA:
            persona[name] = OPTIONAL_PERSONA[name]
            continue
        if not isinstance(texts, LineMap):
            raise section.fail(name, "must map hant/hans/en")
        scripts = Section(section.place, texts, section.dotted(name))
        persona[name] = MappingProxyType({s: _persona_text(scripts, s) for s in SCRIPTS})
    return MappingProxyType(persona)


def _persona_text(section: Section, script: str) -> str:
    text = section.get(script)
    if not isinstance(text, str) or not text.strip():
        raise section.fail(script, "must be non-empty text")
    problem = _placeholder_problem(text)
    if problem:
        raise section.fail(script, problem)
    return text.strip()


def default_config_path() -> Path:
    """The config used when no ``--config`` is given: ``$MENSCH_BOT_CONFIG``, else the user's
    own (:func:`bot.paths.user_config`, ``~/.config/mensch-bot/config.yaml``) when it exists,
    else the default shipped with the package (:func:`bot.paths.shipped_config`).

    A ``config.yaml`` in the current folder is never picked up: it may belong to anything."""
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env)
    user = paths.user_config()
    if user.is_file():
        return user
    return paths.shipped_config()


def _channel(doc: str) -> Any:
    """A top-level section a channel package declares (core never imports channels): read
    only when :func:`load_config` is given the channel's dataclass, else None."""
    return field(default=None, metadata={"doc": doc, "channel": True})


@dataclass(frozen=True, kw_only=True)
class Config:
    """The validated configuration.

    Attributes:
        path: the config file it came from.
        state_dir: folder that relative paths of things the bot writes (the unanswered log)
            are resolved against: the config file's folder, except for the shipped default
            config (:func:`bot.paths.state_dir`: never inside the installed package).
        knowledge_dir: directory holding ``entries.yaml``, ``source.yaml``, ``smalltalk.yaml``,
            ``lexicon.yaml`` and the interview text.
        cache_dir: directory the bot owns for its caches.
        thresholds: decision bands (``matching:``).
        reply_script: "auto" | "hant" | "hans" (see REPLY_SCRIPT_POLICIES).
        persona: name → {"hant"|"hans"|"en": text}, every name of PERSONA_NAMES and
            OPTIONAL_PERSONA.
        unanswered: the unanswered-question log's settings.
        telegram: the ``telegram:`` section read into the channel's dataclass
            (:class:`bot.channels.telegram.settings.TelegramSettings`) when :func:`load_config` was
            given it (every command loads through :func:`bot.cli.load`, which does); else None.
        lines: dotted key → 1-based line in ``path``, for every key the file gives.
    """

    path: Path
    state_dir: Path
    knowledge_dir: Path = required(
        "knowledge folder, relative to the config file",
        _knowledge_dir,
        key="knowledge",
        raw="knowledge",
    )
    cache_dir: Path = required(
        "folder the bot owns for its caches: jieba's dictionary, the sentence encoder's "
        "weights, the knowledge embeddings (null: `$XDG_CACHE_HOME/mensch-bot`)",
        _cache_dir,
        raw=None,
    )
    thresholds: Thresholds = section(
        Thresholds, "when the bot answers, suggests or falls back", key="matching"
    )
    reply_script: str = setting(
        "auto",
        "`auto` (Simplified question → Simplified answer), `hant` (always as published), `hans`",
        OneOf(REPLY_SCRIPT_POLICIES),
    )
    persona: Mapping[str, Mapping[str, str]] = required(
        ", ".join(PERSONA_NAMES) + " — each in hant, hans, en; placeholders such as "
        "`{topics}`, `{speaker}`, `{url}` are checked at load. Every channel shows the "
        "attribution after exactly one dash (—— in Chinese, — in English), whether or not the "
        "string starts with one. Optional: "
        + ", ".join(OPTIONAL_PERSONA)
        + " (built-in text when absent)",
        _persona,
        doc_key="persona.*",
    )
    unanswered: UnansweredSettings = section(
        UnansweredSettings,
        "log of questions the bot could not answer, for `mensch-bot misses` (see docs/deploy.md)",
    )
    telegram: Any = _channel("Telegram channel settings (see [docs/telegram.md](docs/telegram.md))")
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)


def load_config(
    path: str | Path | None = None, channels: Mapping[str, type] | None = None
) -> Config:
    """Load and validate ``config.yaml``.

    Args:
        path: the file; None uses :func:`default_config_path`.
        channels: section name ("telegram") → the channel's settings dataclass, declared
            with :mod:`bot.loading.schema`; that section is read into it. A channel not given is
            left unread (``Config.<name>`` is None): :func:`bot.cli.load` gives them all.

    Returns:
        A frozen Config. Relative paths in the file are resolved against the file's directory
        (the unanswered log's against ``state_dir``).

    Raises:
        DataError: missing file (named), invalid YAML, unknown key, or a bad value
            (``file:line: problem``).
    """
    path = Path(path) if path is not None else default_config_path()
    document = load_yaml(path, LineMap, "config")
    folder = path.resolve().parent
    place = Place(path, folder, paths.state_dir() if paths.is_shipped_config(path) else folder)
    root = Section.root(place, document)
    config = read_section(Config, root, path=path, state_dir=place.state_dir, lines=place.lines)
    parsed: dict[str, Any] = {
        name: read_section(schema, root.sub(name)) for name, schema in (channels or {}).items()
    }
    return replace(config, **parsed) if parsed else config
