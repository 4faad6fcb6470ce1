"""Lint for the interaction model and manifest: what Alexa's build would reject, caught offline."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_model_runtime import DefaultSerializer

from stagewise_tools.packaging.skill_package import locale_model, locales

ROOT = Path(__file__).resolve().parents[1]
# en-US.json is the hand-edited source; every locale's model is generated from it and linted.
MODELS = {locale: locale_model(locale) for locale in locales()}
MODEL = MODELS["en-US"]
LANGUAGE = MODEL["interactionModel"]["languageModel"]
INTENTS = {intent["name"]: intent for intent in LANGUAGE["intents"]}
SAMPLE_CHARS = re.compile(r"^[a-z' ]+$")
BUILT_IN_WORDS = ("help", "stop", "cancel")
MAIN_INTENTS = (
    "TonightQuestionIntent",
    "AnswerIntent",
    "RecapIntent",
    "StageInfoIntent",
    "ChangeStageIntent",
    "SkipIntent",
    "NamesIntent",
    "ChooseStageIntent",
    "RecapLastTimeIntent",
    "CorrectAnswerIntent",
    "DeleteAllIntent",
    "DeleteLastAnswerIntent",
    "DeleteTonightIntent",
)


def intents_of(locale: str) -> dict[str, Any]:
    language = MODELS[locale]["interactionModel"]["languageModel"]
    return {intent["name"]: intent for intent in language["intents"]}


def all_samples(locale: str) -> list[tuple[str, str]]:
    return [(name, s) for name, i in intents_of(locale).items() for s in i.get("samples", [])]


def every_sample() -> list[tuple[str, str, str]]:
    return [(locale, *pair) for locale in MODELS for pair in all_samples(locale)]


@pytest.mark.parametrize("locale", MODELS)
def test_invocation_name(locale: str) -> None:
    assert MODELS[locale]["interactionModel"]["languageModel"]["invocationName"] == "stagewise"


@pytest.mark.parametrize("locale", MODELS)
def test_the_model_deserializes_without_losing_keys(locale: str) -> None:
    from ask_smapi_model.v1.skill.interaction_model.interaction_model_data import (
        InteractionModelData,
    )

    serializer = DefaultSerializer()
    parsed = serializer.deserialize(json.dumps(MODELS[locale]), InteractionModelData)
    assert serializer.serialize(parsed) == MODELS[locale]


def test_the_manifest_template_deserializes_without_losing_keys() -> None:
    from ask_smapi_model.v1.skill.manifest.skill_manifest_envelope import SkillManifestEnvelope

    manifest = json.loads((ROOT / "interaction_model" / "skill.json").read_text())
    serializer = DefaultSerializer()
    parsed = serializer.deserialize(json.dumps(manifest), SkillManifestEnvelope)
    assert serializer.serialize(parsed) == manifest


def test_every_locale_keeps_every_en_us_sample_and_adds_new_ones() -> None:
    source = set(all_samples("en-US"))
    for locale in MODELS:
        assert set(intents_of(locale)) == set(INTENTS), locale
        assert source <= set(all_samples(locale)), locale
    assert len(all_samples("en-GB")) > len(source)  # locale-natural phrasings were added


@pytest.mark.parametrize(
    "intent",
    sorted(
        REQUIRED := [
            "AMAZON.HelpIntent",
            "AMAZON.StopIntent",
            "AMAZON.CancelIntent",
            "AMAZON.FallbackIntent",
            "AMAZON.NavigateHomeIntent",
            "AMAZON.YesIntent",
            "AMAZON.NoIntent",
            "AMAZON.RepeatIntent",
        ]
    ),
)
def test_required_built_ins_are_declared(intent: str) -> None:
    assert intent in INTENTS


@pytest.mark.parametrize("intent", MAIN_INTENTS)
def test_main_intents_have_at_least_ten_phrasings(intent: str) -> None:
    assert len(INTENTS[intent]["samples"]) >= 10


def sample_faults(samples: list[tuple[str, str, str]]) -> list[str]:
    """Lower case, no punctuation or digits, no invocation name, no built-in's first word."""
    faults = []
    for locale, intent, sample in samples:
        words = re.sub(r"\{\w+\}", "", sample)
        if not SAMPLE_CHARS.match(words + " "):
            faults.append(f"{locale} {intent}: {sample!r} is not lower-case words")
        if "stagewise" in sample or sample.startswith(BUILT_IN_WORDS):
            faults.append(f"{locale} {intent}: {sample!r} names the skill or a built-in")
    return faults


