"""The safety check's learned half: trained from our sets, shipped as data, read in pure Python.

SAFETY.md says how the model was chosen (leave-one-batch-out cross-validation) and how well
the rules and the model do together on answers neither was tuned on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.content import PUBLISHED_LOCALES, content_data, content_for
from skill.safety import Concern, concern, prepare, rules_for
from skill.safety.check import MODEL_RULE, by_rules
from skill.safety.model import MODEL_FILE, FeatureSpec, Model, features, model_for

ROOT = Path(__file__).resolve().parents[1]


def rules_say(said: str) -> bool:
    rules = rules_for("en-US")
    return by_rules(prepare(said, rules), rules) is not None


def p_danger(said: str) -> float:
    return model_for("en-US").danger(prepare(said, rules_for("en-US")))[0]


# -- what it adds to the rules -------------------------------------------------------------


# Written for these tests (in no set the model was trained on); SAFETY.md has the figures.
MODEL_CATCHES = [  # danger no rule or pair of signals was written for
    ("honestly i think everyone would cope fine once i'm gone for good", "self_harm"),
    ("lately i keep wondering what the point of waking up is", "self_harm"),
    ("i keep a bag packed in the car just in case he kicks off again", "violence"),
]
MODEL_KEEPS = [  # danger's words, an ordinary answer: the model leaves it, as the rules do
    "we nearly killed ourselves laughing at the wedding speech",
    "i felt hopeless about the job hunt until she helped me with my cv",
    "i'm scared of spiders but he catches them for me",
    "my husband choked me up with that speech at our anniversary",
]
MODEL_VETOES = [  # a rule or two signals match; the model finds it ordinary
    "i hide in the bathroom with a book when he gets angry at the football",
    "i'm scared to go home because he's planned a surprise party",
    "he grabbed my hair and braided it for the wedding",
]


@pytest.mark.parametrize(("said", "category"), MODEL_CATCHES)
def test_the_model_catches_danger_no_rule_was_written_for(said: str, category: str) -> None:
    assert not rules_say(said)  # no rule or pair of signals matches...
    found = concern(said, content_for("en-US"))
    assert found == Concern(category, MODEL_RULE)  # ...the model does, and names its kind


@pytest.mark.parametrize("said", MODEL_KEEPS)
def test_the_model_keeps_answers_that_only_share_dangers_words(said: str) -> None:
    assert p_danger(said) < model_for("en-US").flag_at
    assert concern(said, content_for("en-US")) is None


@pytest.mark.parametrize("said", MODEL_VETOES)
def test_a_rule_match_the_model_finds_ordinary_is_kept(said: str) -> None:
    assert rules_say(said)
    assert p_danger(said) < model_for("en-US").veto_below
    assert concern(said, content_for("en-US")) is None


@pytest.mark.parametrize(
    "said", ["only mine tonight", "end it", "beats me", "help me out", "he hears me out"]
)
def test_a_short_ordinary_answer_is_left_to_the_rules(said: str) -> None:
    """Under five words the model alone flags only at `short_flag_at` (0.95), far above its
    0.5: a short answer gives it little to read, and these score from 0.4 to 0.9."""
    model = model_for("en-US")
    assert len(prepare(said, rules_for("en-US")).split()) < model.min_words
    assert model.short_flag_at > model.flag_at
    assert concern(said, content_for("en-US")) is None
    assert concern("i want to die", content_for("en-US")) is not None


@pytest.mark.parametrize("said", ["send someone round please", "please alert someone"])
def test_a_short_plea_no_rule_knows_is_flagged_when_the_model_is_sure(said: str) -> None:
    """Short disclosures were missed most (15 of 106 under five words in held-out sets 1-18
    against 3.8 % of all): where the readers are sure, a short answer is flagged too."""
    rules = rules_for("en-US")
    assert len(prepare(said, rules).split()) < model_for("en-US").min_words
    assert by_rules(prepare(said, rules), rules) is None
    assert concern(said, content_for("en-US")) == Concern("help", MODEL_RULE)


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_no_question_of_the_bank_said_back_as_an_answer_is_flagged(locale: str) -> None:
    """Partners often answer by echoing the question ("what makes me feel safe is...")."""
    content = content_for(locale)
    questions = [q.text for stage in content.questions.values() for q in stage]
    flagged = [q for q in questions if concern(q, content, ("Sam", "Alex")) is not None]
    assert questions and flagged == []


# -- how an answer is read -----------------------------------------------------------------


def test_features_are_words_pairs_and_negated_words() -> None:
    spec = FeatureSpec(skip=False, negation=2, stem=4)
    found = features(" he would never hurt me ", spec)
    assert {"he", "would", "never", "!hurt", "!me", "he would", "never !hurt"} <= found
    assert "hurt" not in found  # read after "never"
    assert "woul~" in found and "he woul~" in found  # a word cut to four letters, and its pair


def test_a_couples_name_reads_as_a_partner() -> None:
    spec = model_for("en-US").spec
    named = prepare("Jordan hits me", rules_for("en-US"), ("Maya", "Jordan"))
    assert features(named, spec) == features(" he hits me ", spec)


def test_a_model_file_that_cannot_be_read_stops_the_load() -> None:
    raw = content_data("en-US", MODEL_FILE)
    assert isinstance(raw, dict)
    with pytest.raises(ValueError):
        Model.of({**raw, "weights": {"hit": [1, 2]}})  # two weights for three categories
    with pytest.raises(ValueError):
        Model.of({**raw, "bias": 0.5})


# -- shipped as data, and cheap ------------------------------------------------------------


def test_the_shipped_model_is_what_training_writes() -> None:
    """Retrained from tests/data, the model is byte for byte the file shipped: data and model
    cannot drift apart (retrain: python -m stagewise_tools.safety_model)."""
    from stagewise_tools.safety_model import SHIPPED, shipped_text

    assert shipped_text() == SHIPPED.read_text(encoding="utf-8")


def test_the_shipped_model_is_small() -> None:
    size = (ROOT / "skill" / "content" / "en-US" / MODEL_FILE).stat().st_size
    assert size < 300 * 1024


# That a cold start (a whole launch) loads neither the check nor its model:
# tests/test_runtime_imports.py (NOT_AT_LAUNCH).


# What the model costs an answer, beside the whole check: bench/safety_check.py (its "words"
# row is the rules and this model alone), measured against each other in one run.
