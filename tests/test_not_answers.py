"""Only answers are kept: every phrase in not_answers.json, said while an answer is awaited,
is acted on and never stored. Generated from the data, so a new phrase is tested too."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from skill.app import Stagewise
from skill.content import load_content
from skill.not_answers import KINDS
from skill.not_answers import recognise_kind as recognise
from stagewise_tools.packaging.skill_package import locale_model
from tests.conversation import Couple, wordings
from tests.test_conversation import stored

CONTENT = load_content()
DATA = json.loads(files("skill.content").joinpath("en-US", "not_answers.json").read_text())
PHRASES = [
    (kind, phrase)
    for kind, lists in DATA.items()
    if not kind.startswith("_") and kind != "fillers"
    for phrase in [*lists.get("exact", []), *lists.get("prefix", [])]
]
PATTERNS = [p for p in DATA["go_first"]["patterns"]]
# What each kind leaves the skill doing: still listening for an answer, or closed.
STILL_LISTENING = {"repeat", "think", "go_first", "correct", "remind", "help", "voice", "stage"}


def said(text: str, key: str, **values: object) -> bool:
    return any(v.format(**values) in text for v in wordings(CONTENT, key))


def test_every_kind_in_the_data_is_one_the_skill_acts_on() -> None:
    assert {k for k in DATA if not k.startswith("_") and k != "fillers"} == set(KINDS)


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("hmm let me think", "think"),
        ("um wait hold on", "think"),
        ("oh that's a good question hmm", "think"),
        ("uh what was the question", "repeat"),
        ("sorry can you repeat the question", "repeat"),
        ("um", "think"),
        ("well delete everything", "delete"),
        ("wait what", "repeat"),
        ("hold on what was the question", "repeat"),
        ("hmm wait let me think", "think"),
    ],
)
def test_phrases_wrapped_in_fillers_are_still_recognised(said: str, kind: str) -> None:
    found = recognise(said, ("Sam", "Alex"))
    assert found is not None and found.kind == kind


@pytest.mark.parametrize("answer", ["well you make me laugh", "hmm the lake house", "so much"])
def test_an_answer_that_starts_with_a_filler_is_still_an_answer(answer: str) -> None:
    assert recognise(answer, ("Sam", "Alex")) is None


@pytest.mark.parametrize(("kind", "phrase"), PHRASES, ids=[p for _, p in PHRASES])
def test_the_recogniser_knows_every_phrase(kind: str, phrase: str) -> None:
    found = recognise(phrase, ("Sam", "Alex"))
    assert found is not None and found.kind == kind


@pytest.mark.parametrize(("kind", "phrase"), PHRASES, ids=[p for _, p in PHRASES])
def test_a_phrase_said_instead_of_an_answer_is_never_stored(
    couple: Couple, app: Stagewise, kind: str, phrase: str
) -> None:
    couple.onboard()
    reply = couple.answer(phrase)
    assert stored(app) == []
    if kind in STILL_LISTENING:
        assert not reply.ended and reply.elicits == "answer"
    if kind == "stop":
        assert reply.ended
    if kind == "delete":  # asks first, saying what would go (or that there is nothing)
        waiting = couple.awaiting
        assert waiting == "delete_confirm" or said(reply.text, "forget.nothing_tonight")


@pytest.mark.parametrize("pattern", PATTERNS)
def test_asking_to_go_first_changes_whose_turn_it_is(
    couple: Couple, app: Stagewise, pattern: str
) -> None:
    couple.onboard()
    reply = couple.answer(pattern.replace("{name}", "alex"))
    assert said(reply.text, "answer.goes_first", name="Alex") and stored(app) == []
    couple.answer("alex goes first and says this")
    [first] = stored(app)
    assert (first.partner_name, first.text) == ("Alex", "alex goes first and says this")
    second = couple.answer("then sam")
    assert said(second.text, "answer.heard", name="Sam", answer="then sam")


@pytest.mark.parametrize(
    "answer",
    [
        "the lake house",
        "patience",  # a first name, and an answer
        "hope",
        "grace",
        "forgetting my keys with you",  # starts like a command, is not one
        "waiting for you at the station",
        "what a day that was",
        "help with the groceries",
        "the way you say stop it when you laugh",
    ],
)
def test_real_answers_are_kept_and_said_back(couple: Couple, app: Stagewise, answer: str) -> None:
    couple.onboard()
    reply = couple.answer(answer)
    assert [a.text for a in stored(app)] == [answer]
    assert said(reply.text, "answer.heard", name="Sam", answer=answer)


def test_a_lone_first_name_heard_as_a_name_is_an_answer(couple: Couple, app: Stagewise) -> None:
    """Alexa may route "Hope" to NamesIntent while an answer is awaited: it is still an answer."""
    couple.onboard()
    reply = couple.intent("NamesIntent", first_name="hope")
    assert [a.text for a in stored(app)] == ["hope"]
    assert said(reply.text, "answer.heard", name="Sam", answer="hope")
    profile = app.services.store.get_profile(couple.device.user_id)
    assert profile is not None and (profile.partner_a, profile.partner_b) == ("Sam", "Alex")


def test_the_same_partner_asking_to_go_first_twice_is_told_kindly(
    couple: Couple, app: Stagewise
) -> None:
    couple.onboard()
    couple.answer("mine")
    reply = couple.answer("sam goes first")
    assert said(reply.text, "answer.already_answered", name="Sam", other="Alex")
    assert [a.text for a in stored(app)] == ["mine"]


def test_the_phrase_the_first_evening_teaches_resolves_however_alexa_hears_it() -> None:
    """ "Say: tell me more about this stage", said right after the question: a sample of
    StageMoreIntent, and, when Alexa hands it over as the answer, recognised as no answer."""
    phrase = "tell me more about this stage"
    assert all(phrase in hint.lower() for hint in CONTENT.variants("stage.more_hint"))
    language = locale_model("en-US")["interactionModel"]["languageModel"]
    [intent] = [i for i in language["intents"] if i["name"] == "StageMoreIntent"]
    assert phrase in intent["samples"]
    found = recognise(phrase, ("Sam", "Alex"))
    assert found is not None and found.kind == "stage"
