"""``config.yaml``: where the knowledge is, the decision thresholds, the reply-script policy and
the persona strings. Loaded once into a frozen :class:`Config`; every bad value is reported as
``file:line: problem`` (:class:`bot.errors.DataError`)."""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import paths
from bot.errors import DataError
from bot.yamlio import LineMap, load_yaml, reject_unknown_keys

SCRIPTS = ("hant", "hans", "en")
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
    """Decision bands on the 0-100 confidence scale.

    Attributes:
        answer: at or above, answer (unless a rival entry is within ``margin``).
        suggest: at or above (and below ``answer``), offer suggestions; below, fall back.
        margin: log-odds; a rival entry whose log-odds are within this of the best one's,
            and which is not related to it, turns an answer into suggestions (0.7 ≈ the best
            entry must be twice as likely as any unrelated rival).
        max_suggestions: how many "did you mean" choices at most (1-3 fit one keyboard).
    """

    answer: float = 60.0
    suggest: float = 40.0
    margin: float = 0.5
    max_suggestions: int = 3


@dataclass(frozen=True)
class Config:
    """The validated configuration.

    Attributes:
        path: the config file it came from.
        knowledge_dir: directory holding ``entries.yaml``, ``source.yaml``, ``smalltalk.yaml``,
            ``lexicon.yaml`` and the interview text.
        cache_dir: directory the bot owns for jieba's dictionary cache.
        thresholds: decision bands.
        reply_script: "auto" | "hant" | "hans" (see REPLY_SCRIPT_POLICIES).
        persona: name → {"hant"|"hans"|"en": text}.
        telegram: the raw ``telegram:`` mapping, parsed by :mod:`bot.telegram.settings`.
        unanswered: the raw ``unanswered:`` mapping (log path, rotation size, privacy
            switches), parsed by :func:`bot.unanswered.parse_settings`.
        state_dir: folder that relative paths of things the bot writes (the unanswered log)
            are resolved against: the config file's folder, except for the shipped default
            config (:func:`bot.paths.state_dir`: never inside the installed package).
    """

    path: Path
    knowledge_dir: Path
    cache_dir: Path
    thresholds: Thresholds
    reply_script: str
    persona: Mapping[str, Mapping[str, str]]
    telegram: Mapping[str, Any]
    unanswered: Mapping[str, Any]
    state_dir: Path | None = None


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


def _number(section: LineMap, key: str, default: float, low: float, high: float, path: Path):
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataError(path, section.key_line(key), f"{key} must be a number, got {value!r}")
    if not low <= value <= high:
        raise DataError(path, section.key_line(key), f"{key} must be {low}-{high}, got {value}")
    return value


def _mapping(parent: LineMap, key: str, path: Path, required: bool = False) -> LineMap:
    value = parent.get(key)
    if value is None:
        if required:
            raise DataError(path, parent.line, f"missing section {key!r}")
        empty = LineMap()
        empty.line = parent.key_line(key)
        return empty
    if not isinstance(value, LineMap):
        raise DataError(path, parent.key_line(key), f"{key} must be a mapping")
    return value


MATCHING_KEYS = ("answer_threshold", "suggest_threshold", "margin", "max_suggestions")
"""The settings of the ``matching:`` section."""


def _thresholds(root: LineMap, path: Path) -> Thresholds:
    section = _mapping(root, "matching", path)
    reject_unknown_keys(section, MATCHING_KEYS, path, lambda key: f"unknown setting matching.{key}")
    d = Thresholds()
    answer = _number(section, "answer_threshold", d.answer, 0, 100, path)
    suggest = _number(section, "suggest_threshold", d.suggest, 0, 100, path)
    margin = _number(section, "margin", d.margin, 0, 10, path)
    count = _number(section, "max_suggestions", d.max_suggestions, 1, 3, path)
    if suggest > answer:
        raise DataError(
            path,
            section.key_line("suggest_threshold"),
            f"suggest_threshold ({suggest}) must not exceed answer_threshold ({answer})",
        )
    return Thresholds(float(answer), float(suggest), float(margin), int(count))


def _persona(root: LineMap, path: Path) -> dict[str, dict[str, str]]:
    section = _mapping(root, "persona", path, required=True)
    reject_unknown_keys(section, PERSONA_NAMES, path, lambda key: f"unknown persona string {key!r}")
    persona: dict[str, dict[str, str]] = {}
    for name in PERSONA_NAMES:
        texts = section.get(name)
        if not isinstance(texts, LineMap):
            raise DataError(path, section.key_line(name), f"persona.{name} must map hant/hans/en")
        persona[name] = {}
        for script in SCRIPTS:
            text = texts.get(script)
            if not isinstance(text, str) or not text.strip():
                raise DataError(
                    path, texts.key_line(script), f"persona.{name}.{script} must be non-empty text"
                )
            problem = _placeholder_problem(text)
            if problem:
                raise DataError(path, texts.key_line(script), f"persona.{name}.{script}: {problem}")
            persona[name][script] = text.strip()
    return persona


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate ``config.yaml``.

    Args:
        path: the file; None uses :func:`default_config_path`.

    Returns:
        A frozen Config. Relative paths in the file are resolved against the file's directory.

    Raises:
        DataError: missing file, invalid YAML, unknown top-level key, or a bad value
            (names the file, the line and the problem).
    """
    path = Path(path) if path is not None else default_config_path()
    root = load_yaml(path, LineMap, "config")
    known = {
        "knowledge",
        "cache_dir",
        "matching",
        "reply_script",
        "persona",
        "telegram",
        "unanswered",
    }
    for key in root:
        if key not in known:
            raise DataError(path, root.key_line(key), f"unknown setting {key!r}")
    base = path.resolve().parent

    knowledge = root.get("knowledge", "knowledge")
    if not isinstance(knowledge, str) or not knowledge.strip():
        raise DataError(path, root.key_line("knowledge"), "knowledge must be a directory path")
    knowledge_dir = (base / os.path.expanduser(knowledge)).resolve()
    if not knowledge_dir.is_dir():
        raise DataError(
            path, root.key_line("knowledge"), f"knowledge directory not found: {knowledge_dir}"
        )

    cache = root.get("cache_dir")
    if cache is not None and (not isinstance(cache, str) or not cache.strip()):
        raise DataError(path, root.key_line("cache_dir"), "cache_dir must be a path or null")
    cache_dir = base / os.path.expanduser(cache) if cache else paths.cache_dir()

    policy = root.get("reply_script", "auto")
    if policy not in REPLY_SCRIPT_POLICIES:
        raise DataError(
            path,
            root.key_line("reply_script"),
            f"reply_script must be one of {', '.join(REPLY_SCRIPT_POLICIES)}, got {policy!r}",
        )

    return Config(
        path=path,
        knowledge_dir=knowledge_dir,
        cache_dir=cache_dir,
        thresholds=_thresholds(root, path),
        reply_script=policy,
        persona=_persona(root, path),
        telegram=_mapping(root, "telegram", path),
        unanswered=_mapping(root, "unanswered", path),
        state_dir=paths.state_dir() if paths.is_shipped_config(path) else base,
    )
