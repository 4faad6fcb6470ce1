"""Builds the skill once; Lambda, Flask and the console are thin wrappers around it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_model.response import Response
from ask_sdk_model.ui import SsmlOutputSpeech

from skill.alexa_api import AlexaApiFactory
from skill.config import Settings
from skill.content import content_for, load_content
from skill.handlers import exception_handlers, interceptors, request_handlers
from skill.handlers.turn import Services
from skill.narration_clips import load_clips
from skill.speech import Speech
from skill.store import Store, open_store

log = logging.getLogger("stagewise")
_serializer = DefaultSerializer()


class ForeignSkillError(Exception):
    """The request was meant for another skill (STAGEWISE_SKILL_ID is set and differs)."""


class MalformedRequestError(Exception):
    """The event is not an Alexa request envelope."""


@dataclass
class Stagewise:
    """The built skill and what it was built with."""

    skill: CustomSkill
    services: Services


def build_skill(
    settings: Settings | None = None,
    store: Store | None = None,
    alexa_api: AlexaApiFactory | None = None,
) -> Stagewise:
    """Wire handlers, exception handlers and the store into one skill."""
    settings = settings or Settings.from_env()
    services = Services(
        store=store if store is not None else open_store(settings.store_url),
        settings=settings,
        clips=load_clips() if settings.audio_base_url else {},
    )
    if alexa_api is not None:  # tests and the console: a fake Alexa
        services.alexa_api = alexa_api
    load_content()  # fail at start, not on a couple's first turn, if content is broken
    builder = SkillBuilder()
    for request_handler in request_handlers(services):
        builder.add_request_handler(request_handler)
    for exception_handler in exception_handlers(services):
        builder.add_exception_handler(exception_handler)
    before, after = interceptors(services)
    builder.add_global_request_interceptor(before)
    builder.add_global_response_interceptor(after)
    return Stagewise(skill=builder.create(), services=services)


def parse_envelope(event: dict[str, Any]) -> RequestEnvelope:
    """Deserialize an Alexa event, or raise MalformedRequestError with a one-line reason."""
    if not isinstance(event, dict):
        raise MalformedRequestError("the body is not a JSON object")
    request = event.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise MalformedRequestError("no request.type: not an Alexa request envelope")
    if not isinstance(event.get("context"), dict) and not isinstance(event.get("session"), dict):
        raise MalformedRequestError("no context or session: not an Alexa request envelope")
    try:
        envelope = _serializer.deserialize(json.dumps(event), RequestEnvelope)
    except Exception as err:  # the SDK raises bare Exceptions and SerializationException
        raise MalformedRequestError(f"unreadable envelope: {type(err).__name__}") from err
    if envelope.request is None:
        raise MalformedRequestError("unknown request type")
    return envelope


def application_id(envelope: RequestEnvelope) -> str | None:
    """The skill ID a request is addressed to (context first, then session)."""
    system = envelope.context.system if envelope.context else None
    if system and system.application:
        return system.application.application_id
    if envelope.session and envelope.session.application:
        return envelope.session.application.application_id
    return None


def handle_event(app: Stagewise, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Answer one Alexa event with a serialized response envelope.

    Raises ForeignSkillError for another skill's request. A malformed envelope gets
    a spoken apology rather than an exception, so Alexa never plays its error tone.
    """
    try:
        envelope = parse_envelope(event)
    except MalformedRequestError as err:
        log.warning("malformed request: %s", err)
        return apology_envelope(_locale_of(event))
    return respond(app, envelope, context)


def respond(app: Stagewise, envelope: RequestEnvelope, context: Any = None) -> dict[str, Any]:
    """Answer an already parsed envelope; raises ForeignSkillError for another skill's request."""
    expected = app.services.settings.skill_id
    if expected and application_id(envelope) != expected:
        raise ForeignSkillError("request is for another skill")
    response = app.skill.invoke(request_envelope=envelope, context=context)
    return _as_dict(_serializer.serialize(response))


def apology_envelope(locale: str = "") -> dict[str, Any]:
    """A spoken apology that closes the session, for requests the skill could not take."""
    content = content_for(locale)
    spoken = Speech().say(content.say("error.unreadable")).ssml()
    speech = SsmlOutputSpeech(ssml=f"<speak>{spoken}</speak>")
    envelope = ResponseEnvelope(
        version="1.0", response=Response(output_speech=speech, should_end_session=True)
    )
    return _as_dict(_serializer.serialize(envelope))


def _locale_of(event: object) -> str:
    request = event.get("request") if isinstance(event, dict) else None
    locale = request.get("locale") if isinstance(request, dict) else None
    return locale if isinstance(locale, str) else ""


def _as_dict(serialized: object) -> dict[str, Any]:
    assert isinstance(serialized, dict)
    return serialized
