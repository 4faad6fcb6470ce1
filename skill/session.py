"""What the skill remembers between the turns of one Alexa session.

The one thing the skill waits for is a tagged union: an `Awaiting` subclass per moment,
holding that moment's data and nothing else. Every ask replaces it whole and every close
drops it, so a moment's data (an answer being corrected, an answer held while a voice is
asked for) cannot outlive the moment. Besides it the session keeps the household's
profile (read once per session) and two facts of the conversation: the answer last said
back and the evening last read back, each checked against the request's household.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import FrozenInstanceError
from enum import StrEnum
from typing import Any, ClassVar, dataclass_transform

from skill.records import Answer, Profile

DELETIONS = ("all", "last", "tonight")


class Moment(StrEnum):
    """A point where the skill waits for something; skill.handlers.moments says what each does."""

    NAME = "name"  # onboarding: a first name
    NAME_CONFIRM = "name_confirm"  # an unusual name heard: "Did I hear Sunny?"
    STAGE_CHOICE = "stage_choice"  # onboarding: where to start
    ANSWER = "answer"  # a partner's answer to tonight's question
    CORRECTION = "correction"  # "that's not what I said": the answer again
    QUESTION_OFFER = "question_offer"  # "would you like tonight's question?"
    RECAP_MORE = "recap_more"  # "would you like to hear more?"
    RECAP_TODAY = "recap_today"  # both answered: "want to hear tonight's answers?"
    KEEP_OFFER = "keep_offer"  # after a recap: "shall I keep that evening as a favourite?"
    STAGE_CONFIRM = "stage_confirm"  # "move to stage N?"
    RENAME = "rename"  # a known couple's new names
    RENAME_CONFIRM = "rename_confirm"  # "shall I call you Sam and Alex from now on?"
    YEAR_AGO = "year_ago"  # after both answers: "want to hear what you said a year ago?"
    FAVOURITE_MORE = "favourite_more"  # a favourite read: "want another?"
    WHO_SPEAKS = "who_speaks"  # a voice not known yet: "is this Maya or Jordan?"
    VOICE_CONFIRM = "voice_confirm"  # one voice known: "is this Jordan?"
    DELETE_CONFIRM = "delete_confirm"  # "delete all your answers...?"
    RETRY_SAVE = "retry_save"  # an answer could not be stored: "shall I try again?"
    REMINDER_CONFIRM = "reminder_confirm"  # "every Sunday at 8 pm: shall I set that up?"


@dataclass_transform(frozen_default=True)
class Awaiting:
    """What the last prompt asked for: one moment and only its data.

    Each moment is a subclass naming its fields as annotations, with defaults, like a frozen
    dataclass: built from its fields, compared by kind and values, never changed. Not a
    dataclass, for the cold start: a dataclass compiles six methods for each class, and the
    nineteen moments cost 7 ms of every cold start that way (Python 3.12, issue 21); these
    share one set of methods and only list their fields.
    """

    moment: ClassVar[Moment]
    _fields: ClassVar[tuple[tuple[str, str], ...]] = ()  # (name, annotation), in order
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls) -> None:
        own = [
            (name, str(kind))
            for name, kind in cls.__dict__.get("__annotations__", {}).items()
            if not str(kind).startswith("ClassVar")
        ]
        cls._fields = (*cls._fields, *own)
        cls._defaults = {**cls._defaults, **{n: cls.__dict__[n] for n, _ in own if n in vars(cls)}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = [name for name, _ in self._fields]
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} values")
        given = {**dict(zip(names, args, strict=False)), **kwargs}
        for name in names:
            if name not in given and name not in self._defaults:
                raise TypeError(f"{type(self).__name__} needs {name!r}")
            object.__setattr__(self, name, given.pop(name, self._defaults.get(name)))
        if given:
            raise TypeError(f"{type(self).__name__} has no field {sorted(given)[0]!r}")

    @classmethod
    def data_fields(cls) -> tuple[tuple[str, str], ...]:
        """The moment's fields: (name, annotation as written), in order."""
        return cls._fields

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name, _ in self._fields)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Awaiting)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self), self._values()))

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name, _ in self._fields)
        return f"{type(self).__name__}({values})"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"moment": self.moment.value}
        for name, _ in self._fields:
            value = getattr(self, name)
            if isinstance(value, Answer):
                value = value.to_dict()
            elif isinstance(value, tuple):
                value = [v.to_dict() if isinstance(v, Answer) else v for v in value]
            data[name] = value
        return data


class AskingName(Awaiting):
    moment = Moment.NAME
    names: tuple[str, ...] = ()  # first names heard so far (one at most)


class ConfirmingName(Awaiting):
    moment = Moment.NAME_CONFIRM
    names: tuple[str, ...]  # names already taken
    heard: tuple[str, ...]  # the unusual name (or pair) to confirm


class ChoosingStage(Awaiting):
    moment = Moment.STAGE_CHOICE
    names: tuple[str, ...]  # both first names, not stored until a stage is chosen


