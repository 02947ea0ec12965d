"""``mensch-bot check``: every rule the knowledge and config must meet, as ``file:line:`` lines.

Loading already enforces schema, unique ids, verbatim answers and existing related ids
(:mod:`bot.loading.knowledge`, :mod:`bot.loading.config`); this module adds the rule that needs the
matcher: every variant, asked as a question, reaches its own entry.
"""

from __future__ import annotations

from bot.errors import DataError
from bot.loading.knowledge import ENTRIES_FILE
from bot.pipeline.engine import Engine


def _variant_lines(engine: Engine) -> dict[tuple[str, str], int]:
    """(entry id, variant) → 1-based line in entries.yaml, found by scanning the file."""
    path = engine.knowledge.directory / ENTRIES_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    result: dict[tuple[str, str], int] = {}
    for entry in engine.knowledge.entries:
        start = entry.line - 1
        for variant in entry.variants:
            for number in range(start, len(lines)):
                if variant in lines[number]:
                    result[(entry.id, variant)] = number + 1
                    start = number
                    break
    return result


def check_variants(engine: Engine) -> list[DataError]:
    """Ask every variant as a question; each must be answered by its own entry.

    Returns:
        One DataError per variant that falls back, gets suggestions, or is taken by another
        entry (an empty list when all is well).
    """
    path = engine.knowledge.directory / ENTRIES_FILE
    lines = _variant_lines(engine)
    problems = []
    for entry in engine.knowledge.entries:
        for variant in entry.variants:
            reply = engine.answer(variant)
            if reply.kind == "answer" and reply.entry_id == entry.id:
                continue
            if reply.kind == "answer":
                what = f"is taken by entry {reply.entry_id} ({reply.confidence:.0f})"
            else:
                what = f"gets {reply.kind} ({reply.confidence:.0f}), not an answer"
            problems.append(
                DataError(
                    path,
                    lines.get((entry.id, variant), entry.line),
                    f"entry {entry.id}: variant {variant!r} {what}",
                )
            )
    return problems
