"""Lint for the interaction model and manifest: what Alexa's build would reject, caught offline."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_model_runtime import DefaultSerializer

from skill.app import Stagewise
from skill.handlers import REQUEST_HANDLERS
from stagewise_tools import alexa_requests as alexa
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


@pytest.mark.parametrize(("locale", "intent", "sample"), every_sample())
def test_samples_are_lower_case_without_punctuation_or_digits(
    locale: str, intent: str, sample: str
) -> None:
    words = re.sub(r"\{\w+\}", "", sample)
    assert SAMPLE_CHARS.match(words + " "), f"{intent}: {sample!r}"
    assert "stagewise" not in sample and not sample.startswith(BUILT_IN_WORDS)


@pytest.mark.parametrize("locale", MODELS)
def test_no_sample_is_under_two_intents(locale: str) -> None:
    counts = Counter(sample for _, sample in all_samples(locale))
    assert [s for s, n in counts.items() if n > 1] == []


@pytest.mark.parametrize(("locale", "intent", "sample"), every_sample())
def test_every_slot_in_a_sample_is_declared(locale: str, intent: str, sample: str) -> None:
    declared = {slot["name"] for slot in intents_of(locale)[intent].get("slots", [])}
    assert set(re.findall(r"\{(\w+)\}", sample)) <= declared


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


def test_every_declared_intent_is_accepted_by_exactly_one_handler(app: Stagewise) -> None:
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_model import RequestEnvelope

    handlers = [cls(app.services) for cls in REQUEST_HANDLERS]
    for name in INTENTS:
        raw = alexa.Device().envelope(alexa.intent(name), alexa_now())
        raw["session"] = {
            "sessionId": "s",
            "new": True,
            "application": {"applicationId": "a"},
            "user": {"userId": "u"},
            "attributes": {},
        }
        envelope = DefaultSerializer().deserialize(json.dumps(raw), RequestEnvelope)
        handler_input = HandlerInput(request_envelope=envelope)
        accepting = [h for h in handlers if h.can_handle(handler_input)]
        # The fallback accepts every intent, so it must be last and be the only other taker.
        specific = [h for h in accepting if type(h).__name__ != "FallbackHandler"]
        if name == "AMAZON.FallbackIntent":
            assert specific == [], name
        else:
            assert len(specific) == 1, (name, [type(h).__name__ for h in specific])
    assert REQUEST_HANDLERS[-1].__name__ == "FallbackHandler"


def test_every_intent_a_handler_names_is_declared() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "skill" / "handlers").glob("*.py"))
    named = set(re.findall(r'is_intent_name\("([\w.]+)"\)', source))
    named |= set(re.findall(r'"(AMAZON\.\w+)"', source))
    assert named and named <= set(INTENTS)


def alexa_now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 11, 16, tzinfo=UTC)
