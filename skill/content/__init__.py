"""Spoken content as data: stages, questions and prompts, one folder per locale."""

from __future__ import annotations

import json
import string
import zlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

DEFAULT_LOCALE = "en-US"
STAGE_COUNT = 6


@dataclass(frozen=True)
class Stage:
    number: int
    key: str
    name: str
    summary: str
    description: str
    reminder: str
    tips: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    stage: int
    text: str


def placeholders(template: str) -> frozenset[str]:
    """Names of the {placeholders} in a template."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


@dataclass(frozen=True)
class Content:
    """Everything the skill says in one locale."""

    locale: str
    stages: tuple[Stage, ...]
    questions: dict[int, tuple[Question, ...]]
    prompts: dict[str, tuple[str, ...]]

    def stage(self, number: int) -> Stage:
        return self.stages[number - 1]

    def question(self, question_id: str) -> Question | None:
        for bank in self.questions.values():
            for question in bank:
                if question.id == question_id:
                    return question
        return None

    def variants(self, key: str) -> tuple[str, ...]:
        return self.prompts[key]

    def choose(self, key: str, seed: str = "", *, rotation: int | None = None) -> int:
        """Which variant of a prompt to use.

        With a `rotation` (the evening's day number), variants take turns night after
        night, so a nightly line repeats only after as many nights as it has variants;
        otherwise a stable hash of the seed (the request ID) picks one.
        """
        count = len(self.prompts[key])
        if rotation is not None:
            return (rotation + zlib.crc32(key.encode())) % count
        return zlib.crc32(f"{seed}:{key}".encode()) % count

    def say(
        self, key: str, *, seed: str = "", rotation: int | None = None, **values: object
    ) -> str:
        """One variant of a prompt, chosen by `choose`, filled in."""
        return self.prompts[key][self.choose(key, seed, rotation=rotation)].format(**values)


def _read(locale: str, name: str) -> object:
    return json.loads(files(__package__).joinpath(locale, name).read_text(encoding="utf-8"))


@cache
def load_content(locale: str = DEFAULT_LOCALE) -> Content:
    """Load and index one locale's content (cached for the life of the process)."""
    raw_stages = _read(locale, "stages.json")
    raw_questions = _read(locale, "questions.json")
    raw_prompts = _read(locale, "prompts.json")
    assert isinstance(raw_stages, list)
    assert isinstance(raw_questions, dict)
    assert isinstance(raw_prompts, dict)
    stages = tuple(
        Stage(
            number=s["number"],
            key=s["key"],
            name=s["name"],
            summary=s["summary"],
            description=s["description"],
            reminder=s["reminder"],
            tips=tuple(s["tips"]),
        )
        for s in raw_stages
    )
    questions = {
        stage.number: tuple(
            Question(id=q["id"], stage=stage.number, text=q["text"])
            for q in raw_questions[stage.key]
        )
        for stage in stages
    }
    prompts = {
        key: tuple(value) if isinstance(value, list) else (value,)
        for key, value in raw_prompts.items()
        if not key.startswith("_")
    }
    return Content(locale=locale, stages=stages, questions=questions, prompts=prompts)


def content_for(locale: str | None) -> Content:
    """The content a request's locale speaks: every English locale shares en-US's words."""
    return load_content(DEFAULT_LOCALE)


def supports_locale(locale: str | None) -> bool:
    """English locales share the en-US content; others are not supported yet."""
    return bool(locale) and str(locale).lower().startswith("en")
