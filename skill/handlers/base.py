"""What every handler shares: the services it was built with and one Turn per request."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from hashlib import sha256
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import (
    Intent,
    IntentConfirmationStatus,
    IntentRequest,
    Slot,
    SlotConfirmationStatus,
)
from ask_sdk_model.dialog import ElicitSlotDirective
from ask_sdk_model.response import Response
from ask_sdk_model.ui import SimpleCard

from skill.config import Settings
from skill.content import Content, load_content
from skill.narration_clips import Clip
from skill.records import Answer, Profile, SessionState
from skill.speech import Audio, Speech
from skill.store import ConflictError, Store

log = logging.getLogger("stagewise")

# What a response can elicit: awaiting state -> (intent, slot).
ELICIT = {
    "answer": ("AnswerIntent", "answer"),
    "name": ("NamesIntent", "first_name"),
}


@dataclass
class Services:
    """Dependencies handlers are built with (never created at import)."""

    store: Store
    settings: Settings
    clips: Mapping[str, Clip] = field(default_factory=dict)  # content key -> narration clip

    def narration(self, key: str, text: str) -> Audio | None:
        """The published narration of a content key, when there is one for exactly this text."""
        base, clip = self.settings.audio_base_url, self.clips.get(key)
        if not base or clip is None or clip.text_sha256 != sha256(text.encode()).hexdigest():
            return None
        return Audio(url=f"{base}/{clip.file}", text=text, seconds=clip.seconds)


class Turn:
    """One request: its clock, its household, its session state and how to answer."""

    def __init__(self, handler_input: HandlerInput, services: Services) -> None:
        envelope = handler_input.request_envelope
        self.handler_input = handler_input
        self.services = services
        self.request = envelope.request
        self.now: datetime = _request_time(envelope.request)
        self.seed = str(getattr(envelope.request, "request_id", "") or "")
        system = envelope.context.system if envelope.context else None
        user = system.user if system and system.user else envelope.session and envelope.session.user
        self.household_id: str = (user.user_id if user else None) or "unknown"
        self.content: Content = load_content()
        self.has_session = envelope.session is not None
        attributes = (
            handler_input.attributes_manager.session_attributes if self.has_session else None
        )
        self.state = SessionState.from_attributes(attributes)

    @property
    def day(self) -> date:
        return self.now.date()

    # -- reading input -------------------------------------------------------------

    def slot(self, name: str) -> str | None:
        """A slot's spoken value, or None when the slot or its value is missing."""
        if not isinstance(self.request, IntentRequest):
            return None
        slot = get_slot(self.handler_input, name)
        value = slot.value if slot is not None else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    def number(self, name: str) -> int | None:
        """An AMAZON.NUMBER slot as an int, or None for anything that isn't a whole number."""
        value = self.slot(name)
        if value is None or not value.lstrip("-").isdigit():
            return None
        return int(value)

    # -- the household -------------------------------------------------------------

    def profile(self) -> Profile | None:
        """The household's profile: read once per session, then carried in the session."""
        carried = self.state.profile
        if carried is not None and carried.household_id != self.household_id:
            self.state.profile_loaded = False  # never act on another household's state
        if not self.state.profile_loaded:
            self.state.profile = self.services.store.get_profile(self.household_id)
            self.state.profile_loaded = True
        return self.state.profile

    def save(self, profile: Profile, change: Callable[[Profile], Profile] | None = None) -> Profile:
        """Store the profile; if another device wrote first, reapply `change` to theirs once."""
        return self._write(self.services.store.put_profile, profile, change)

    def save_answer(self, answer: Answer, change: Callable[[Profile], Profile]) -> Profile:
        """Store an answer with the profile change it makes, retrying once on a conflict."""
        profile = self.profile()
        assert profile is not None
        return self._write(
            lambda p: self.services.store.add_answer(answer, p), change(profile), change
        )

    def _write(
        self,
        write: Callable[[Profile], Profile],
        profile: Profile,
        change: Callable[[Profile], Profile] | None,
    ) -> Profile:
        try:
            stored = write(profile)
        except ConflictError:
            fresh = self.services.store.get_profile(self.household_id) if change else None
            if fresh is None or change is None:
                raise
            stored = write(change(fresh))
        self.state.profile, self.state.profile_loaded = stored, True
        return stored

    # -- speaking ------------------------------------------------------------------

    def line(self, key: str, **values: object) -> str:
        return self.content.say(key, seed=self.seed, **values)

    def speech(self, *keys: str, **values: object) -> Speech:
        return Speech().say(*(self.line(key, **values) for key in keys))

    def ask(
        self,
        speech: Speech,
        reprompt: Speech,
        *,
        awaiting: str | None = None,
        card: tuple[str, str] | None = None,
    ) -> Response:
        """Keep the session open for what the prompt asked; elicit a slot when that helps Alexa."""
        self.state.awaiting = awaiting
        return self._respond(speech.ssml(), reprompt.ssml(), ELICIT.get(awaiting or ""), card)

    def close(self, speech: Speech, card: tuple[str, str] | None = None) -> Response:
        """Say something and end the session."""
        self.state.awaiting = None
        return self._respond(speech.ssml(), None, None, card)

    def replay(self) -> Response:
        """Say the last response again, asking for the same thing."""
        elicit = ELICIT.get(self.state.awaiting or "")
        speech = self.state.last_speech or ""
        reprompt = self.state.last_reprompt or speech
        return self._respond(speech, reprompt, elicit, None)

    def empty(self) -> Response:
        return self.handler_input.response_builder.response

    def _respond(
        self,
        ssml: str,
        reprompt: str | None,
        elicit: tuple[str, str] | None,
        card: tuple[str, str] | None,
    ) -> Response:
        builder = self.handler_input.response_builder
        builder.speak(ssml)
        if reprompt is not None:
            builder.ask(reprompt)
            if elicit:
                builder.add_directive(_elicit_directive(*elicit))
        else:
            builder.set_should_end_session(True)
        if card:
            builder.set_card(SimpleCard(title=card[0], content=card[1]))
        self.state.last_speech, self.state.last_reprompt = ssml, reprompt
        if self.has_session:
            self.handler_input.attributes_manager.session_attributes = self.state.to_attributes()
        return builder.response


class Handler(AbstractRequestHandler):
    """A request handler built with the skill's services; `can_handle` never writes."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def turn(self, handler_input: HandlerInput) -> Turn:
        return Turn(handler_input, self.services)


def _elicit_directive(intent: str, slot: str) -> ElicitSlotDirective:
    slots = {
        name: Slot(name=name, confirmation_status=SlotConfirmationStatus.NONE)
        for name in INTENT_SLOTS[intent]
    }
    return ElicitSlotDirective(
        updated_intent=Intent(
            name=intent, slots=slots, confirmation_status=IntentConfirmationStatus.NONE
        ),
        slot_to_elicit=slot,
    )


INTENT_SLOTS = {"AnswerIntent": ("answer",), "NamesIntent": ("first_name", "second_name")}


def _request_time(request: Any) -> datetime:
    """'Now' is the request's timestamp, so a conversation replays exactly."""
    stamp = getattr(request, "timestamp", None)
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return datetime.now(UTC)


def request_type(handler_input: HandlerInput) -> str:
    """The request's type name ("IntentRequest", "AlexaSkillEvent.SkillDisabled", ...)."""
    request = handler_input.request_envelope.request
    return str(request.object_type) if request is not None and request.object_type else ""