class Answering(Awaiting):
    moment = Moment.ANSWER  # whose turn it is lives in the stored evening (the profile)


class Correcting(Awaiting):
    moment = Moment.CORRECTION
    answer: Answer  # the stored answer the next words replace


class OfferingQuestion(Awaiting):
    moment = Moment.QUESTION_OFFER


class RecapMore(Awaiting):
    moment = Moment.RECAP_MORE
    start: str  # the window still to read, ISO timestamps
    until: str
    stage: int | None = None  # a recap of one stage
    then: str = ""  # "question": the weekly reconnect, which goes on to tonight's question


class OfferingTonightsRecap(Awaiting):
    moment = Moment.RECAP_TODAY


class OfferingKeep(Awaiting):
    moment = Moment.KEEP_OFFER
    evening: str  # "question_id@day": the evening just read


class ConfirmingStage(Awaiting):
    moment = Moment.STAGE_CONFIRM
    target: int


class Renaming(Awaiting):
    moment = Moment.RENAME


class ConfirmingRename(Awaiting):
    moment = Moment.RENAME_CONFIRM
    names: tuple[str, ...]  # the two new names


class OfferingYearAgo(Awaiting):
    moment = Moment.YEAR_AGO


class MoreFavourites(Awaiting):
    moment = Moment.FAVOURITE_MORE
    next: int  # the next favourite to read (newest first)


class AskingWho(Awaiting):
    moment = Moment.WHO_SPEAKS
    held: str | None = None  # said by a voice not known yet: filed once we know whose
    purpose: str = "speak"  # "speak", or "forget": whose voice to forget


class ConfirmingVoice(Awaiting):
    moment = Moment.VOICE_CONFIRM
    partner: str  # the partner asked about: "is this Jordan?"
    held: str | None = None


class ConfirmingDelete(Awaiting):
    moment = Moment.DELETE_CONFIRM
    what: str  # one of DELETIONS
    answers: tuple[Answer, ...] = ()  # the answers it removes ("last", "tonight")


class RetryingSave(Awaiting):
    moment = Moment.RETRY_SAVE
    answer: Answer  # refused by the store, kept to try again


class ConfirmingReminder(Awaiting):
    moment = Moment.REMINDER_CONFIRM
    plan: str  # the weekly reminder proposed, "SU 20:00"


KINDS: dict[Moment, type[Awaiting]] = {
    kind.moment: kind
    for kind in (
        AskingName,
        ConfirmingName,
        ChoosingStage,
        Answering,
        Correcting,
        OfferingQuestion,
        RecapMore,
        OfferingTonightsRecap,
        OfferingKeep,
        ConfirmingStage,
        Renaming,
        ConfirmingRename,
        OfferingYearAgo,
        MoreFavourites,
        AskingWho,
        ConfirmingVoice,
        ConfirmingDelete,
        RetryingSave,
        ConfirmingReminder,
    )
}


def awaiting_from(data: object, household_id: str) -> Awaiting | None:
    """Read a moment back; anything malformed, or naming another household, is None."""
    if not isinstance(data, dict):
        return None
    try:
        kind = KINDS[Moment(data["moment"])]
        values: dict[str, Any] = {}
        for name, annotation in kind.data_fields():
            if name not in data:
                continue  # the field's default, or a TypeError below if it has none
            values[name] = _field(annotation, data[name], household_id)
        awaiting = kind(**values)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if isinstance(awaiting, ConfirmingDelete) and awaiting.what not in DELETIONS:
        return None
    return awaiting


def _field(kind: object, value: object, household_id: str) -> object:
    """One field of a moment, typed as its annotation says (annotations are strings here)."""
    readers: dict[str, Callable[[object], object]] = {
        "str": _text,
        "str | None": lambda v: None if v is None else _text(v),
        "int": _whole,
        "int | None": lambda v: None if v is None else _whole(v),
        "tuple[str, ...]": lambda v: tuple(_text(n) for n in _list(v)),
        "Answer": lambda v: _ours(Answer.from_dict(_dict(v)), household_id),
        "tuple[Answer, ...]": lambda v: tuple(
            _ours(Answer.from_dict(_dict(a)), household_id) for a in _list(v)
        ),
    }
    return readers[str(kind)](value)


