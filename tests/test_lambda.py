"""The Lambda entry point against DynamoDB over HTTP: a whole conversation and its round trips."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from skill.app import build_skill, handle_event
from skill.config import Settings
from skill.content import PUBLISHED_LOCALES, load_content
from skill.privacy import short_id
from skill.store import DeletionIncomplete
from stagewise_tools import alexa_requests as alexa
from tests.conversation import Couple, Reply, check_response, says, variants

ROOT = Path(__file__).resolve().parents[1]
CONTENT = load_content()
EVENTS = Path(__file__).parent / "events"


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


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_the_whole_conversation_through_lambda_handler_on_dynamodb(
    lambda_module: ModuleType, locale: str
) -> None:
    store = lambda_module.SKILL.services.store
    trips = RoundTrips(store.client)
    couple = Couple(
        lambda_module.SKILL,
        handler=lambda event: lambda_module.lambda_handler(event, None),
        locale=locale,
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
        reply = step()
        assert trips.take() <= most, label
        assert not says(reply, "error.general") and not says(reply, "error.storage"), label
    assert says(reply, "answer.heard", name="Alex", answer="how you listen")
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


# -- logs at DEBUG, botocore included ------------------------------------------------------


def test_debug_logs_hold_no_names_answers_or_user_id_botocore_included(
    lambda_module: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    """At DEBUG botocore logs whole request bodies; the skill keeps it at WARNING."""
    caplog.set_level("DEBUG")  # the root logger, as an operator chasing a bug would
    user_id = "amzn1.ask.account.PRIVATE-DEBUG-ID-77"
    couple = Couple(
        lambda_module.SKILL,
        user_id=user_id,
        handler=lambda event: lambda_module.lambda_handler(event, None),
    )
    couple.onboard(first="zephyrina", second="bartholomew")
    couple.answer("the quiet marmalade morning")
    couple.answer("our lighthouse promise")
    couple.later(days=1)
    couple.intent("RecapIntent", new_session=True, period=None)
    logged = caplog.text.lower()
    assert "type=IntentRequest" in caplog.text  # DEBUG capture was on and saw the turns
    for private in ("zephyrina", "bartholomew", "marmalade", "lighthouse", user_id.lower()):
        assert private not in logged, private
    # The probe can fail: without skill.logs' filters, botocore at DEBUG logs the user ID.
    chatty = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name.split(".")[0] in ("botocore", "urllib3")
    ]
    saved = [(logger, logger.level, list(logger.filters)) for logger in chatty]
    for logger in chatty:
        logger.setLevel(logging.DEBUG)
        logger.filters.clear()
    try:
        couple.launch()  # a new session reads the profile: a request body with the user ID
    finally:
        for logger, level, filters in saved:
            logger.setLevel(level)
            logger.filters[:] = filters
    assert user_id.lower() in caplog.text.lower()


# -- robust envelope reading ------------------------------------------------------------------


NOW = datetime(2026, 11, 16, 20, 0, tzinfo=UTC)


def _event(request: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A sparse envelope with changes at `parent__child` paths."""
    device = alexa.Device(user_id="amzn1.ask.account.robust")
    device.new_session()
    event = device.envelope(request, NOW)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = event
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return event


