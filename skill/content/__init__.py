"""Spoken content as data: stages, questions and prompts, one folder per locale."""

from __future__ import annotations

import json
import string
import zlib
from dataclasses import dataclass, replace
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

    def choose(self, key: str, seed: str = "") -> int:
        """Which variant of a prompt to use: a stable hash of the seed (the request ID)."""
        return zlib.crc32(f"{seed}:{key}".encode()) % len(self.prompts[key])

    def say(self, key: str, seed: str = "", **values: object) -> str:
        """One variant of a prompt, chosen by `choose`, filled in."""
        return self.prompts[key][self.choose(key, seed)].format(**values)


def _read(locale: str, name: str) -> object:
    return json.loads(files(__package__).joinpath(locale, name).read_text(encoding="utf-8"))


@cache
def load_content(locale: str = DEFAULT_LOCALE) -> Content:
    """Load and index one locale's content (cached for the life of the process)."""
    if locale != DEFAULT_LOCALE:
        return _with_overrides(load_content(DEFAULT_LOCALE), locale)
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


def _with_overrides(english: Content, locale: str) -> Content:
    """en-US content with the prompts skill/content/overrides/<locale>.json words differently."""
    path = files(__package__).joinpath("overrides", f"{locale}.json")
    raw = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    changed = {
        key: tuple(value) if isinstance(value, list) else (value,)
        for key, value in raw.items()
        if not key.startswith("_")
    }
    unknown = sorted(set(changed) - set(english.prompts))
    if unknown:
        raise ValueError(f"{path}: no such prompts in {DEFAULT_LOCALE}: {unknown}")
    return replace(english, locale=locale, prompts={**english.prompts, **changed})


def supports_locale(locale: str | None) -> bool:
    """English locales share the en-US content; others are not supported yet."""
    return bool(locale) and str(locale).lower().startswith("en")
