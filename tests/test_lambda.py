"""The Lambda entry point against DynamoDB over HTTP: a whole conversation and its round trips."""

from __future__ import annotations

import importlib.util
import json
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from skill.store.dynamodb import DynamoStore
from tests.conversation import Couple, check_response

ROOT = Path(__file__).resolve().parents[1]
EVENTS = Path(__file__).parent / "events"


@pytest.fixture
def lambda_module(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, dynamodb_client: Any
) -> ModuleType:
    """Import lambda_function.py as Lambda would, configured only through the environment."""
    table = f"stagewise-{uuid.uuid4().hex[:8]}"
    DynamoStore(dynamodb_client, table).create()
    monkeypatch.setenv("STAGEWISE_STORE", f"dynamodb://{table}")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", moto_endpoint)
    monkeypatch.delenv("STAGEWISE_SKILL_ID", raising=False)
    spec = importlib.util.spec_from_file_location(
        f"lambda_function_{table}", ROOT / "lambda" / "lambda_function.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RoundTrips:
    """Counts DynamoDB HTTP requests the skill's own client sends."""

    def __init__(self, client: Any) -> None:
        self.count = 0
        client.meta.events.register("before-send.dynamodb", self._sent)

    def _sent(self, **_: Any) -> None:
        self.count += 1

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def test_the_whole_conversation_through_lambda_handler_on_dynamodb(
    lambda_module: ModuleType,
) -> None:
    store = lambda_module.SKILL.services.store
    trips = RoundTrips(store.client)
    couple = Couple(
        lambda_module.SKILL, handler=lambda event: lambda_module.lambda_handler(event, None)
    )
    script = [
        (lambda: couple.launch(), "launch", 1),
        (lambda: couple.intent("NamesIntent", first_name="sam"), "first name", 0),
        (lambda: couple.intent("NamesIntent", first_name="alex"), "second name", 0),
        (lambda: couple.intent("AMAZON.YesIntent"), "stage one and tonight's question", 1),
        (lambda: couple.answer('your laugh & your "terrible" puns'), "first answer", 1),
        (lambda: couple.answer("how you listen"), "second answer", 1),
    ]
    for step, label, most in script:
        step()
        assert trips.take() <= most, label
    couple.later(days=1)
    recap = couple.intent("RecapIntent", new_session=True, period=None)
    assert trips.take() <= 2, "one-shot recap"  # the profile (current names, first evening) + Query
    assert 'Sam said: your laugh & your "terrible" puns.' in recap.text
    assert "Alex said: how you listen." in recap.text
    question = couple.intent("TonightQuestionIntent", new_session=True)
    assert trips.take() <= 2, "one-shot question: read the profile, record the question"
    couple.intent("AMAZON.HelpIntent")
    couple.intent("AMAZON.RepeatIntent")
    assert trips.take() == 0, "help and repeat use the session"
    assert question.elicits == "answer"


def test_real_envelopes_from_files(lambda_module: ModuleType) -> None:
    for path in sorted(EVENTS.glob("*.json")):
        event = json.loads(path.read_text())
        raw = lambda_module.lambda_handler(event, None)
        check_response(raw)
        speech = raw["response"].get("outputSpeech")
        expects_speech = event["request"]["type"] in ("LaunchRequest", "IntentRequest")
        assert bool(speech) == expects_speech, path.name


def test_lambda_logs_one_line_per_request_without_private_words(
    lambda_module: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="stagewise")
    couple = Couple(
        lambda_module.SKILL,
        user_id="amzn1.ask.account.PRIVATE-ID-123",
        handler=lambda event: lambda_module.lambda_handler(event, None),
    )
    couple.onboard(first="zephyrina", second="bartholomew")
    couple.answer("my secret answer")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("type=")]
    assert len(lines) == 5
    assert lines[-1].startswith("type=IntentRequest intent=AnswerIntent household=")
    logged = caplog.text.lower()
    for private in ("zephyrina", "bartholomew", "secret", "private-id"):
        assert private not in logged


def test_an_alexa_error_ending_the_session_is_logged(
    lambda_module: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="stagewise")
    event = json.loads((EVENTS / "session_ended_error.json").read_text())
    lambda_module.lambda_handler(event, None)
    assert "session ended by an Alexa error" in caplog.text and "INVALID_RESPONSE" in caplog.text
