"""``mensch-bot misses``: what users asked that the bot could not answer, for curators.

Reads the unanswered-question log (:mod:`bot.curation.unanswered`, rotated files included), groups
near-duplicate questions, and lists the groups most frequent first, each with the entry that
comes closest today — so a curator sees which variants or entries to add next::

    mensch-bot misses --since 2024-06-01
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bot.curation.unanswered_reader import read_records
from bot.errors import EXIT_DATA_ERROR, DataError
from bot.loading.config import Config
from bot.measure import shorten
from bot.pipeline.text import normalize

GROUP_RATIO = 90
"""Two questions whose normalised forms have a rapidfuzz ratio of at least this (0-100) are
counted as one group."""
SHOWN_CHARS = 80
"""Questions are shown cut to this many characters."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Group:
    """Near-duplicate questions counted together.

    Attributes:
        key: the normalised form of the first (most frequent) question; "" for questions with
            no words at all (emoji, punctuation).
        forms: question text as logged → how many times.
        kinds: "fallback" / "suggest" → how many times.
        logged_top: entry id → how often it was the logged best entry.
        last: time of the latest record.
    """

    key: str
    forms: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    logged_top: Counter = field(default_factory=Counter)
    last: dt.datetime | None = None

    @property
    def count(self) -> int:
        """How many records the group holds."""
        return sum(self.forms.values())

    def ranked_forms(self) -> list[tuple[str, int]]:
        """(form, count) pairs, most frequent first, then in code-point order."""
        return sorted(self.forms.items(), key=lambda item: (-item[1], item[0]))

    @property
    def example(self) -> str:
        """The most frequent form (the first in code-point order among equals)."""
        return self.ranked_forms()[0][0]


def group_records(records: list[dict[str, Any]]) -> list[Group]:
    """Group records by near-duplicate question.

    Questions are normalised with :func:`bot.pipeline.text.normalize` (case, width, punctuation,
    emoji, Traditional → Simplified); identical forms are counted together, then each distinct form,
    most frequent first, joins the first group whose key has a rapidfuzz ratio of at least
    :data:`GROUP_RATIO`, or starts a new group.

    Args:
        records: as returned in ``read_records(...).records``.

    Returns:
        Groups sorted by count (most frequent first), then by latest time (most recent
        first), then by key.
    """
    by_form: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_form.setdefault(normalize(record["question"]), []).append(record)
    forms = sorted(by_form.items(), key=lambda item: (-len(item[1]), item[0]))
    groups: list[Group] = []
    keys: list[str] = []
    for form, items in forms:
        match = None
        if form and keys:
            match = process.extractOne(form, keys, scorer=fuzz.ratio, score_cutoff=GROUP_RATIO)
        if match is None and form in keys:  # only "" can get here
            match = (form, 100, keys.index(form))
        if match is None:
            groups.append(Group(key=form))
            keys.append(form)
            group = groups[-1]
        else:
            group = groups[match[2]]
        for record in items:
            group.forms[" ".join(record["question"].split())] += 1
            group.kinds[str(record.get("kind", "?"))] += 1
            top = record.get("top") or []
            if top:
                group.logged_top[top[0]["entry"]] += 1
            if group.last is None or record["_time"] > group.last:
                group.last = record["_time"]
    far_past = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    groups.sort(key=lambda g: (-g.count, -(g.last or far_past).timestamp(), g.key))
    return groups


def _shown(text: str) -> str:
    return shorten(" ".join(text.split()) or "(empty)", SHOWN_CHARS)


def _closest(group: Group, engine: Any | None) -> str:
    if engine is not None:
        reply = engine.answer(group.example)
        if reply.top:
            entry_id, confidence = reply.top[0]
            return f"{entry_id} ({confidence:.1f}; now {reply.kind})"
        return f"none (now {reply.kind})"
    if group.logged_top:
        entry_id, times = group.logged_top.most_common(1)[0]
        return f"{entry_id} (logged best {times} of {group.count})"
    return "none"


