"""The moments: each point where the skill waits for something, and that moment's data.

The one thing the skill waits for is a tagged union: an `Awaiting` subclass per `Moment`,
holding that moment's data and nothing else. Every ask replaces it whole and every close
drops it, so a moment's data (an answer being corrected, an answer held while a voice is
asked for) cannot outlive the moment. `awaiting_from` reads one back from the session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError
from enum import StrEnum
from typing import Any, ClassVar, dataclass_transform

from skill.records import Answer
from skill.session.values import as_dict, as_list, as_text, as_whole, ours

DELETIONS = ("all", "last", "tonight")


class Moment(StrEnum):
    """A point where the skill waits for something; skill.handlers.moments says what each does."""

    NAME = "name"  # onboarding: a first name
    NAME_CONFIRM = "name_confirm"  # an unusual name heard: "Did I hear Sunny?"
    STAGE_CHOICE = "stage_choice"  # onboarding: where to start
    ANSWER = "answer"  # a partner's answer to tonight's question
    CORRECTION = "correction"  # "that's not what I said": the answer again
    CORRECTION_CONFIRM = "correction_confirm"  # "no, his puns": "shall I change yours to...?"
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


class ConfirmingCorrection(Awaiting):
    moment = Moment.CORRECTION_CONFIRM
    answer: Answer  # the stored answer the new words would replace
    words: str  # the new words ("his puns")
    said: str  # all that was said ("no his puns"): the next partner's answer, if not a change


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
        ConfirmingCorrection,
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
        "str": as_text,
        "str | None": lambda v: None if v is None else as_text(v),
        "int": as_whole,
        "int | None": lambda v: None if v is None else as_whole(v),
        "tuple[str, ...]": lambda v: tuple(as_text(n) for n in as_list(v)),
        "Answer": lambda v: ours(Answer.from_dict(as_dict(v)), household_id),
        "tuple[Answer, ...]": lambda v: tuple(
            ours(Answer.from_dict(as_dict(a)), household_id) for a in as_list(v)
        ),
    }
    return readers[str(kind)](value)