class SessionState:
    """Session attributes, typed; anything unreadable starts fresh rather than failing the turn.

    The profile travels packed (one JSON string) and is unpacked only when a step asks for
    it: a turn that needs nothing of it (help before the couple is met, stop) never parses
    it, and a turn that reads it without changing it hands the same string on.
    """

    def __init__(
        self,
        profile: Profile | None = None,
        profile_loaded: bool = False,
        awaiting: Awaiting | None = None,
        last_answer: Answer | None = None,
        last_evening: str | None = None,
        voices_asked: tuple[str, ...] = (),
    ) -> None:
        self._profile = profile
        self._loaded = profile_loaded
        self.awaiting = awaiting  # what the last prompt asked for, with only its data
        self.last_answer = last_answer  # the answer last said back ("that's not what I said")
        self.last_evening = last_evening  # the evening last read back, "question_id@day"
        self.voices_asked = voices_asked  # unknown voices asked who they are (once a session)
        # The profile as the session carried it, and for whom: unpacked on first use.
        self._packed: str | None = None
        self._household_id = ""
        self._unpacked_from: Profile | None = None  # what `_packed` unpacked to, unchanged

    @property
    def profile(self) -> Profile | None:
        """The household's profile as the session carries it (None: not carried, or unread)."""
        self._settle()
        return self._profile

    @profile.setter
    def profile(self, profile: Profile | None) -> None:
        self._profile = profile
        self._packed = self._unpacked_from = None  # whatever was carried is superseded

    @property
    def profile_loaded(self) -> bool:
        """Whether `profile` is the store's answer for this session (None: a couple not met)."""
        self._settle()  # a carried profile that cannot be read is not loaded
        return self._loaded

    @profile_loaded.setter
    def profile_loaded(self, loaded: bool) -> None:
        self._settle()  # first, so that a later unpacking cannot undo this
        self._loaded = loaded

    @property
    def moment(self) -> Moment | None:
        return self.awaiting.moment if self.awaiting is not None else None

    def to_attributes(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            # One compact string: the SDK deep-copies and serializes session attributes on
            # every turn, and a nested profile made that the costliest part of a short turn.
            "profile": self._profile_text(),
            "profile_loaded": self._loaded,
            "awaiting": self.awaiting.to_dict() if self.awaiting else None,
            "last_answer": self.last_answer.to_dict() if self.last_answer else None,
            "last_evening": self.last_evening,
            "voices_asked": list(self.voices_asked),
        }
        return {k: v for k, v in data.items() if v not in (None, [], False)}

    def _profile_text(self) -> str | None:
        """The packed profile: the string carried in, unless the profile changed since."""
        if self._packed is not None and (
            self._unpacked_from is None or self._profile is self._unpacked_from
        ):
            return self._packed  # not unpacked, or unpacked and unchanged
        return _packed(self._profile.to_dict()) if self._profile else None

    def _settle(self) -> None:
        """Unpack the profile the session carried, the first time anything asks for it."""
        if self._packed is not None and self._unpacked_from is None and self._profile is None:
            self._unpack()

    def _unpack(self) -> None:
        packed, self._packed = self._packed, None
        try:
            profile = Profile.from_dict(_unpacked(packed))
        except (KeyError, TypeError, ValueError, AttributeError):
            profile = None
        if profile is None or profile.household_id != self._household_id:
            self._loaded = False  # unreadable: read it from the store when needed
            return
        self._profile = self._unpacked_from = profile
        self._packed = packed

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SessionState):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq would be

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in zip(_STATE_FIELDS, self._values(), strict=True))
        return f"SessionState({values})"

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _STATE_FIELDS)

    @classmethod
    def from_attributes(cls, data: dict[str, Any] | None, household_id: str) -> SessionState:
        """The session's state, keeping only what belongs to `household_id` (the request's)."""
        if not data:
            return cls()
        try:
            packed = data.get("profile")
            lazy = isinstance(packed, str) and packed.startswith(_household_prefix(household_id))
            profile = None
            if packed and not lazy:  # someone else's, or a plain object from an older release
                profile = Profile.from_dict(_unpacked(packed))
                if profile.household_id != household_id:
                    return cls()  # never act on another household's state
            last = data.get("last_answer")
            last_answer = _ours(Answer.from_dict(_dict(last)), household_id) if last else None
            state = cls(
                profile=profile,
                profile_loaded=data.get("profile_loaded") is True,
                awaiting=awaiting_from(data.get("awaiting"), household_id),
                last_answer=last_answer,
                last_evening=_text(data["last_evening"]) if data.get("last_evening") else None,
                voices_asked=tuple(_text(v) for v in _list(data.get("voices_asked", []))),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls()
        if lazy:
            state._packed, state._household_id = packed, household_id
        return state


_STATE_FIELDS = (
    "profile",
    "profile_loaded",
    "awaiting",
    "last_answer",
    "last_evening",
    "voices_asked",
)


def _household_prefix(household_id: str) -> str:
    """How `_packed` begins for this household's profile (its first field is the household).

    A packed profile that begins otherwise is unpacked at once and checked as a whole.
    """
    return '{"household_id":' + json.dumps(household_id, ensure_ascii=False) + ","


def _ours(answer: Answer, household_id: str) -> Answer:
    """An answer carried in the session must be the request's household's own."""
    if answer.household_id != household_id:
        raise ValueError("the session's answer belongs to another household")
    return answer


def _packed(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _unpacked(value: object) -> dict[str, Any]:
    """A packed profile (or, from a session of the previous release, a plain object)."""
    data = json.loads(value) if isinstance(value, str) else value
    return _dict(data)


def _dict(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise TypeError("expected a list")
    return list(value)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("session text must be a string")
    return value


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise TypeError("expected a whole number")
    return int(value)
