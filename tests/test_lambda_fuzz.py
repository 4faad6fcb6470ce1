"""Property: whatever envelope reaches lambda_handler, the answer is a response Alexa accepts.

Generated from real envelopes (tests/events and the console's request builders) with
mutations: unknown enum values, missing and extra fields, wrong types, odd unicode, huge
values, random request types and forged session attributes. SQLite keeps it fast.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.app import KNOWN_REQUEST_TYPES, MAX_RESPONSE_BYTES, speechless
from skill.session import Moment
from stagewise_tools import alexa_requests as alexa

ROOT = Path(__file__).resolve().parents[1]
EVENTS = Path(__file__).parent / "events"
NOW = datetime(2026, 11, 16, 20, 0, tzinfo=UTC)
EXAMPLES = 2000


def _bases() -> list[dict[str, Any]]:
    """Real envelopes from files, and what the console sends for each kind of turn."""
    bases = [json.loads(path.read_text()) for path in sorted(EVENTS.glob("*.json"))]
    device = alexa.Device(user_id="amzn1.ask.account.fuzz-couple")
    device.new_session()
    requests = [
        alexa.launch(),
        alexa.intent("NamesIntent", {"first_name": "sam", "second_name": None}),
        alexa.intent("AnswerIntent", {"answer": "the way you laugh"}),
        alexa.intent("ChooseStageIntent", {"stage_number": "3"}),
        alexa.intent("ChangeStageIntent", {"stage_number": "2"}),
        alexa.intent("RecapIntent", {"period": "2026-W46"}),
        alexa.intent("TonightQuestionIntent"),
        alexa.intent("SkipIntent"),
        alexa.intent("AMAZON.YesIntent"),
        alexa.intent("AMAZON.NoIntent"),
        alexa.intent("AMAZON.RepeatIntent"),
        alexa.intent("AMAZON.HelpIntent"),
        alexa.intent("AMAZON.StopIntent"),
        alexa.intent("AMAZON.FallbackIntent"),
        alexa.session_ended("ERROR"),
        alexa.skill_event("SkillEnabled"),
        {"type": "AudioPlayer.PlaybackStopped", "token": "t", "offsetInMilliseconds": 10},
        {"type": "Reminders.ReminderStarted", "body": {"alertToken": "a"}},
        {"type": "Connections.Response", "name": "Buy", "status": {"code": "200"}},
    ]
    for request in requests:
        event = device.envelope(request, NOW)
        event["session"]["attributes"] = {"awaiting": "answer", "profile_loaded": True}
        bases.append(event)
    return bases


BASES = _bases()
ODD_TEXT = [
    "",
    " ",
    "\ud800",
    "amzn1.ask.account.\udfff",
    "²",
    "٣",
    "\u202e\u0000",
    "🙂" * 50,
    "NaN",
    "9999-12-31",
    "0001-01-01T00:00:00Z",
    "2026-W99",
    "-1",
    "<speak>&</speak>",
    "HOLOGRAM",
    "AMAZON.YesIntent",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(ODD_TEXT),
    st.integers(min_value=1_000, max_value=40_000).map(lambda n: "x" * n),  # huge values
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
REQUEST_TYPES = sorted(KNOWN_REQUEST_TYPES) + ["Alexa.Brand.NewThing", "", "intentrequest"]
ENUM_FIELDS = [
    ("context", "Viewport", "mode"),
    ("context", "AudioPlayer", "playerActivity"),
    ("request", "error", "type"),
    ("request", "reason"),
    ("request", "dialogState"),
    ("request", "intent", "confirmationStatus"),
]
FORGED_KEYS = [
    "profile",
    "profile_loaded",
    "awaiting",
    "names",
    "target_stage",
    "recap_start",
    "recap_until",
    "last_speech",
    "last_reprompt",
    "injected",
]
Mutation = Callable[[st.DataObject, dict[str, Any]], None]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _parent(event: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = event
    for key in path[:-1]:
        node = node[key]
    return node


def replace_value(data: st.DataObject, event: dict[str, Any]) -> None:
    if not event:
        return
    path = data.draw(st.sampled_from(_paths(event)))
    _parent(event, path)[path[-1]] = data.draw(json_values)


def drop_field(data: st.DataObject, event: dict[str, Any]) -> None:
    if not event:
        return
    path = data.draw(st.sampled_from(_paths(event)))
    parent = _parent(event, path)
    if isinstance(parent, dict):
        parent.pop(path[-1], None)


def add_field(data: st.DataObject, event: dict[str, Any]) -> None:
    dicts = [p for p in _paths(event) if isinstance(_parent(event, (*p, None)), dict)]
    target = _parent(event, (*data.draw(st.sampled_from(dicts or [()])), None))
    target[data.draw(st.text(max_size=12))] = data.draw(json_values)


def retype_request(data: st.DataObject, event: dict[str, Any]) -> None:
    request = event.setdefault("request", {})
    if isinstance(request, dict):
        request["type"] = data.draw(st.sampled_from(REQUEST_TYPES))


def unknown_enum(data: st.DataObject, event: dict[str, Any]) -> None:
    *parents, leaf = data.draw(st.sampled_from(ENUM_FIELDS))
    node: Any = event
    for key in parents:
        if not isinstance(node, dict):
            return
        node = node.setdefault(key, {})
    if isinstance(node, dict):
        node[leaf] = data.draw(st.sampled_from(["HOLOGRAM", "NEW_VALUE", "dancing", ""]))


def forge_session(data: st.DataObject, event: dict[str, Any]) -> None:
    session = event.setdefault("session", {"new": False, "sessionId": "amzn1.echo-api.session.f"})
    if not isinstance(session, dict):
        return
    values = st.one_of(
        json_values,
        st.sampled_from([m.value for m in Moment]),
        st.sampled_from(["2026-11-10T20:00:00.000000Z", "garbage", "<speak>hi</speak>"]),
    )
    session["attributes"] = data.draw(
        st.dictionaries(st.sampled_from(FORGED_KEYS), values, max_size=5)
    )


MUTATIONS: list[Mutation] = [
    replace_value,
    drop_field,
    add_field,
    retype_request,
    unknown_enum,
    forge_session,
]


@pytest.fixture(scope="module")
def lambda_module(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """lambda_function.py as Lambda imports it, on a SQLite file (DynamoDB is tested elsewhere)."""
    path = tmp_path_factory.mktemp("fuzz") / "stagewise.db"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("STAGEWISE_STORE", f"sqlite:///{path}")
        env.delenv("STAGEWISE_SKILL_ID", raising=False)
        env.delenv("STAGEWISE_AUDIO_BASE_URL", raising=False)
        spec = importlib.util.spec_from_file_location(
            "lambda_function_fuzz", ROOT / "lambda" / "lambda_function.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def request_type_of(event: Any) -> str:
    request = event.get("request") if isinstance(event, dict) else None
    kind = request.get("type") if isinstance(request, dict) else None
    return kind if isinstance(kind, str) else ""


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_generated_envelope_gets_a_response_alexa_accepts(
    lambda_module: ModuleType, data: st.DataObject
) -> None:
    event = copy.deepcopy(data.draw(st.sampled_from(BASES), label="base"))
    for _ in range(data.draw(st.integers(min_value=0, max_value=4), label="mutations")):
        data.draw(st.sampled_from(MUTATIONS), label="mutation")(data, event)
    kind = request_type_of(event)
    raw = lambda_module.lambda_handler(copy.deepcopy(event), None)  # never raises
    body = json.dumps(raw, allow_nan=False)  # valid JSON: no NaN, no Infinity
    assert len(body.encode("utf-8")) <= MAX_RESPONSE_BYTES
    DefaultSerializer().deserialize(body, ResponseEnvelope)
    response = raw["response"]
    if speechless(kind) or (kind and kind not in KNOWN_REQUEST_TYPES):
        assert not {"outputSpeech", "reprompt", "card", "shouldEndSession"} & set(response)
        assert "sessionAttributes" not in raw
    if response.get("shouldEndSession") is False:
        assert response.get("outputSpeech") and response.get("reprompt")
