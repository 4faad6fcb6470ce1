"""What the skill remembers between the turns of one Alexa session."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from skill.records import Answer, Profile


class Moment(StrEnum):
    """A point where the skill waits for something; skill.handlers.moments says what each does."""

    NAME = "name"  # onboarding: a first name
    STAGE_CHOICE = "stage_choice"  # onboarding: where to start
    ANSWER = "answer"  # a partner's answer to tonight's question
    QUESTION_OFFER = "question_offer"  # "would you like tonight's question?"
    RECAP_MORE = "recap_more"  # "would you like to hear more?"
    RECAP_TODAY = "recap_today"  # both answered: "want to hear tonight's answers?"
    STAGE_CONFIRM = "stage_confirm"  # "move to stage N?"
    RENAME = "rename"  # a known couple's new names
    YEAR_AGO = "year_ago"  # after both answers: "want to hear what you said a year ago?"
    FAVOURITE_MORE = "favourite_more"  # a favourite read: "want another?"
    WHO_SPEAKS = "who_speaks"  # a voice not known yet: "is this Maya or Jordan?"
    DELETE_CONFIRM = "delete_confirm"  # "delete all your answers...?"
    RETRY_SAVE = "retry_save"  # an answer could not be stored: "shall I try again?"
    REMINDER_CONFIRM = "reminder_confirm"  # "every Sunday at 8 pm: shall I set that up?"


@dataclass
class SessionState:
    """Session attributes, typed; anything unreadable starts fresh rather than failing the turn."""

    profile: Profile | None = None
    profile_loaded: bool = False
    moment: Moment | None = None  # what the last prompt asked for
    names: tuple[str, ...] = ()  # names heard during onboarding
    target_stage: int | None = None  # stage change awaiting confirmation
    recap_start: str | None = None  # recap window still to read, as ISO timestamps
    recap_until: str | None = None
    recap_stage: int | None = None  # the recap still to read is of one stage
    last_speech: str | None = None  # SSML, for "repeat"
    last_reprompt: str | None = None
    last_answer: Answer | None = None  # the answer last said back, for "that's not what I said"
    correcting: bool = False  # the awaited answer replaces `last_answer`
    last_evening: str | None = None  # the evening last read back, "question_id@day"
    favourite_next: int | None = None  # the next favourite to read (newest first)
    held_answer: str | None = None  # said by a voice not known yet: filed once we know whose
    deleting: str | None = None  # what a confirmed deletion removes: "all", "last", "tonight"
    to_delete: tuple[Answer, ...] = ()  # the answers it removes ("last", "tonight")
    unsaved: Answer | None = None  # an answer the store refused, kept to try again
    reminder_plan: str | None = None  # the weekly reminder proposed, "SU 20:00"

    def to_attributes(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            # One compact string: the SDK deep-copies and serializes session attributes on
            # every turn, and a nested profile made that the costliest part of a short turn.
            "profile": _packed(self.profile.to_dict()) if self.profile else None,
            "profile_loaded": self.profile_loaded,
            "awaiting": self.moment.value if self.moment else None,
            "names": list(self.names),
            "target_stage": self.target_stage,
            "recap_start": self.recap_start,
            "recap_until": self.recap_until,
            "recap_stage": self.recap_stage,
            "last_speech": self.last_speech,
            "last_reprompt": self.last_reprompt,
            "last_answer": self.last_answer.to_dict() if self.last_answer else None,
            "correcting": self.correcting,
            "held_answer": self.held_answer,
            "last_evening": self.last_evening,
            "favourite_next": self.favourite_next,
            "deleting": self.deleting,
            "to_delete": [a.to_dict() for a in self.to_delete],
            "unsaved": self.unsaved.to_dict() if self.unsaved else None,
            "reminder_plan": self.reminder_plan,
        }
        return {k: v for k, v in data.items() if v not in (None, [], False)}

    @classmethod
    def from_attributes(cls, data: dict[str, Any] | None) -> SessionState:
        if not data:
            return cls()
        try:
            profile = data.get("profile")
            target = data.get("target_stage")
            awaiting = data.get("awaiting")
            return cls(
                profile=Profile.from_dict(_unpacked(profile)) if profile else None,
                profile_loaded=bool(data.get("profile_loaded", False)),
                moment=Moment(awaiting) if awaiting is not None else None,
                names=tuple(str(n) for n in data.get("names", ())),
                target_stage=int(target) if target is not None else None,
                recap_start=_text(data.get("recap_start")),
                recap_until=_text(data.get("recap_until")),
                recap_stage=int(stage) if (stage := data.get("recap_stage")) is not None else None,
                last_speech=_text(data.get("last_speech")),
                last_reprompt=_text(data.get("last_reprompt")),
                last_answer=Answer.from_dict(last) if (last := data.get("last_answer")) else None,
                correcting=data.get("correcting") is True,
                held_answer=_text(data.get("held_answer")),
                last_evening=_text(data.get("last_evening")),
                favourite_next=int(n) if (n := data.get("favourite_next")) is not None else None,
                deleting=_choice(data.get("deleting"), DELETIONS),
                to_delete=tuple(Answer.from_dict(a) for a in data.get("to_delete", ())),
                unsaved=Answer.from_dict(kept) if (kept := data.get("unsaved")) else None,
                reminder_plan=_text(data.get("reminder_plan")),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls()


DELETIONS = ("all", "last", "tonight")


def _choice(value: object, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if value not in allowed:
        raise ValueError("not one of the allowed values")
    return str(value)


def _packed(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _unpacked(value: object) -> dict[str, Any]:
    """A packed profile (or, from a session of the previous release, a plain object)."""
    data = json.loads(value) if isinstance(value, str) else value
    if not isinstance(data, dict):
        raise TypeError("the session's profile is not an object")
    return data


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("session text must be a string")
    return value


_written = threading.local()  # per thread: gunicorn's threads each answer their own request


def remember_written(attributes: dict[str, Any]) -> None:
    """The session attributes our response interceptor wrote for the request in hand."""
    _written.attributes = attributes


def written_by_us(attributes: object) -> bool:
    """Whether a response's attributes are exactly what we wrote (so need no rebuilding)."""
    mine = getattr(_written, "attributes", None)
    _written.attributes = None
    return mine is not None and attributes == mine
