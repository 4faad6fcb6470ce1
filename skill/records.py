"""Typed records: the household profile and stored answers, with their one field mapping.

`to_dict`/`from_dict` name each record's fields once; the session carries those dicts
and the store (skill.store.items) wraps them with the table's keys.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from skill.journey import Journey
from skill.reconnect import Ritual

PARTNERS = ("a", "b")
VOICE_KEY_CHARS = 12  # 48 bits of SHA-256: two voices of one household never collide
_VOICE_KEY = re.compile(rf"[0-9a-f]{{{VOICE_KEY_CHARS}}}")


def voice_key(person_id: str) -> str:
    """A short one-way key for an Alexa voice profile (personId): the profile keeps this only.

    Alexa's person IDs run to about 120 characters; two of them were a quarter of a stored
    profile, and the skill only ever needs to recognise one again, never to read it back.
    """
    digest = hashlib.sha256(f"person:{person_id}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:VOICE_KEY_CHARS]


def iso(moment: datetime) -> str:
    """UTC timestamp with fixed width, so strings sort in time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class CurrentQuestion:
    """Tonight's question and who has answered it so far."""

    question_id: str
    stage: int
    day: date
    answered: tuple[str, ...] = ()
    order: tuple[str, ...] = PARTNERS  # who answers first tonight

    @property
    def pending(self) -> str | None:
        """The next partner to answer, or None when both have."""
        return next((p for p in self.order if p not in self.answered), None)

    def first(self, partner: str) -> CurrentQuestion:
        """The same question with `partner` answering before whoever has not answered yet."""
        rest = tuple(p for p in self.order if p != partner)
        return replace(self, order=(partner, *rest))

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "stage": self.stage,
            "day": self.day.isoformat(),
            "answered": list(self.answered),
            "order": list(self.order),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CurrentQuestion:
        order = tuple(str(p) for p in data.get("order", PARTNERS))
        return cls(
            question_id=str(data["question_id"]),
            stage=int(data["stage"]),
            day=date.fromisoformat(str(data["day"])),
            answered=tuple(str(p) for p in data.get("answered", ())),
            order=order if sorted(order) == list(PARTNERS) else PARTNERS,
        )


@dataclass(frozen=True)
class Place:
    """Where a couple is in one run of questions (a stage's bank order, its check-ins, a season).

    A position, not a list of what was asked, so it stays the same size however long a couple
    stays (skill.question_order.step reads and moves it). `ahead` holds ids asked this round further
    on in the run, passed over when reached: what a profile of the earlier shape (a list of
    asked ids per stage) turns into, and empty once the run has gone past them.
    """

    index: int = 0  # the position after the question last asked
    last: str = ""  # the id last asked: finds the place again when the bank gains questions
    rounds: int = 0  # times the run was used up and started again
    on: date | None = None  # the evening a recurring run last gave a question
    ahead: tuple[str, ...] = ()

    def to_list(self) -> list[Any]:
        """[index, last, rounds, on, ahead], the defaults at the end left out."""
        values: list[Any] = [
            self.index,
            self.last,
            self.rounds,
            self.on.isoformat() if self.on else None,
            list(self.ahead),
        ]
        defaults: list[Any] = [0, "", 0, None, []]
        while values and values[-1] == defaults[len(values) - 1]:
            values.pop()
        return values

    @classmethod
    def from_list(cls, values: list[Any]) -> Place:
        defaults: list[Any] = [0, "", 0, None, []]
        index, last, rounds, on, ahead = [*values, *defaults[len(values) :]]
        return cls(int(index), str(last), int(rounds), _day(on), tuple(str(a) for a in ahead))


