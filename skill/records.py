"""Typed state: the household profile, stored answers and the Alexa session."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

PARTNERS = ("a", "b")


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

    @property
    def pending(self) -> str | None:
        """The next partner to answer, or None when both have."""
        return next((p for p in PARTNERS if p not in self.answered), None)

    def to_attributes(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "stage": self.stage,
            "day": self.day.isoformat(),
            "answered": list(self.answered),
        }

    @classmethod
    def from_attributes(cls, data: dict[str, Any]) -> CurrentQuestion:
        return cls(
            question_id=str(data["question_id"]),
            stage=int(data["stage"]),
            day=date.fromisoformat(str(data["day"])),
            answered=tuple(str(p) for p in data.get("answered", ())),
        )


@dataclass(frozen=True)
class Profile:
    """One household: the two partners, their stage, and their place in the question bank."""

    household_id: str
    partner_a: str
    partner_b: str
    stage: int = 1
    asked: dict[int, tuple[str, ...]] = field(default_factory=dict)
    completed: dict[int, int] = field(default_factory=dict)  # questions both answered, per stage
    current: CurrentQuestion | None = None
    tip_turn: int = 0
    created_at: str = ""
    version: int = 0  # 0 means never stored

    def name(self, partner: str) -> str:
        return self.partner_a if partner == "a" else self.partner_b

    def asked_in(self, stage: int) -> tuple[str, ...]:
        return self.asked.get(stage, ())

    def completed_in(self, stage: int) -> int:
        return self.completed.get(stage, 0)

    def with_changes(self, **changes: Any) -> Profile:
        return replace(self, **changes)

    def to_attributes(self) -> dict[str, Any]:
        return {
            "household_id": self.household_id,
            "partner_a": self.partner_a,
            "partner_b": self.partner_b,
            "stage": self.stage,
            "asked": {str(k): list(v) for k, v in self.asked.items()},
            "completed": {str(k): v for k, v in self.completed.items()},
            "current": self.current.to_attributes() if self.current else None,
            "tip_turn": self.tip_turn,
            "created_at": self.created_at,
            "version": self.version,
        }

    @classmethod
    def from_attributes(cls, data: dict[str, Any]) -> Profile:
        current = data.get("current")
        return cls(
            household_id=str(data["household_id"]),
            partner_a=str(data["partner_a"]),
            partner_b=str(data["partner_b"]),
            stage=int(data.get("stage", 1)),
            asked={int(k): tuple(str(q) for q in v) for k, v in data.get("asked", {}).items()},
            completed={int(k): int(v) for k, v in data.get("completed", {}).items()},
            current=CurrentQuestion.from_attributes(current) if current else None,
            tip_turn=int(data.get("tip_turn", 0)),
            created_at=str(data.get("created_at", "")),
            version=int(data.get("version", 0)),
        )


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

    @property
    def day(self) -> date:
        return self.answered_at.astimezone(UTC).date()


@dataclass
class SessionState:
    """What the skill remembers between turns of one Alexa session."""

    profile: Profile | None = None
    profile_loaded: bool = False
    awaiting: str | None = None  # what the last prompt asked for
    names: tuple[str, ...] = ()  # names heard during onboarding
    target_stage: int | None = None  # stage change awaiting confirmation
    recap_start: str | None = None  # recap window still to read, as ISO timestamps
    recap_until: str | None = None
    last_speech: str | None = None  # SSML, for "repeat"
    last_reprompt: str | None = None

    def to_attributes(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "profile": self.profile.to_attributes() if self.profile else None,
            "profile_loaded": self.profile_loaded,
            "awaiting": self.awaiting,
            "names": list(self.names),
            "target_stage": self.target_stage,
            "recap_start": self.recap_start,
            "recap_until": self.recap_until,
            "last_speech": self.last_speech,
            "last_reprompt": self.last_reprompt,
        }
        return {k: v for k, v in data.items() if v not in (None, [], False)}

    @classmethod
    def from_attributes(cls, data: dict[str, Any] | None) -> SessionState:
        """Rebuild the state; anything unreadable starts fresh rather than failing the turn."""
        if not data:
            return cls()
        try:
            profile = data.get("profile")
            target = data.get("target_stage")
            return cls(
                profile=Profile.from_attributes(profile) if profile else None,
                profile_loaded=bool(data.get("profile_loaded", False)),
                awaiting=data.get("awaiting"),
                names=tuple(str(n) for n in data.get("names", ())),
                target_stage=int(target) if target is not None else None,
                recap_start=data.get("recap_start"),
                recap_until=data.get("recap_until"),
                last_speech=data.get("last_speech"),
                last_reprompt=data.get("last_reprompt"),
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls()