def summarise(path: str | Path, since: dt.date | None, engine: Any | None) -> str:
    """The curator's report on the unanswered-question log.

    Args:
        path: the live log file (rotated ``path.1`` … are read too).
        since: only records on or after this UTC date; None for all.
        engine: a :class:`bot.pipeline.engine.Engine`; each group's most frequent question is
            answered again to show the closest entry and what the bot does with it today (a group
            that is now answered shows "now answer"). None uses the entry logged as best.

    Returns:
        Text: a header line (records, groups, malformed lines skipped), then one block per
        group, most frequent first: ``count × question``, the closest entry, and the other
        forms asked with their counts. Ends with a newline.

    Raises:
        OSError: a log file exists but cannot be read.
    """
    contents = read_records(path, since)
    rotated = len(contents.files) - 1
    where = f"{path} (+{rotated} rotated)" if rotated > 0 else f"{path}"
    span = f" since {since.isoformat()}" if since else ""
    skipped = f"; {contents.malformed} malformed line(s) skipped" if contents.malformed else ""
    if not contents.files:
        return f"No unanswered-question log at {path}.\n"
    if not contents.records:
        return f"No unanswered questions in {where}{span}{skipped}.\n"
    groups = group_records(contents.records)
    lines = [
        f"Unanswered questions in {where}{span}: {len(contents.records)} record(s) in "
        f"{len(groups)} group(s){skipped}.",
        "",
    ]
    width = len(str(groups[0].count))
    pad = " " * (width + 3)
    for group in groups:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(group.kinds.items()))
        lines.append(f"{group.count:>{width}} × {_shown(group.example)}")
        lines.append(f"{pad}closest: {_closest(group, engine)}; logged as {kinds}")
        others = group.ranked_forms()[1:]
        if others:
            also = "; ".join(f"{_shown(q)} ×{n}" for q, n in others[:5])
            more = f"; … {len(others) - 5} more" if len(others) > 5 else ""
            lines.append(f"{pad}also: {also}{more}")
    return "\n".join(lines) + "\n"


def parse_since(text: str | None) -> dt.date | None:
    """Parse ``--since``.

    Args:
        text: "YYYY-MM-DD", or None.

    Returns:
        The date, or None when ``text`` is None.

    Raises:
        ValueError: any other form, or an impossible date; the message is one line for users.
    """
    if text is None:
        return None
    if not _DATE.match(text):
        raise ValueError(f"--since must be a date YYYY-MM-DD, got {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since must be a real date YYYY-MM-DD, got {text!r}") from None


def cmd_misses(args: argparse.Namespace, load: Callable[[str | None], Config]) -> int:
    """Run ``mensch-bot misses``.

    Args:
        args: ``since`` (str or None), ``log`` (str or None), and from :func:`bot.cli.main`
            ``config`` (``--config``; may be absent), ``stdout``, ``stderr`` and
            ``build_engine``.
        load: the command line's config loader (:func:`bot.cli.load`): config path or None
            → Config; raises DataError.

    Returns:
        0 after printing the summary; 2 after one ``mensch-bot misses: ...`` or
        ``file:line: problem`` line on stderr for a bad date, a bad config, a log that is
        off in the config with no ``--log``, or an unreadable log.
    """

    try:
        since = parse_since(args.since)
    except ValueError as exc:
        print(f"mensch-bot misses: {exc}", file=args.stderr)
        return EXIT_DATA_ERROR
    try:
        config = load(getattr(args, "config", None))
        path = Path(args.log) if args.log else config.unanswered.path
        if path is None:
            print(
                f"mensch-bot misses: the unanswered log is off (no unanswered.path in "
                f"{config.path}); give --log PATH",
                file=args.stderr,
            )
            return EXIT_DATA_ERROR
        engine = args.build_engine(config)
        args.stdout.write(summarise(path, since, engine))
    except DataError as exc:
        print(exc, file=args.stderr)
        return EXIT_DATA_ERROR
    except OSError as exc:
        print(f"mensch-bot misses: cannot read {exc.filename}: {exc.strerror}", file=args.stderr)
        return EXIT_DATA_ERROR
    return 0


def add_parser(subparsers: Any, load: Callable[[str | None], Config]) -> argparse.ArgumentParser:
    """Add the ``misses`` sub-command to the ``mensch-bot`` parser.

    Args:
        subparsers: the object returned by ``ArgumentParser.add_subparsers()``.
        load: the config loader every command uses (:func:`bot.cli.load`).

    Returns:
        The new sub-parser; its ``func`` default is :func:`cmd_misses`.
    """
    parser = subparsers.add_parser(
        "misses",
        help="summarise the unanswered-question log for curators",
        description="Questions the bot could not answer (fallbacks and suggestions), "
        "near-duplicates grouped, most frequent first, with the closest entry.",
    )
    parser.add_argument(
        "--since", metavar="YYYY-MM-DD", help="only questions logged on or after this UTC day"
    )
    parser.add_argument(
        "--log", metavar="PATH", help="the log file (default: unanswered.path in config.yaml)"
    )
    parser.set_defaults(func=lambda args: cmd_misses(args, load))
    return parser
