"""The session's state as a whole, and how it travels in the session attributes.

Besides the moment awaited (skill.session.moments) the session keeps the household's
profile (read once per session, carried packed and unpacked only when a step asks for it)
and two facts of the conversation: the answer last said back and the evening last read
back, each checked against the request's household.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from skill.records import Answer, Profile
from skill.session.moments import Awaiting, Moment, awaiting_from
from skill.session.values import as_dict, as_list, as_text, ours


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
            profile = _profile_of(packed) if isinstance(packed, str) else None
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
            last_answer = ours(Answer.from_dict(as_dict(last)), household_id) if last else None
            state = cls(
                profile=profile,
                profile_loaded=data.get("profile_loaded") is True,
                awaiting=awaiting_from(data.get("awaiting"), household_id),
                last_answer=last_answer,
                last_evening=as_text(data["last_evening"]) if data.get("last_evening") else None,
                voices_asked=tuple(as_text(v) for v in as_list(data.get("voices_asked", []))),
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


def _packed(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=64)
def _profile_of(packed: str) -> Profile:
    """A packed profile read back. Kept for a while: a session's turns that leave the profile
    as it was (help, repeat, "give me a second") carry the same string, and a warm container
    reads it once. A Profile is immutable, so turns can share one."""
    return Profile.from_dict(_unpacked(packed))


def _unpacked(value: object) -> dict[str, Any]:
    """A packed profile (or, from a session of the previous release, a plain object)."""
    data = json.loads(value) if isinstance(value, str) else value
    return as_dict(data)
