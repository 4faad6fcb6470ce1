"""Builds the skill once; Lambda, Flask and the console are thin wrappers around it."""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_model.request import Request
from ask_sdk_model.response import Response
from ask_sdk_model.ui import SsmlOutputSpeech

from skill.alexa_api import AlexaApi, AlexaApiFactory
from skill.config import Settings
from skill.content import check_locales, content_for
from skill.envelope_reader import EnvelopeSerializer
from skill.handlers import exception_handlers
from skill.handlers.routes import Dispatcher
from skill.handlers.turn import Services
from skill.logs import quiet_libraries
from skill.narration_clips import load_clips
from skill.privacy import where
from skill.request import SKILL_DISABLED, skill_of, user_of
from skill.speech import Speech
from skill.store import DeletionIncomplete, Store
from skill.store.connect import open_store

log = logging.getLogger("stagewise")
_serializer = EnvelopeSerializer()

MAX_RESPONSE_BYTES = 24 * 1024  # Alexa's limit for a whole response (docs)
# Requests that cannot take speech or open a session, whatever they carry (docs: skill
# events, reminders, AudioPlayer and PlaybackController, SessionEnded, exceptions,
# skill messages). Connections.Response is a dialog request and may speak.
SPEECHLESS_FAMILIES = (
    "AlexaSkillEvent.",
    "Reminders.",
    "AudioPlayer.",
    "PlaybackController.",
    "Messaging.",
)
SPEECHLESS_TYPES = frozenset({"SessionEndedRequest", "System.ExceptionEncountered"})
KNOWN_REQUEST_TYPES = frozenset(Request.discriminator_value_class_map)
FALLBACK_INTENT = "AMAZON.FallbackIntent"


class ForeignSkillError(Exception):
    """The request was meant for another skill (STAGEWISE_SKILL_ID is set and differs)."""


class MalformedRequestError(Exception):
    """The event is not an Alexa request envelope."""


class Stagewise:
    """The built skill and what it was built with (a plain class, not a dataclass: cheaper to
    define at every cold start)."""

    __slots__ = ("skill", "services")

    def __init__(self, skill: CustomSkill, services: Services) -> None:
        self.skill = skill
        self.services = services


def build_skill(
    settings: Settings | None = None,
    store: Store | None = None,
    alexa_api: AlexaApiFactory | None = None,
) -> Stagewise:
    """Wire handlers, exception handlers and the store into one skill."""
    settings = settings or Settings.from_env()
    quiet_libraries()  # botocore at DEBUG logs request bodies: names, answers, user IDs
    services = Services(
        store=store if store is not None else open_store(settings.store_url),
        settings=settings,
        clips=load_clips() if settings.audio_base_url else {},
    )
    if alexa_api is not None:  # tests and the console: a fake Alexa
        services.alexa_api = alexa_api
    check_locales()  # fail at start, not on a couple's first turn, if content is broken
    builder = SkillBuilder()
    builder.add_request_handler(Dispatcher(services))  # one handler: skill.handlers.routes
    for exception_handler in exception_handlers(services):
        builder.add_exception_handler(exception_handler)
    return Stagewise(skill=builder.create(), services=services)


