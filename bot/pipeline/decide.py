"""The decision: what to do with a ranking — answer, related, suggest or fallback.

Besides the thresholds (``config.yaml``), two judgements of :mod:`bot.pipeline.scope` decide:

* a question naming a subject the interview never mentions cannot be answered with his words:
  the reply is the honest fallback;
* a detail question whose detail the best passage does not contain ("which university") was
  discussed as a topic, not in that detail: the reply says so and offers the closest passages
  as related (kind ``related``).

Pure computation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.loading.config import Thresholds
from bot.pipeline.matcher import Score

Kind = Literal["answer", "related", "suggest", "fallback"]

MEANING_CHECK_BELOW = 60.0
"""Below this confidence (0-100), an entry is answered only when it is also the nearest in
meaning to the question or to a sentence of its answer (a positive ``semantic_lead`` or
``semantic_answer_lead``): on our six tuning sets, answers in the 40-60 band with both leads
negative were wrong 5 times and right 4 times; a wrong quote is worse than a suggestion."""


@dataclass(frozen=True)
class Decision:
    """What the thresholds and the scope checks make of a ranking.

    Attributes:
        kind: "answer" (quote ``best``), "related" (the detail asked is not in the interview;
            offer ``suggestions``), "suggest" ("did you mean" ``suggestions``), "fallback".
        best: the best score, or None when nothing was ranked.
        suggestions: scores offered, best first (empty for "answer" and "fallback").
        absent: names in the question that the interview never mentions.
        missing: nouns of a detail question that the best passage does not contain.
    """

    kind: Kind
    best: Score | None
    suggestions: tuple[Score, ...] = ()
    absent: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def answered(self) -> Score | None:
        """The score of the entry to quote for kind "answer", else None."""
        return self.best if self.kind == "answer" else None


def decide(
    ranking: list[Score],
    thresholds: Thresholds,
    related: Callable[[str, str], bool],
    *,
    offtopic: bool = False,
    personal: bool = False,
    absent: tuple[str, ...] = (),
    missing: Callable[[str], tuple[str, ...]] = lambda entry_id: (),
) -> Decision:
    """Apply the thresholds, the margin and the scope checks to a ranking.

    Answer when the best confidence reaches the answer threshold, no unrelated rival is within
    the margin (log-odds), below :data:`MEANING_CHECK_BELOW` the entry is also nearest in
    meaning, the best entry did not match on generic terms only (unless the
    question asks about him and the entry is also the nearest in meaning), the question has no
    off-topic cue, names no subject absent from the interview, and asks no detail the passage
    lacks. Sibling passages (``related``) are not rivals. Otherwise: fallback for an
    absent subject, a best confidence under the suggest threshold, or a missing detail asked
    with an off-topic cue ("who is the CTO"); "related" for a missing detail; else "suggest"
    with the entries within 20 points of the best.

    Args:
        ranking: the matcher's scores, best first.
        thresholds: answer and suggest thresholds (0-100), margin (log-odds), max suggestions.
        related: ``related(a, b)`` is True when entries a and b are sibling passages.
        offtopic: the question holds an off-topic cue of the lexicon.
        personal: the question holds an addressee cue (你, 他, your, why) and no opinion cue
            (你怎么看, what do you think of): it asks about him, so an entry matched on generic
            terms only may still be answered when it is also the nearest in meaning (its
            ``semantic_lead`` is positive).
        absent: names in the question absent from the interview
            (:meth:`bot.pipeline.scope.Scope.absent_subjects`).
        missing: ``missing(entry_id)`` gives the detail nouns that entry's passage lacks
            (:meth:`bot.pipeline.scope.Scope.missing_details`).
    """
    if not ranking or ranking[0].confidence < thresholds.suggest:
        return Decision("fallback", ranking[0] if ranking else None, absent=absent)
    best = ranking[0]
    if absent:
        return Decision("fallback", best, absent=absent)
    floor = max(thresholds.suggest - 10, best.confidence - 20)
    candidates = tuple(s for s in ranking[: thresholds.max_suggestions] if s.confidence >= floor)
    lacking = missing(best.entry_id)
    if lacking:
        if offtopic:  # "who is the CTO": a subject he never addressed, not a missing detail
            return Decision("fallback", best, missing=lacking)
        return Decision("related", best, candidates, missing=lacking)
    # words every entry shares (生成式AI, DeepMind) are no evidence ("什么是深度学习?"), unless
    # the question asks about him and its meaning is nearest this entry's too
    generic_only = bool(best.features.get("generic_only")) and not (
        personal and best.features.get("semantic_lead", 0.0) > 0
    )
    # in the low band, the words alone are not enough when the meaning points elsewhere
    meaning_elsewhere = (
        best.confidence < MEANING_CHECK_BELOW
        and best.features.get("semantic_lead", 1.0) <= 0
        and best.features.get("semantic_answer_lead", 1.0) <= 0
    )
    if (
        best.confidence >= thresholds.answer
        and not generic_only
        and not offtopic
        and not meaning_elsewhere
    ):
        rivals = [
            s
            for s in ranking[1:]
            if best.logit - s.logit < thresholds.margin and not related(best.entry_id, s.entry_id)
        ]
        if not rivals:
            return Decision("answer", best)
    return Decision("suggest", best, candidates)
