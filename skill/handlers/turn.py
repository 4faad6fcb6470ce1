"""One request as handlers see it: its clock, household, content and session state.

`TurnInterceptor` builds the Turn before any handler runs and writes the session state
back after; handlers read input, call plain functions, and answer with `ask` or `close`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from hashlib import sha256
from typing import Any, TypeVar

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Directive
from ask_sdk_model.response import Response
from ask_sdk_model.ui import Card

from skill.alexa_api import AlexaApi, AlexaApiError, AlexaApiFactory, http_alexa_api
from skill.config import Settings
from skill.content import Content, content_for
from skill.local_time import evening_of, evening_start, hour_band, zone_name_valid, zone_named
from skill.narration_clips import Clip
from skill.records import Answer, Profile, voice_key
from skill.request import Request
from skill.session import Awaiting, SessionState
from skill.speech import Audio, Speech
from skill.store import ConflictError, Store

log = logging.getLogger("stagewise")

T = TypeVar("T")


@dataclass
class Services:
    """Dependencies handlers are built with (never created at import)."""

    store: Store
    settings: Settings
    clips: Mapping[str, Clip] = field(default_factory=dict)  # content key -> narration clip
    alexa_api: AlexaApiFactory = http_alexa_api  # (apiEndpoint, apiAccessToken) -> client

    def narration(self, key: str, text: str) -> Audio | None:
        """The published narration of a content key, when there is one for exactly this text."""
        base, clip = self.settings.audio_base_url, self.clips.get(key)
        if not base or clip is None or clip.text_sha256 != sha256(text.encode()).hexdigest():
            return None
        return Audio(url=f"{base}/{clip.file}", text=text, seconds=clip.seconds)


class Household:
    """The household's profile: read once per session, written only if nobody wrote first.

    Every write takes a change (a function of the profile) rather than a finished profile:
    when another device wrote in between, the change is applied again to what they stored,
    and what the caller gets back is what was stored.
    """

    def __init__(self, store: Store, household_id: str, state: SessionState) -> None:
        self.store = store
        self.id = household_id
        self.state = state
        self.riders: list[Callable[[Profile], Profile]] = []  # ride along the next write

    def profile(self) -> Profile | None:
        """The household's profile, or None for a couple not met yet."""
        if not self.state.profile_loaded:
            self.state.profile = self.store.get_profile(self.id)
            self.state.profile_loaded = True
        return self.state.profile

    def reload(self) -> Profile | None:
        """The profile as stored now (a read even if the session carries one)."""
        self.forget_profile()
        return self.profile()

    def forget_profile(self) -> None:
        """What the session carries may be stale (a write's outcome was unknown): read it
        afresh when next needed."""
        self.state.profile, self.state.profile_loaded = None, False

    def couple(self) -> Profile | None:
        """The profile once both partners are named; None while they are still being met."""
        profile = self.profile()
        return profile if profile is not None and profile.complete else None

    def remember(self, change: Callable[[Profile], Profile]) -> None:
        """A small change (the device's zone) kept in the session now and stored with the
        turn's next write, if any: never a write of its own."""
        self.riders.append(change)
        if self.state.profile is not None:
            self.state.profile = change(self.state.profile)

    def change(self, change: Callable[[Profile], Profile]) -> Profile:
        """Apply a change to the stored profile; return what was stored."""
        stored, _ = self.update(lambda profile: (change(profile), None))
        return stored

    def update(
        self, change: Callable[[Profile], tuple[Profile, T]], base: Profile | None = None
    ) -> tuple[Profile, T]:
        """Apply a change that also decides something (tonight's question, say); return both.

        `base` is a profile not stored yet (a couple just met). The decision returned is
        always the one made from the profile that was stored.
        """
        return self._retrying(lambda profile: self._put(change(profile)), base)

    def add_answer(
        self,
        answer_for: Callable[[Profile], Answer],
        change: Callable[[Profile], Profile],
    ) -> tuple[Profile, Answer]:
        """Store an answer together with the profile change it makes, in one write.

        The answer is made from the profile being written (`answer_for`): when another
        device wrote first, it is made again from what they stored, so it is filed under
        the partner whose turn the stored evening says it is.
        """

        def write(profile: Profile) -> tuple[Profile, Answer]:
            answer = answer_for(profile)
            return self.store.add_answer(answer, change(profile)), answer

        return self._retrying(write)

    def delete_answers(
        self, answers: tuple[Answer, ...], change: Callable[[Profile], Profile]
    ) -> tuple[Profile, int]:
        """Delete answers together with the profile change that follows, in one write."""
        return self._retrying(
            lambda profile: _swapped(self.store.delete_answers(self.id, answers, change(profile)))
        )

    def replace_answer(
        self, old: Answer, correct: Callable[[Profile], Answer]
    ) -> tuple[Profile, Answer]:
        """Store a corrected answer in place of the one it corrects; `correct` builds it
        from the profile as stored (a rename may have come in between)."""

        def write(profile: Profile) -> tuple[Profile, Answer]:
            new = correct(profile)
            return self.store.replace_answer(old, new, profile), new

        return self._retrying(write)

    def _put(self, result: tuple[Profile, T]) -> tuple[Profile, T]:
        profile, decision = result
        return self.store.put_profile(profile), decision

    def _retrying(
        self, write: Callable[[Profile], tuple[Profile, T]], base: Profile | None = None
    ) -> tuple[Profile, T]:
        current = base if base is not None else self.profile()
        if current is None:
            raise LookupError("no profile to change")
        try:
            stored, decision = write(self._ridden(current))
        except ConflictError:
            fresh = self.store.get_profile(self.id)
            if fresh is None:
                raise
            stored, decision = write(self._ridden(fresh))
        self._keep(stored)
        return stored, decision

    def _ridden(self, profile: Profile) -> Profile:
        for change in self.riders:
            profile = change(profile)
        return profile

    def _keep(self, stored: Profile) -> Profile:
        self.state.profile, self.state.profile_loaded = stored, True
        return stored