# name: (event, what the couple hears: content key, or None for silence)
ENVELOPES: dict[str, tuple[dict[str, Any], str | None]] = {
    "unknown Viewport mode": (
        _event(alexa.launch(), context__Viewport={"mode": "HOLOGRAM", "touch": ["SINGLE"]}),
        "onboarding.welcome",
    ),
    "unknown Viewports entry": (
        _event(alexa.launch(), context__Viewports=[{"type": "APL", "shape": "HEXAGON"}]),
        "onboarding.welcome",
    ),
    "new playerActivity on a launch": (
        _event(alexa.launch(), context__AudioPlayer={"playerActivity": "DANCING"}),
        "onboarding.welcome",
    ),
    "new dialogState": (
        _event({**alexa.intent("AMAZON.HelpIntent"), "dialogState": "TELEPORTED"}),
        None,
    ),
    "timestamp of year 1": (
        _event(alexa.launch(), request__timestamp="0001-01-01T00:00:00Z"),
        "onboarding.welcome",
    ),
    "timestamp as a number": (
        _event(alexa.launch(), request__timestamp=1_700_000_000),
        "onboarding.welcome",
    ),
    "non-string forged session values": (
        _event(alexa.launch(), session__attributes={"last_speech": 5, "names": 7, "awaiting": {}}),
        "onboarding.welcome",
    ),
    "stage number ²": (
        _event(alexa.intent("ChooseStageIntent", {"stage_number": "²"})),
        None,  # whatever the moment says; checked for validity only
    ),
    "recap of 9999-12-31": (
        _event(alexa.intent("RecapIntent", {"period": "9999-12-31"})),
        None,
    ),
    "intent request without an intent": (
        _event({"type": "IntentRequest"}),
        None,
    ),
    "new SessionEndedRequest error type": (
        _event(
            {
                "type": "SessionEndedRequest",
                "reason": "ERROR",
                "error": {"type": "NEW", "message": ""},
            }
        ),
        "",
    ),
    "new request type": (_event({"type": "Alexa.Brand.NewThing"}), ""),
    "AudioPlayer event with a new playerActivity and a session": (
        _event(
            {"type": "AudioPlayer.PlaybackStarted", "token": "t"},
            context__AudioPlayer={"playerActivity": "DANCING"},
        ),
        "",
    ),
    "reminder event": (_event({"type": "Reminders.ReminderStarted", "body": {}}), ""),
    "exception report": (
        _event({"type": "System.ExceptionEncountered", "error": {"type": "NEW", "message": "x"}}),
        "",
    ),
    "skill message": (_event({"type": "Messaging.MessageReceived", "message": {}}), ""),
}


@pytest.mark.parametrize(("event", "heard"), ENVELOPES.values(), ids=ENVELOPES.keys())
def test_envelopes_the_sdk_would_refuse_are_read_leniently(
    lambda_module: ModuleType, event: dict[str, Any], heard: str | None
) -> None:
    raw = lambda_module.lambda_handler(event, None)
    check_response(raw)
    json.dumps(raw, allow_nan=False)
    text = Reply(raw).text
    if heard == "":
        assert not raw["response"].get("outputSpeech") and "shouldEndSession" not in raw["response"]
        assert "sessionAttributes" not in raw
    elif heard is not None:
        assert says(Reply(raw), heard), text
    if heard is None:  # answered, and not with an apology for a crash
        assert text and text not in variants("error.general"), text


def test_a_lone_surrogate_in_the_user_id_is_answered_without_storage(
    lambda_module: ModuleType,
) -> None:
    user_id = "amzn1.ask.account.\ud800broken"
    event = _event(alexa.launch())
    event["context"]["System"]["user"]["userId"] = user_id
    event["session"]["user"]["userId"] = user_id
    raw = lambda_module.lambda_handler(event, None)
    check_response(raw)
    assert Reply(raw).text in variants("error.unreadable")
    assert short_id(user_id) == short_id(user_id) != "-"  # logs can still tag it


def test_requests_without_a_user_share_nothing(lambda_module: ModuleType) -> None:
    """No household "unknown" for every request without a user: no storage call at all."""
    store = lambda_module.SKILL.services.store
    trips = RoundTrips(store.client)
    for request in (alexa.launch(), alexa.intent("AnswerIntent", {"answer": "ours alone"})):
        event = _event(request)
        del event["context"]["System"]["user"]
        del event["session"]["user"]
        raw = lambda_module.lambda_handler(event, None)
        assert Reply(raw).text in variants("error.unreadable")
        assert raw["response"]["shouldEndSession"] is True
    assert trips.take() == 0
    assert store.get_profile("unknown") is None