def parse_envelope(event: dict[str, Any]) -> RequestEnvelope:
    """Deserialize an Alexa event, or raise MalformedRequestError with a one-line reason.

    Lenient: ask-sdk-model rejects a whole envelope for one enum value it does not know
    (a new Viewport mode, playerActivity or error type), and Amazon adds such values over
    time. On failure the envelope is read again without what is not needed for the dialog
    (context beyond System, the request's enum fields), then as a bare dialog (session,
    user, intent and slot values), before giving up.
    """
    if not isinstance(event, dict):
        raise MalformedRequestError("the body is not a JSON object")
    request = event.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise MalformedRequestError("no request.type: not an Alexa request envelope")
    if not isinstance(event.get("context"), dict) and not isinstance(event.get("session"), dict):
        raise MalformedRequestError("no context or session: not an Alexa request envelope")
    if request["type"] not in KNOWN_REQUEST_TYPES:
        raise MalformedRequestError("unreadable envelope: unknown request type")
    intent = request.get("intent")
    if request["type"] == "IntentRequest" and not (
        isinstance(intent, dict) and isinstance(intent.get("name"), str)
    ):  # an intent request naming no intent: heard as "I didn't catch that"
        event = {**event, "request": {**request, "intent": {"name": FALLBACK_INTENT}}}
    failure: Exception | None = None
    for attempt in _readings(event):
        try:
            envelope = _serializer.from_event(attempt, RequestEnvelope)
        except Exception as err:  # the SDK raises bare Exceptions and SerializationException
            failure = failure or err
            continue
        if envelope.request is None:
            raise MalformedRequestError("unknown request type")
        _steady_clock(envelope)
        return envelope
    raise MalformedRequestError(f"unreadable envelope: {type(failure).__name__}")