class Turn:
    """One request: what was said, when, by which household, and how to answer."""

    def __init__(self, handler_input: HandlerInput, services: Services) -> None:
        self.handler_input = handler_input
        self.services = services
        self.request = Request.from_envelope(handler_input.request_envelope)
        self.intent: str | None = self.request.intent  # what is being handled (see `hear`)
        self.slots: dict[str, str] = dict(self.request.slots)
        self.now: datetime = self.request.timestamp
        self.seed = self.request.request_id
        self.locale = self.request.locale
        self.content: Content = content_for(self.locale)
        self.household_id: str = self.request.user_id or "unknown"
        self.has_session = self.request.has_session
        self.state = SessionState.from_attributes(
            dict(self.request.attributes) if self.has_session else None, self.household_id
        )
        self.household = Household(services.store, self.household_id, self.state)
        self.device_id = self.request.device_id
        # The speaker's voice (context.System.person), when recognised, as the profile keys it.
        person = self.request.person_id
        self.person_id = voice_key(person) if person else None
        self.preface: Speech | None = None  # said before whatever this turn answers
        self.router: Callable[[Turn], Response] | None = None  # set by the dispatcher
        self._zone: tzinfo | None = None
        self._day: date | None = None
        # Only a turn that writes the profile may ask Alexa for the zone: the answer is kept
        # with that write, so the zone is asked at most once a day (read-only turns such as
        # a recap use the zone last stored).
        self.may_refresh_zone = False
        self.api_calls = 0  # Alexa API clients handed out in this turn (at most one)

    def hear(self, intent: str, slots: dict[str, str] | None = None) -> None:
        """Handle the words as another intent: what an answer's text really asked for."""
        self.intent = intent
        self.slots = dict(slots or {})

    def redirect(self, intent: str, slots: dict[str, str] | None = None) -> Response:
        """Answer as if `intent` had been asked, through the same routing (in this moment)."""
        if self.router is None:
            raise LookupError("no router: the turn was not made by the dispatcher")
        self.hear(intent, slots)
        return self.router(self)

    # -- the couple's local time -----------------------------------------------------

    @property
    def day(self) -> date:
        """Tonight, in the couple's calendar: a night runs until 4 am local."""
        if self._day is None:
            self._day = evening_of(self.now, self.zone)
        return self._day

    @property
    def zone(self) -> tzinfo:
        """The device's time zone: cached in the profile, asked of Alexa at most once a day."""
        if self._zone is None:
            self._zone = self._find_zone()
        return self._zone

    def evening_start(self, day: date) -> datetime:
        return evening_start(day, self.zone)

    def alexa(self) -> AlexaApi | None:
        """A client of the Alexa APIs for this request; None when the request carries no token.

        One client a turn: the zone's one call, or a reminder step's two at most
        (skill.reminders), each within the client's deadline.
        """
        endpoint, token = self.request.api_endpoint, self.request.api_token
        if not endpoint or not token or self.api_calls:
            return None
        self.api_calls += 1
        return self.services.alexa_api(endpoint, token)

    def _find_zone(self) -> tzinfo:
        profile = self.household.profile()
        ritual = profile.ritual if profile is not None else None
        cached = ritual.time_zone if ritual else ""
        if (
            ritual is not None
            and cached
            and ritual.tz_checked_on == evening_of(self.now, zone_named(cached))
        ):
            return zone_named(cached)  # checked this evening (their evening, not UTC's)
        client = self.alexa() if self.device_id and self.may_refresh_zone else None
        if client is None:
            return zone_named(cached)
        try:
            found = client.time_zone(self.device_id)
        except AlexaApiError as err:
            log.warning("time zone unavailable, using %s: %s", cached or "UTC", err)
            found = ""
        name = found if zone_name_valid(found) else cached  # unknown or malformed: keep ours
        checked = evening_of(self.now, zone_named(name))  # the evening in the zone now known
        self.household.remember(
            lambda p: p.with_changes(
                ritual=p.ritual.with_changes(time_zone=name, tz_checked_on=checked)
            )
        )
        return zone_named(name)

    # -- reading input -------------------------------------------------------------

    def slot(self, name: str) -> str | None:
        """A slot's spoken value, or None when the slot or its value is missing."""
        return self.slots.get(name)

    def number(self, name: str) -> int | None:
        """An AMAZON.NUMBER slot as an int, or None for anything that isn't a whole number."""
        value = self.slot(name)
        if value is None or not value.isascii() or not value.lstrip("-").isdigit():
            return None
        return int(value)

    # -- speaking ------------------------------------------------------------------

    def _known_zone(self) -> tzinfo:
        """The zone the couple is already known to be in: choosing a line's wording never
        costs a call to Alexa."""
        if self._zone is not None:
            return self._zone
        profile = self.state.profile
        return zone_named(profile.ritual.time_zone if profile is not None else "")

    @property
    def evening_number(self) -> int:
        """Tonight's number (its local date's ordinal): which draw of a nightly line it is."""
        if self._zone is not None:
            return self.day.toordinal()
        return evening_of(self.now, self._known_zone()).toordinal()

    @property
    def band(self) -> str:
        """The part of the couple's day it is now (skill.local_time.hour_band)."""
        return hour_band(self.now, self._known_zone())

    def wording(self, key: str, *, count: object = None) -> str:
        """The key whose variants are said here: its plural form for a `count`, its form
        for the hour (`key@late`, ...)."""
        return self.content.at_hour(self.content.plural(key, count), self.band)

    def variant(self, key: str, *, nth: int = 0, of: int = 1) -> int:
        """Which variant of a (resolved) key this couple hears now.

        A line heard once an evening is drawn once per evening; a line said `of` times an
        evening (each partner's answer said back: `of=2`) is drawn `of` times, and `nth`
        says which of them this is, so the two partners hear different wordings.
        """
        draw = self.evening_number * of + nth
        return self.content.choose(key, couple=self.household_id, draw=draw)

    def line(self, key: str, *, nth: int = 0, of: int = 1, **values: object) -> str:
        """One variant of a prompt, for this couple, this evening and this hour.

        A `count` among the values picks the prompt's plural form (`key#one`/`key#other`).
        """
        key = self.wording(key, count=values.get("count"))
        index = self.variant(key, nth=nth, of=of)
        return self.content.variants(key)[index].format(**values)

    def speech(self, *keys: str, **values: Any) -> Speech:
        """Lines said one after the other (each as `line` words it), with the same values."""
        return Speech().say(*(self.line(key, **values) for key in keys))

    def narrated(self, key: str, text: str) -> Speech:
        """Static content: its published narration clip when there is one, else Alexa's voice."""
        clip = self.services.narration(key, text)
        return Speech().play(clip) if clip else Speech().say(text)

    def ask(
        self,
        speech: Speech,
        reprompt: Speech,
        awaiting: Awaiting | None = None,
        *,
        card: Card | None = None,
        screen: Directive | None = None,
    ) -> Response:
        """Keep the session open for what the prompt asked: the moment, with only its data."""
        self.state.awaiting = awaiting
        return self._respond(speech, reprompt, card, screen)

    def close(self, speech: Speech, card: Card | None = None) -> Response:
        """Say something and end the session (whatever was awaited is dropped)."""
        self.state.awaiting = None
        return self._respond(speech, None, card)

    def empty(self) -> Response:
        return self.handler_input.response_builder.response

    def _respond(
        self,
        speech: Speech,
        reprompt: Speech | None,
        card: Card | None = None,
        screen: Directive | None = None,
    ) -> Response:
        if self.preface is not None:
            speech = Speech([*self.preface.parts, *speech.parts])
        builder = self.handler_input.response_builder
        builder.speak(speech.ssml())
        if reprompt is not None:
            builder.ask(reprompt.ssml())
        else:
            builder.set_should_end_session(True)
        if card is not None:
            builder.set_card(card)
        if screen is not None:
            builder.add_directive(screen)
        return builder.response


def _swapped(result: tuple[int, Profile]) -> tuple[Profile, int]:
    count, profile = result
    return profile, count