def test_forged_session_attributes_are_not_echoed_nan_or_huge(lambda_module: ModuleType) -> None:
    for attributes in (
        {"injected": float("nan"), "profile": {"stage": float("nan")}},
        {"injected": "x" * 40_000},
        {"names": ["y" * 30_000]},
    ):
        raw = lambda_module.lambda_handler(
            _event(alexa.launch(), session__attributes=attributes), None
        )
        check_response(raw)
        body = json.dumps(raw, allow_nan=False)  # valid JSON: no NaN
        assert len(body.encode()) <= 24 * 1024
        assert "injected" not in raw.get("sessionAttributes", {})
        assert Reply(raw).text  # still a real answer


def test_no_application_id_with_a_skill_id_set_is_ignored_quietly(
    sqlite_store: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_skill(
        Settings(store_url="x://", skill_id="amzn1.ask.skill.ours"), store=sqlite_store
    )
    event = _event(alexa.launch())
    del event["context"]["System"]["application"]
    del event["session"]["application"]
    assert handle_event(app, event) == {"version": "1.0", "response": {}}
    assert "another skill" in caplog.text
    assert sqlite_store.get_profile("amzn1.ask.account.robust") is None


def test_an_unfinished_skill_disabled_deletion_fails_the_invocation(
    lambda_module: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one error let out of lambda_handler: so that Alexa delivers the event again."""
    store = lambda_module.SKILL.services.store
    couple = Couple(
        lambda_module.SKILL, handler=lambda event: lambda_module.lambda_handler(event, None)
    )
    couple.onboard()

    def refuse(household_id: str) -> int:
        raise DeletionIncomplete("injected", "ProvisionedThroughputExceededException")

    monkeypatch.setattr(store, "delete_household", refuse)
    event = json.loads((EVENTS / "skill_disabled.json").read_text())
    event["context"]["System"]["user"]["userId"] = couple.device.user_id
    with pytest.raises(DeletionIncomplete):
        lambda_module.lambda_handler(event, None)
    monkeypatch.undo()
    assert store.get_profile(couple.device.user_id) is not None
    assert lambda_module.lambda_handler(event, None) == {"version": "1.0", "response": {}}
    assert store.get_profile(couple.device.user_id) is None


def test_two_devices_answering_in_the_same_second_keep_both_answers(
    lambda_module: ModuleType,
) -> None:
    """Kitchen and bedroom Echo, one household, one second: two requests, two answers."""
    handler = lambda event: lambda_module.lambda_handler(event, None)  # noqa: E731
    kitchen = Couple(lambda_module.SKILL, handler=handler)
    kitchen.onboard()
    bedroom = Couple(lambda_module.SKILL, handler=handler, now=kitchen.now)
    bedroom.device.device_id = "amzn1.ask.device.bedroom"
    bedroom.intent("TonightQuestionIntent", new_session=True)
    bedroom.now = kitchen.now  # the next turn of each lands in the same second
    kitchen.answer("from the kitchen")
    bedroom.answer("from the bedroom")
    assert kitchen.last_event["request"]["timestamp"] == bedroom.last_event["request"]["timestamp"]
    store = lambda_module.SKILL.services.store
    stored = store.answers(
        kitchen.device.user_id, start=datetime(2020, 1, 1, tzinfo=UTC), until=kitchen.now, limit=9
    )
    assert sorted(a.text for a in stored) == ["from the bedroom", "from the kitchen"]


def test_two_echos_without_voices_file_the_second_answer_under_the_partner_still_to_answer(
    lambda_module: ModuleType,
) -> None:
    """Issue 23: both Echos opened before either answered. The turn order is the stored
    evening's: the second device's answer is the other partner's, and said back as theirs."""
    handler = lambda event: lambda_module.lambda_handler(event, None)  # noqa: E731
    kitchen = Couple(lambda_module.SKILL, handler=handler)
    kitchen.onboard("maya", "jordan")
    kitchen.later(hours=1)
    kitchen.intent("TonightQuestionIntent", new_session=True)
    bedroom = Couple(lambda_module.SKILL, handler=handler, now=kitchen.now)
    bedroom.device.device_id = "amzn1.ask.device.bedroom"
    bedroom.intent("TonightQuestionIntent", new_session=True)  # both wait for Maya
    kitchen.answer("maya in the kitchen")
    heard = bedroom.answer("jordan in the bedroom")
    assert says(heard, "answer.heard", name="Jordan", answer="jordan in the bedroom")
    store = lambda_module.SKILL.services.store
    stored = store.answers(
        kitchen.device.user_id, start=datetime(2020, 1, 1, tzinfo=UTC), until=bedroom.now, limit=9
    )
    assert sorted((a.partner_name, a.text) for a in stored) == [
        ("Jordan", "jordan in the bedroom"),
        ("Maya", "maya in the kitchen"),
    ]
    profile = store.get_profile(kitchen.device.user_id)
    assert profile is not None and profile.current is not None
    assert set(profile.current.answered) == {"a", "b"}


def test_a_response_too_big_with_its_session_drops_the_session_not_the_speech() -> None:
    """Alexa's 24 KB covers session attributes: speech that fits is never lost to them."""
    from skill.app import MAX_RESPONSE_BYTES, _finish

    long = "<speak>" + "a long recap, " * 500 + "more?</speak>"  # about 7 KB
    speech = {"type": "SSML", "ssml": long}
    raw = {
        "version": "1.0",
        "sessionAttributes": {"awaiting": {"moment": "recap_more"}, "padding": "x" * 20_000},
        "response": {"outputSpeech": speech, "shouldEndSession": True},
    }
    finished = _finish("IntentRequest", raw).envelope
    assert len(json.dumps(finished).encode()) <= MAX_RESPONSE_BYTES
    assert "sessionAttributes" not in finished
    assert finished["response"]["outputSpeech"] == speech


# -- trust: deletion by voice and outages, on DynamoDB ------------------------------------------


def _household_items(store: Any, household: str) -> list[dict[str, Any]]:
    reply = store.client.query(
        TableName=store.table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": household}},
    )
    return list(reply.get("Items", []))


def test_forget_everything_through_lambda_leaves_no_item_of_the_household(
    lambda_module: ModuleType,
) -> None:
    store = lambda_module.SKILL.services.store
    couple = Couple(
        lambda_module.SKILL, handler=lambda event: lambda_module.lambda_handler(event, None)
    )
    couple.onboard()
    couple.answer("the lake house")
    couple.answer("your laugh")
    assert len(_household_items(store, couple.device.user_id)) == 3
    couple.intent("DeleteAllIntent", new_session=True)
    couple.intent("AMAZON.YesIntent")
    assert _household_items(store, couple.device.user_id) == []


def test_dynamodb_failing_during_an_answer_is_told_and_the_answer_lands_once_it_recovers(
    lambda_module: ModuleType,
) -> None:
    from botocore.awsrequest import AWSResponse

    store = lambda_module.SKILL.services.store
    couple = Couple(
        lambda_module.SKILL, handler=lambda event: lambda_module.lambda_handler(event, None)
    )
    couple.onboard()
    down = {"on": True}

    def refuse(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if not down["on"]:
            return None
        raw = AWSResponse("http://dynamodb", 500, {}, None)
        return raw, {
            "Error": {"Code": "InternalServerError", "Message": "down"},
            "ResponseMetadata": {},
        }

    store.client.meta.events.register("before-call.dynamodb.TransactWriteItems", refuse)
    try:
        told = couple.answer("said while the table was down")
        assert any(v.format(name="Sam") in told.text for v in CONTENT.variants("answer.not_saved"))
        assert [i for i in _household_items(store, couple.device.user_id) if "text" in i] == []
        down["on"] = False
        couple.intent("AMAZON.YesIntent")
    finally:
        store.client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", refuse)
    texts = [i["text"]["S"] for i in _household_items(store, couple.device.user_id) if "text" in i]
    assert texts == ["said while the table was down"]
