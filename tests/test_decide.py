"""The decision on a ranking, with scores built by hand: the meaning check of the low band."""

import pytest

from bot.loading.config import Thresholds
from bot.pipeline.decide import MEANING_CHECK_BELOW, decide
from bot.pipeline.matcher import Score

THRESHOLDS = Thresholds(answer=40.0, suggest=25.0, margin=0.5, max_suggestions=3)


def score(entry_id: str, confidence: float, asked_lead: float, said_lead: float) -> Score:
    features = {"semantic_lead": asked_lead, "semantic_answer_lead": said_lead}
    return Score(entry_id, confidence, 0.5, 0.5, 0.5, ("开源",), confidence / 10, features)


def unrelated(a: str, b: str) -> bool:
    return False


@pytest.mark.parametrize(
    ("confidence", "asked_lead", "said_lead", "kind"),
    [
        (45.0, 0.10, -0.05, "answer"),  # nearest in meaning to a question of the entry
        (45.0, -0.05, 0.02, "answer"),  # nearest to a sentence of its answer
        (45.0, -0.05, -0.02, "suggest"),  # the words say this entry, the meaning another
        (MEANING_CHECK_BELOW, -0.05, -0.02, "answer"),  # above the band, the words suffice
    ],
)
def test_low_band_answers_need_the_meaning_to_agree(confidence, asked_lead, said_lead, kind):
    ranking = [score("oss_value", confidence, asked_lead, said_lead), score("talent", 1, 0, 0)]
    assert decide(ranking, THRESHOLDS, unrelated).kind == kind


def test_a_missing_detail_asked_with_an_offtopic_cue_is_the_fallback(engine):
    # "who is the CTO": no one named in the closest passage, and roles are a subject he
    # never addressed: the honest fallback, not "the closest passages"
    reply = engine.answer("Mistral 的 CTO 是誰?")
    assert reply.kind == "fallback" and reply.paragraphs[0].startswith(
        "這個問題我在那次訪談裡沒有談到"
    )
    # the same detail question without an off-topic cue is a topic he did discuss
    assert engine.answer("他是在哪所大學讀的博士?").kind == "related"


@pytest.mark.parametrize(("offtopic", "kind"), [(False, "related"), (True, "fallback")])
def test_a_missing_detail_is_related_unless_the_subject_is_off_topic(offtopic, kind):
    ranking = [score("portable", 76.0, 0.1, 0.1), score("team_speed", 53, 0, 0)]
    decision = decide(
        ranking, THRESHOLDS, unrelated, offtopic=offtopic, missing=lambda entry_id: ("cto",)
    )
    assert decision.kind == kind and decision.missing == ("cto",)
    assert decision.answered is None
