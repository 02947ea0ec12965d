"""``mensch-bot eval``: accuracy of the answer path on a question set.

Question sets use the format of the shared development set: a YAML list of
``{q: question, expect: key | [keys] | null, tag: name}``. A key names an entry id; ``null``
means no interview answer may be given. A question is right when the bot answers quoting one
of the expected entries (among the passages it gives), or, for ``null``, gives no answer
(fallback, suggestions, small talk).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.errors import DataError
from bot.loading.yamlio import LineList, LineMap, load_yaml
from bot.pipeline.engine import Engine


@dataclass(frozen=True)
class Case:
    """One question of a set: text, expected entry ids (empty = no answer), tag, line."""

    question: str
    expect: tuple[str, ...]
    tag: str
    line: int


@dataclass(frozen=True)
class Result:
    """Outcome of one case: what the bot did and whether it was right."""

    case: Case
    kind: str
    entry_id: str | None
    confidence: float
    ok: bool

    @property
    def wrong_quote(self) -> bool:
        """He was quoted, but not as the case expects: a wrong passage, or any passage for an
        out-of-scope question. Worse than declining: it puts words in his mouth."""
        return self.kind == "answer" and not self.ok

    @property
    def outcome(self) -> str:
        """ "right", "wrong quote" or "declined" (no quote where one was expected)."""
        return "right" if self.ok else "wrong quote" if self.wrong_quote else "declined"


def load_cases(path: str | Path, known_ids: set[str]) -> list[Case]:
    """Read a question set.

    Raises:
        DataError: not a list, an item without ``q``, or an ``expect`` naming an unknown entry.
    """
    nodes = load_yaml(path, LineList, "a question set")
    cases = []
    for i, node in enumerate(nodes):
        line = nodes.item_line(i)
        if not isinstance(node, LineMap) or not isinstance(node.get("q"), str):
            raise DataError(path, line, "each item needs q: question text")
        expect = node.get("expect")
        ids = () if expect is None else (expect,) if isinstance(expect, str) else tuple(expect)
        for entry_id in ids:
            if entry_id not in known_ids:
                raise DataError(path, line, f"expect names unknown entry {entry_id!r}")
        cases.append(Case(node["q"], ids, str(node.get("tag", "-")), line))
    return cases


def evaluate(engine: Engine, cases: list[Case]) -> list[Result]:
    """Answer every case and judge it."""
    results = []
    for case in cases:
        reply = engine.answer(case.question)
        ok = (
            (not reply.matched)
            if not case.expect
            else (reply.matched and any(e in case.expect for e in reply.entry_ids))
        )
        results.append(Result(case, reply.kind, reply.entry_id, reply.confidence, ok))
    return results


def report(results: list[Result]) -> str:
    """Accuracy per tag; the wrong quotes (answered with a wrong passage, or answered out of
    scope), then the declines (no quote where one was expected); last, one summary line with
    in-scope and out-of-scope accuracy and the wrong-quote and declined shares of all
    questions."""
    per_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    scope = {True: [0, 0], False: [0, 0]}
    for r in results:
        per_tag[r.case.tag][0] += r.ok
        per_tag[r.case.tag][1] += 1
        scope[bool(r.case.expect)][0] += r.ok
        scope[bool(r.case.expect)][1] += 1
    lines = [
        f"  {tag:8s} {good:4d}/{total:<4d} {100 * good / total:5.1f}%"
        for tag, (good, total) in sorted(per_tag.items())
    ]
    for outcome, label in (("wrong quote", "WRONG QUOTE"), ("declined", "DECLINED")):
        for r in results:
            if r.outcome == outcome:
                want = ",".join(r.case.expect) or "no answer"
                lines.append(
                    f"  {label} line {r.case.line}: {r.case.question!r} expected {want}, got "
                    f"{r.kind} {r.entry_id or ''} ({r.confidence:.1f})"
                )

    def pct(pair: list[int]) -> str:
        return f"{pair[0]}/{pair[1]} ({100 * pair[0] / pair[1]:.1f}%)" if pair[1] else "0/0"

    total_ok = scope[True][0] + scope[False][0]
    wrong = sum(r.wrong_quote for r in results)
    declined = sum(r.outcome == "declined" for r in results)
    lines.append(
        f"eval: in-scope {pct(scope[True])}, out-of-scope {pct(scope[False])}, "
        f"overall {100 * total_ok / max(1, len(results)):.1f}%; "
        f"wrong quotes {pct([wrong, len(results)])} (worse than declining), "
        f"declined {pct([declined, len(results)])}"
    )
    return "\n".join(lines)