@dataclass(frozen=True)
class Profile:
    """One household: the two partners, their stage, and their place in the question bank."""

    household_id: str
    partner_a: str
    partner_b: str
    stage: int = 1
    # skill.question_order.place_key -> Place
    places: dict[str, Place] = field(default_factory=dict)
    completed: dict[int, int] = field(default_factory=dict)  # questions both answered, per stage
    current: CurrentQuestion | None = None
    tip_turn: int = 0
    created_at: str = ""
    version: int = 0  # 0 means never stored
    tip_on: date | None = None  # the last evening a tip was given (at most one a week)
    reminder_on: date | None = None  # the last evening the stage reminder was said
    suggested_on: date | None = None  # the last evening a move to the next stage was suggested
    voices: dict[str, str] = field(default_factory=dict)  # voice_key(personId) -> "a"/"b"
    journey: Journey = field(default_factory=Journey)  # counters of the couple's path
    ritual: Ritual = field(default_factory=Ritual)  # their zone and weekly reminder

    @property
    def complete(self) -> bool:
        """Both partners named: onboarding is over (a first name alone is kept meanwhile)."""
        return bool(self.partner_a and self.partner_b)

    def name(self, partner: str) -> str:
        return self.partner_a if partner == "a" else self.partner_b

    def place(self, key: str) -> Place:
        """Where the couple is in a run of questions (the start, if never asked from it)."""
        return self.places.get(key) or Place()

    def completed_in(self, stage: int) -> int:
        return self.completed.get(stage, 0)

    def with_changes(self, **changes: Any) -> Profile:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The profile's fields by name: the session's attributes and the stored item's body."""
        data: dict[str, Any] = {
            "household_id": self.household_id,
            "partner_a": self.partner_a,
            "partner_b": self.partner_b,
            "stage": self.stage,
            "places": {k: v.to_list() for k, v in self.places.items()},
            "completed": {str(k): v for k, v in self.completed.items()},
            "tip_turn": self.tip_turn,
            "created_at": self.created_at,
            "version": self.version,
            "voices": dict(self.voices),
            "journey": self.journey.to_dict(),
        }
        for name in ("tip_on", "reminder_on", "suggested_on"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.isoformat()
        if self.current:
            data["current"] = self.current.to_dict()
        if self.ritual != Ritual():
            data["ritual"] = self.ritual.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        """Read `to_dict`'s shape back; numbers may arrive as DynamoDB Decimals."""
        current = data.get("current")
        return cls(
            household_id=str(data["household_id"]),
            partner_a=str(data["partner_a"]),
            partner_b=str(data["partner_b"]),
            stage=int(data.get("stage", 1)),
            places=_places(data),
            completed={int(k): int(v) for k, v in data.get("completed", {}).items()},
            current=CurrentQuestion.from_dict(current) if current else None,
            tip_turn=int(data.get("tip_turn", 0)),
            created_at=str(data.get("created_at", "")),
            version=int(data.get("version", 0)),
            tip_on=_day(data.get("tip_on")),
            reminder_on=_day(data.get("reminder_on")),
            suggested_on=_day(data.get("suggested_on")),
            voices=_voices(data.get("voices", {})),
            journey=Journey.from_dict(data.get("journey")),
            ritual=Ritual.from_dict(data.get("ritual")),
        )


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _voices(stored: dict[str, Any]) -> dict[str, str]:
    """Voices by key; a profile stored before keys held the person IDs themselves."""
    return {
        key if _VOICE_KEY.fullmatch(key) else voice_key(key): str(partner)
        for key, partner in ((str(k), v) for k, v in stored.items())
        if partner in PARTNERS
    }


def _places(data: dict[str, Any]) -> dict[str, Place]:
    """The profile's places; a profile stored before places (ids asked per stage) migrates.

    Its asked ids become questions to pass over, so the next question is the one the list
    gave: the first of the stage's bank order not asked yet.
    """
    if "places" in data:
        return {str(k): Place.from_list(list(v)) for k, v in data["places"].items()}
    asked = data.get("asked", {})
    return {str(k): Place(ahead=tuple(str(q) for q in v)) for k, v in asked.items() if v}


@dataclass(frozen=True)
class Answer:
    """What one partner said to one question."""

    household_id: str
    answered_at: datetime
    partner: str
    partner_name: str
    stage: int
    question_id: str
    question_text: str
    text: str
    request_id: str = ""  # the Alexa request that said it: a retry of it is the same answer

    def to_dict(self) -> dict[str, Any]:
        """The answer's fields by name: the stored item's body, and the session's last answer."""
        return {
            "household_id": self.household_id,
            "answered_at": iso(self.answered_at),
            "partner": self.partner,
            "partner_name": self.partner_name,
            "stage": self.stage,
            "question_id": self.question_id,
            "question_text": self.question_text,
            "text": self.text,
            "request_id": self.request_id,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        return cls(
            household_id=str(data["household_id"]),
            answered_at=parse_iso(str(data["answered_at"])),
            partner=str(data["partner"]),
            partner_name=str(data["partner_name"]),
            stage=int(data["stage"]),
            question_id=str(data["question_id"]),
            question_text=str(data["question_text"]),
            text=str(data["text"]),
            request_id=str(data.get("request_id", "")),
        )
