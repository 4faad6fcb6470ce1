"""Fuzzing the signed endpoint: whatever Alexa (or someone with its key) sends, a 4xx or an answer.

Each run sends hundreds of generated envelopes, correctly signed by the test CA, through
the Flask app: known and unknown request types, missing and mistyped fields, enum values
Alexa may add tomorrow, odd Unicode, huge text, NaN. The property is what Alexa and an
operator would notice: never a 5xx, never an exception; either a 4xx with a one-line plain
reason, or a 200 whose body reads as an ask-sdk-model ResponseEnvelope. Unsigned and forged
requests always get 400. Derandomized and database-free, so CI sees the same cases each run.
"""

from __future__ import annotations

import copy
import json
import logging
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.app import build_skill, handle_event
from skill.config import Settings
from skill.store.sqlite import SqliteStore
from skill.web.endpoint import create_app
from skill.web.verify import CHAIN_URL_HEADER, SIGNATURE_HEADER, RequestVerifier
from tests.signing import (
    TEST_CHAIN_URL,
    TEST_SKILL_ID,
    FakeChainHost,
    TestPKI,
    alexa_event,
    encode,
)

SIGNED_EXAMPLES = 550  # the issue asks for at least 500 signed requests per run
FORGED_EXAMPLES = 150
FUZZ = settings(
    deadline=None,
    derandomize=True,  # the same cases every run: CI is stable, a failure reproduces
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

REQUEST_TYPES = [
    "LaunchRequest",
    "IntentRequest",
    "SessionEndedRequest",
    "CanFulfillIntentRequest",
    "AlexaSkillEvent.SkillEnabled",
    "AlexaSkillEvent.SkillDisabled",
    "AlexaSkillEvent.SkillPermissionAccepted",
    "AlexaSkillEvent.SkillAccountLinked",
    "AudioPlayer.PlaybackStarted",
    "AudioPlayer.PlaybackFailed",
    "PlaybackController.PlayCommandIssued",
    "System.ExceptionEncountered",
    "Messaging.MessageReceived",
    "Alexa.Presentation.APL.UserEvent",
    "Connections.Response",
    "Reminders.ReminderCreated",
    # Types Alexa does not send today, and may tomorrow.
    "Alexa.Future.NewRequest",
    "AlexaSkillEvent.SkillSomethingNew",
    "",
]
INTENTS = [
    "TonightQuestionIntent",
    "AnswerIntent",
    "NamesIntent",
    "ChooseStageIntent",
    "StageInfoIntent",
    "ChangeStageIntent",
    "RecapIntent",
    "SkipIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.PauseIntent",
    "NoSuchIntent",
]
SLOTS = ["answer", "first_name", "second_name", "stage_number", "period", "unknown_slot"]
LONE_SURROGATES = ["\ud800", "\udfff", "a\udc00b"]
HUGE = ["x" * 20_000, "é" * 50_000, "x" * 140_000]  # the last is over the 128 KB limit

# Hazards are drawn now and then, not every time, so most envelopes still reach the skill.
odd_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["²", "٣", "9999-12-31", "0001-01-01", "2026-W60", "?", "-1", "1e9", "NaN"]),
    st.integers(0, 9).flatmap(
        lambda n: st.sampled_from(LONE_SURROGATES + HUGE) if n == 0 else st.text(max_size=10)
    ),
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    odd_text,
    st.integers(0, 9).flatmap(  # now and then: NaN, Infinity, a number past 20 digits
        lambda n: (
            st.sampled_from([math.nan, math.inf, -math.inf, 10**25, -(10**40)])
            if n == 0
            else st.integers()
        )
    ),
)
weird = st.recursive(
    scalar,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

# Where a field is changed: the ones the SDK or the skill reads, with their new enum values.
ENUMS: dict[tuple[str, ...], list[str]] = {
    ("context", "Viewport", "mode"): ["HUB", "TV", "MOBILE", "AUTO", "HOLOGRAM"],
    ("context", "Viewport", "shape"): ["RECTANGLE", "ROUND", "TRIANGLE"],
    ("context", "AudioPlayer", "playerActivity"): ["PLAYING", "STOPPED", "TELEPORTING"],
    ("request", "error", "type"): ["INVALID_RESPONSE", "INTERNAL_SERVICE_ERROR", "NEW_ERROR"],
    ("request", "reason"): ["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS", "BORED"],
    ("request", "dialogState"): ["STARTED", "IN_PROGRESS", "COMPLETED", "PAUSED"],
    ("request", "intent", "confirmationStatus"): ["NONE", "CONFIRMED", "MAYBE"],
    ("request", "body", "userInformationPersistenceStatus"): ["PERSISTED", "NOT_PERSISTED", "X"],
    ("request", "locale"): ["en-US", "en-GB", "de-DE", "xx-XX"],
}
PATHS: list[tuple[str, ...]] = [
    *ENUMS,
    ("version",),
    ("request",),
    ("request", "type"),
    ("request", "requestId"),
    ("request", "intent"),
    ("request", "intent", "name"),
    ("request", "intent", "slots"),
    ("request", "body"),
    ("request", "error"),
    ("request", "cause"),
    ("session",),
    ("session", "new"),
    ("session", "attributes"),
    ("session", "user"),
    ("session", "user", "userId"),
    ("context", "System", "user", "userId"),
    ("context", "System", "device"),
    ("context", "System", "device", "supportedInterfaces"),
    ("context", "System", "apiEndpoint"),
    ("context", "Viewport"),
    ("context", "Viewports"),
    ("context", "AudioPlayer"),
]


def put(event: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set `path` in `event`, making dictionaries on the way (over whatever was there)."""
    node = event
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


def drop(event: dict[str, Any], path: tuple[str, ...]) -> None:
    node: Any = event
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)


@st.composite
def slot(draw: st.DrawFn, name: str) -> dict[str, Any]:
    value: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if draw(st.booleans()):
        value["value"] = draw(odd_text)
    if draw(st.integers(0, 4)) == 0:
        value["resolutions"] = draw(weird)
    return value


@st.composite
def change(draw: st.DrawFn) -> Callable[[dict[str, Any]], None]:
    """One edit to an envelope: a new enum value, a wrong type, or a missing field."""
    path = draw(st.sampled_from(list(ENUMS)) | st.sampled_from(PATHS))  # enums half the time
    kind = draw(st.sampled_from(["enum", "value", "drop"] if path in ENUMS else ["value", "drop"]))
    if kind == "drop":
        return lambda event: drop(event, path)
    value = draw(st.sampled_from(ENUMS[path])) if kind == "enum" else draw(weird)
    return lambda event: put(event, path, value)


@st.composite
def envelopes(draw: st.DrawFn, attributes: dict[str, Any]) -> dict[str, Any]:
    """A current, correctly addressed envelope, then zero to three edits."""
    request_type = (
        draw(st.sampled_from(REQUEST_TYPES))
        if draw(st.integers(0, 9))
        else draw(st.text(max_size=30))
    )
    event = alexa_event(request_type, user_id=draw(st.sampled_from(USER_IDS)))
    if request_type in ("IntentRequest", "CanFulfillIntentRequest") or draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(SLOTS), max_size=3, unique=True))
        event["request"]["intent"] = {
            "name": draw(st.sampled_from(INTENTS) | st.text(max_size=20)),
            "confirmationStatus": "NONE",
            "slots": {name: draw(slot(name)) for name in names},
        }
    if "session" in event:
        which = draw(st.sampled_from(["none", "real", "forged"]))
        if which != "none":
            forged = copy.deepcopy(attributes)
            if which == "forged":
                for key in draw(st.lists(st.sampled_from(sorted(forged) or ["x"]), max_size=3)):
                    forged[key] = draw(weird)
            event["session"]["attributes"] = forged
            event["session"]["new"] = False
    for _ in range(draw(st.sampled_from([0, 0, 1, 2, 3]))):
        draw(change())(event)
    return event


USER_IDS = ["amzn1.ask.account.FUZZ"] * 12 + ["amzn1.ask.account.\ud800", "", "é" * 300]


def body_of(event: dict[str, Any]) -> bytes:
    """The bytes Alexa would send; NaN goes out as the (non-JSON) literal, surrogates escaped."""
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


# -- the app under test --------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate()


@pytest.fixture(scope="module")
def client(pki: TestPKI, tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    skill_app = build_skill(
        Settings(store_url=f"sqlite:///{path}", skill_id=TEST_SKILL_ID), store=SqliteStore(path)
    )
    s3 = FakeChainHost()
    s3.serve(pki.signer)
    verifier = RequestVerifier(roots=[pki.root.certificate], fetch=s3, skill_id=TEST_SKILL_ID)
    return create_app(app=skill_app, verifier=verifier).test_client()


@pytest.fixture(scope="module")
def attributes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Session attributes as the skill really writes them, after launch and names."""
    path = tmp_path_factory.mktemp("attributes") / "a.db"
    skill_app = build_skill(Settings(store_url=f"sqlite:///{path}"), store=SqliteStore(path))
    launch = handle_event(skill_app, alexa_event())
    names = alexa_event(
        "IntentRequest",
        request={
            "intent": {
                "name": "NamesIntent",
                "confirmationStatus": "NONE",
                "slots": {
                    "first_name": {"name": "first_name", "value": "Maya"},
                    "second_name": {"name": "second_name", "value": "Jordan"},
                },
            }
        },
    )
    names["session"]["attributes"] = launch.get("sessionAttributes") or {}
    answered = handle_event(skill_app, names)
    return dict(answered.get("sessionAttributes") or {})


@pytest.fixture
def failures(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO, logger="stagewise.web"):
        yield caplog


_serializer = DefaultSerializer()


def check_answer(response: Any) -> int:
    """The property every answer must have; returns the status."""
    status = response.status_code
    assert status < 500, response.text
    if status == 200:
        assert response.mimetype == "application/json"
        text = response.get_data(as_text=True)
        json.loads(text, parse_constant=_no_constants)  # strict JSON: no NaN in an answer
        envelope = _serializer.deserialize(text, ResponseEnvelope)
        assert envelope.version == "1.0"
    else:
        assert 400 <= status < 500
        assert response.mimetype == "text/plain"
        reason = response.get_data(as_text=True)
        assert reason.endswith("\n") and reason.count("\n") == 1 and len(reason) > 1
        assert "Traceback" not in reason
    return status


def _no_constants(name: str) -> Any:
    raise AssertionError(f"the answer holds {name}")


# -- signed requests --------------------------------------------------------------------------


def test_any_signed_envelope_gets_a_4xx_or_a_valid_answer(
    client: FlaskClient,
    pki: TestPKI,
    attributes: dict[str, Any],
    failures: pytest.LogCaptureFixture,
) -> None:
    statuses: list[int] = []

    @settings(FUZZ, max_examples=SIGNED_EXAMPLES)
    @given(event=envelopes(attributes))
    def one(event: dict[str, Any]) -> None:
        body = body_of(event)
        response = client.post("/alexa", data=body, headers=pki.signer.headers(body))
        statuses.append(check_answer(response))

    one()
    assert len(statuses) >= 500
    # The fuzz must reach the skill, not only bounce off the verifier.
    assert statuses.count(200) > len(statuses) / 3, {s: statuses.count(s) for s in set(statuses)}
    web_errors = [r for r in failures.records if r.name == "stagewise.web" and r.levelno >= 40]
    assert web_errors == []  # nothing reached the web layer's 500 handler or its last resort


@settings(FUZZ, max_examples=FORGED_EXAMPLES)
@given(
    body=st.one_of(st.binary(max_size=200), st.builds(lambda: encode(alexa_event()))),
    headers=st.fixed_dictionaries(
        {},
        optional={
            CHAIN_URL_HEADER: st.sampled_from([TEST_CHAIN_URL, "http://x/echo.api/a"]) | odd_text,
            SIGNATURE_HEADER: st.text(alphabet="ABCDEFabcdef0123456789+/=", max_size=400)
            | odd_text,
        },
    ),
)
def test_unsigned_or_forged_requests_always_get_400(
    client: FlaskClient, body: bytes, headers: dict[str, str]
) -> None:
    # Header values must be latin-1 to be sent at all; HTTP cannot carry the rest.
    sendable = {k: v for k, v in headers.items() if _latin1(v) and "\n" not in v and "\r" not in v}
    response = client.post("/alexa", data=body, headers=sendable)
    assert response.status_code == 400, response.text
    check_answer(response)


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def test_the_fuzzed_bodies_include_what_the_issue_names(attributes: dict[str, Any]) -> None:
    """The generators can produce each hazard (so the fuzz above is not quietly narrow)."""
    seen = {"nan": False, "surrogate": False, "new enum value": False, "unknown type": False}
    new_values = {values[-1] for values in ENUMS.values()}  # the last of each: not in the SDK

    @settings(FUZZ, max_examples=300)
    @given(event=envelopes(attributes))
    def look(event: dict[str, Any]) -> None:
        body = body_of(event)
        seen["nan"] |= b"NaN" in body or b"Infinity" in body
        seen["surrogate"] |= any(b"\\u" + code in body for code in (b"d800", b"dc00", b"dfff"))
        seen["new enum value"] |= any(b'"%s"' % value.encode() in body for value in new_values)
        request = event.get("request")
        known = REQUEST_TYPES[:16]
        seen["unknown type"] |= isinstance(request, dict) and request.get("type") not in known

    look()
    assert all(seen.values()), seen


def test_the_answers_body_is_never_nan(client: FlaskClient, pki: TestPKI) -> None:
    """A NaN in a body is refused before the skill sees it, so no answer can echo it."""
    event = alexa_event()
    event["session"]["attributes"] = {"x": math.nan}
    body = body_of(event)
    response = client.post("/alexa", data=body, headers=pki.signer.headers(body))
    assert (response.status_code, response.text) == (
        400,
        "the body holds NaN, which JSON does not allow\n",
    )