def _readings(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The event as sent, then with less and less of what the dialog does not need."""
    yield event
    trimmed = copy.deepcopy(event)
    context = trimmed.get("context")
    if isinstance(context, dict):  # Viewport(s), AudioPlayer, Display, Geolocation, ...
        trimmed["context"] = {"System": context["System"]} if "System" in context else {}
    request = trimmed["request"]
    for field in ("dialogState", "reason", "error", "cause", "body"):
        request.pop(field, None)
    intent = request.get("intent")
    if isinstance(intent, dict):
        intent.pop("confirmationStatus", None)
        slots = intent.get("slots")
        for slot in slots.values() if isinstance(slots, dict) else ():
            if isinstance(slot, dict):
                for field in ("confirmationStatus", "resolutions", "slotValue"):
                    slot.pop(field, None)
    yield trimmed
    yield _bare_dialog(event)


def _bare_dialog(event: dict[str, Any]) -> dict[str, Any]:
    """Only what a dialog turn uses, each field kept only if it has the right type."""
    request, context, session = (_mapping(event.get(k)) for k in ("request", "context", "session"))
    system = _mapping(context.get("System"))
    bare_request = {
        k: request[k]
        for k in ("type", "requestId", "timestamp", "locale")
        if isinstance(request.get(k), str)
    }
    intent = _mapping(request.get("intent"))
    if isinstance(intent.get("name"), str):
        slots = {
            name: {"name": name, **_strings(_mapping(slot), "value")}
            for name, slot in _mapping(intent.get("slots")).items()
            if isinstance(name, str)
        }
        bare_request["intent"] = {"name": intent["name"], "slots": slots}
    bare: dict[str, Any] = {"version": "1.0", "request": bare_request}
    ids = {
        "application": _strings(_mapping(system.get("application")), "applicationId"),
        "user": _strings(_mapping(system.get("user")), "userId"),
        "device": _strings(_mapping(system.get("device")), "deviceId"),
    }
    bare["context"] = {"System": {k: v for k, v in ids.items() if v}}
    if session:
        bare["session"] = {
            "new": session.get("new") is True,
            **_strings(session, "sessionId"),
            "application": _strings(_mapping(session.get("application")), "applicationId"),
            "user": _strings(_mapping(session.get("user")), "userId"),
            "attributes": _mapping(session.get("attributes")),
        }
    return bare


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(source: dict[str, Any], *keys: str) -> dict[str, str]:
    return {k: source[k] for k in keys if isinstance(source.get(k), str)}


def _steady_clock(envelope: RequestEnvelope) -> None:
    """A timestamp no real request has (year 1, year 9999) is read as 'now'.

    Date arithmetic near the ends of the calendar overflows; a turn needs a sane clock.
    """
    request = envelope.request
    stamp = getattr(request, "timestamp", None)
    if request is not None and isinstance(stamp, datetime) and not 2000 <= stamp.year <= 2999:
        request.timestamp = datetime.now(UTC)


def handle_event(app: Stagewise, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Answer one Alexa event with a serialized response envelope; nothing else escapes.

    A malformed envelope gets a spoken apology (or, for requests that cannot speak, an
    empty response), so Alexa never plays its error tone. Another skill's request and a
    request without a user are answered without touching storage.

    The one exception let out on purpose: DeletionIncomplete for AlexaSkillEvent.SkillDisabled
    (see `respond`).
    """
    kind = _request_type(event)
    if kind and kind not in KNOWN_REQUEST_TYPES:  # a type newer than the SDK: not a dialog
        log.info("request of an unknown type answered with nothing")
        return _empty()
    try:
        return respond(app, event, context=context)
    except DeletionIncomplete:
        raise
    except MalformedRequestError as err:
        log.warning("malformed request: %s", err)
        return _fallback(kind, _locale_of(event))
    except ForeignSkillError:
        log.warning("request for another skill ignored: %s", kind or "-")
        return _empty()
    except Exception as err:  # the skill's own exception handlers failed: last resort
        log.error("skill failed: %s", where(err))
        return _fallback(kind, _locale_of(event))


class Reply(NamedTuple):
    """A response envelope, and its JSON text when it was already encoded (to measure it)."""

    envelope: dict[str, Any]
    text: str | None = None

    def json(self) -> str:
        """The envelope as strict JSON, encoded once."""
        return self.text if self.text is not None else json.dumps(self.envelope, allow_nan=False)


def respond(
    app: Stagewise,
    event: dict[str, Any],
    envelope: RequestEnvelope | None = None,
    context: Any = None,
) -> dict[str, Any]:
    """Answer an event: the response envelope (see `reply`)."""
    return reply(app, event, envelope, context).envelope


def reply(
    app: Stagewise,
    event: dict[str, Any],
    envelope: RequestEnvelope | None = None,
    context: Any = None,
) -> Reply:
    """Answer an event (its envelope already parsed, or parsed here), with its JSON text.

    Raises MalformedRequestError for what is not an Alexa envelope and ForeignSkillError
    for another skill's request. SkillDisabled is read from the raw event, so it deletes
    even when the SDK cannot read the rest, and raises DeletionIncomplete if it could not:
    skill events are delivered asynchronously by Alexa, not by a waiting device (docs:
    https://developer.amazon.com/en-US/docs/alexa/smapi/skill-events-in-alexa-skills.html,
    and the one-hour timestamp allowance for skill events in
    https://developer.amazon.com/en-US/docs/alexa/custom-skills/host-a-custom-skill-as-a-web-service.html);
    a failed invocation is how a Lambda function tells Alexa the event was not handled,
    so the event can be delivered again, rather than answering 200 over data still there.
    """
    if _request_type(event) == SKILL_DISABLED:
        return Reply(_forget(app, event))
    envelope = envelope if envelope is not None else parse_envelope(event)
    expected = app.services.settings.skill_id
    if expected and skill_of(envelope) != expected:
        raise ForeignSkillError("request is for another skill")
    kind = str(getattr(envelope.request, "object_type", "") or "")
    if not user_of(envelope):  # never let requests without a user share one household
        log.warning("request without a user ID: %s", kind or "-")
        return Reply(_fallback(kind, str(getattr(envelope.request, "locale", "") or "")))
    response = app.skill.invoke(request_envelope=envelope, context=context)
    return _finish(kind, _as_dict(_serializer.serialize(response)))


def _forget(app: Stagewise, event: dict[str, Any]) -> dict[str, Any]:
    """SkillDisabled, read from the raw event: the one place a household is deleted on it."""
    system = _mapping(_mapping(event.get("context")).get("System"))
    user_id = _mapping(system.get("user")).get("userId")
    skill_id = _mapping(system.get("application")).get("applicationId")
    expected = app.services.settings.skill_id
    if expected and skill_id != expected:
        raise ForeignSkillError("request is for another skill")
    if isinstance(user_id, str) and user_id:
        from skill.handlers.events import forget_household  # only on this event

        alexa = _event_alexa(app, system.get("apiEndpoint"), system.get("apiAccessToken"))
        forget_household(app.services.store, user_id, alexa)
    return _empty()


def _event_alexa(app: Stagewise, endpoint: object, token: object) -> AlexaApi | None:
    """A client with an event's own API endpoint and token, when it carries both."""
    if isinstance(endpoint, str) and endpoint and isinstance(token, str) and token:
        return app.services.alexa_api(endpoint, token)
    return None


def speechless(kind: str) -> bool:
    """Whether a request type may never be answered with speech or an open session."""
    return kind in SPEECHLESS_TYPES or kind.startswith(SPEECHLESS_FAMILIES)


def _finish(kind: str, raw: dict[str, Any]) -> Reply:
    """Hold the response to Alexa's rules whatever the handlers made of it.

    Speechless requests lose speech and session; the response is valid JSON (no NaN) and
    within 24 KB, dropping the session attributes first if it is not. The JSON it was
    measured as comes with it (the web endpoint sends that text as it is).
    """
    response = raw.setdefault("response", {})
    if speechless(kind):
        for field in ("outputSpeech", "reprompt", "card", "shouldEndSession"):
            response.pop(field, None)
        raw.pop("sessionAttributes", None)
    # Session attributes are written by the dispatcher from our own typed state (exception
    # handlers clear them), so a forged attribute is never echoed back.
    attributes = raw.pop("sessionAttributes", None)
    kept = {**raw, "sessionAttributes": attributes}
    if isinstance(attributes, dict) and attributes:
        text = _json_text(kept)
        if text is not None and len(text) <= MAX_RESPONSE_BYTES:
            return Reply(kept, text)  # measured with its attributes: valid and small enough
    text = _json_text(raw)
    if text is None or len(text) > MAX_RESPONSE_BYTES:
        log.error("response over %d bytes replaced: %s", MAX_RESPONSE_BYTES, kind or "-")
        return Reply(_fallback(kind, ""))
    return Reply(raw, text)


def _json_text(raw: dict[str, Any]) -> str | None:
    """The response as strict JSON (ASCII, so its length is its size in bytes); None if it is
    not valid JSON (NaN, say)."""
    try:
        return json.dumps(raw, allow_nan=False)
    except (ValueError, TypeError):
        return None


def _fallback(kind: str, locale: str) -> dict[str, Any]:
    """Nothing for a request that cannot speak; a spoken apology for one that can."""
    if speechless(kind):
        return _empty()
    try:
        return apology_envelope(locale)
    except Exception as err:  # content itself failed: answer with nothing rather than crash
        log.error("apology failed: %s", where(err))
        return _empty()


def _empty() -> dict[str, Any]:
    return {"version": "1.0", "response": {}}


def apology_envelope(locale: str = "") -> dict[str, Any]:
    """A spoken apology that closes the session, for requests the skill could not take."""
    content = content_for(locale)
    spoken = Speech().say(content.say("error.unreadable")).ssml()
    speech = SsmlOutputSpeech(ssml=f"<speak>{spoken}</speak>")
    envelope = ResponseEnvelope(
        version="1.0", response=Response(output_speech=speech, should_end_session=True)
    )
    return _as_dict(_serializer.serialize(envelope))


def _request_type(event: object) -> str:
    request = event.get("request") if isinstance(event, dict) else None
    kind = request.get("type") if isinstance(request, dict) else None
    return kind if isinstance(kind, str) else ""


def _locale_of(event: object) -> str:
    request = event.get("request") if isinstance(event, dict) else None
    locale = request.get("locale") if isinstance(request, dict) else None
    return locale if isinstance(locale, str) else ""


def _as_dict(serialized: object) -> dict[str, Any]:
    assert isinstance(serialized, dict)
    return serialized