def test_samples_are_lower_case_without_punctuation_or_digits() -> None:
    assert sample_faults(every_sample()) == []
    bad = [("en-US", "X", "Say 2 things!"), ("en-US", "X", "help us stagewise")]
    assert len(sample_faults(bad)) == 2  # the check can fail


@pytest.mark.parametrize("locale", MODELS)
def test_no_sample_is_under_two_intents(locale: str) -> None:
    counts = Counter(sample for _, sample in all_samples(locale))
    assert [s for s, n in counts.items() if n > 1] == []


def test_every_slot_in_a_sample_is_declared() -> None:
    undeclared = [
        f"{locale} {intent}: {sample!r}"
        for locale, intent, sample in every_sample()
        if not set(re.findall(r"\{(\w+)\}", sample))
        <= {slot["name"] for slot in intents_of(locale)[intent].get("slots", [])}
    ]
    assert undeclared == []


@pytest.mark.parametrize("locale", MODELS)
def test_search_query_slots_follow_alexas_rules(locale: str) -> None:
    for name, intent in intents_of(locale).items():
        queries = [s["name"] for s in intent.get("slots", []) if s["type"] == "AMAZON.SearchQuery"]
        assert len(queries) <= 1, name
        for sample in intent.get("samples", []):
            used = re.findall(r"\{(\w+)\}", sample)
            if set(used) & set(queries):
                assert used == queries, f"{name}: no other slot beside a SearchQuery: {sample!r}"
                assert sample.strip() != f"{{{queries[0]}}}", f"{name}: needs a carrier phrase"


def test_elicited_slots_are_in_the_dialog_model_with_prompts() -> None:
    dialog = {i["name"]: i for i in MODEL["interactionModel"]["dialog"]["intents"]}
    prompts = {p["id"] for p in MODEL["interactionModel"]["prompts"]}
    for intent, slot in (("AnswerIntent", "answer"), ("NamesIntent", "first_name")):
        [spec] = [s for s in dialog[intent]["slots"] if s["name"] == slot]
        assert spec["elicitationRequired"] and spec["prompts"]["elicitation"] in prompts
    answer_slot = INTENTS["AnswerIntent"]["slots"][0]
    assert "{answer}" in answer_slot["samples"]  # a bare answer is accepted when elicited


def test_every_intent_of_the_model_has_one_route_and_every_route_is_declared() -> None:
    """The dispatch table is the handler list: each intent of the model is answered by
    a general step or a side trip, and no row names an intent Alexa never sends
    (other than the recogniser's pseudo-intents and request types)."""
    from skill.handlers.moments import MOMENTS
    from skill.handlers.routes import EVENTS, GENERAL, SIDE_TRIPS

    for name in INTENTS:
        assert name in GENERAL or name in SIDE_TRIPS, name
    pseudo = {"Think", "GoFirst"}
    requests = {"LaunchRequest", "SessionEndedRequest", "Connections.Response"}
    named = set(GENERAL) | set(SIDE_TRIPS) | {n for row in MOMENTS.values() for n in row.takes}
    assert named - set(INTENTS) == pseudo | requests
    assert all("." in kind for kind in EVENTS)  # skill events, never an intent


def alexa_now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 11, 16, tzinfo=UTC)
