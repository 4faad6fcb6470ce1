"""Spoken content as data: stages, questions and prompts, one folder per locale."""

from __future__ import annotations

import json
import string
import zlib
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from typing import Any

DEFAULT_LOCALE = "en-US"
ENGLISH_LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")  # one English source
STAGE_COUNT = 6
# What a question asks for; "reflect" when the bank names no kind. Check-ins and seasonal
# questions recur (skill.ritual); every other kind is asked in the stage's bank order.
KINDS = (
    "reflect",
    "playful",
    "hypothetical",
    "guess",
    "tell",
    "needs",
    "everyday",
    "checkin",
    "seasonal",
)
RECURRING_KINDS = ("checkin", "seasonal")
SEASONS = ("winter", "spring", "summer", "autumn")  # a seasonal question names one


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
    tone: str = "warm"  # light, warm or deep; the bank order never puts two deep ones together
    kind: str = "reflect"  # one of KINDS
    season: str | None = None  # a seasonal question's season, one of SEASONS

    @property
    def recurring(self) -> bool:
        """A check-in or seasonal question: asked on its own schedule, not in bank order."""
        return self.kind in RECURRING_KINDS


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
    retired: dict[str, Question] = field(default_factory=dict)  # old ids that stored answers use
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Every turn looks tonight's question up by id: once, not through five hundred.
        by_id = dict(self.retired)
        by_id.update((q.id, q) for bank in self.questions.values() for q in bank)
        object.__setattr__(self, "_by_id", by_id)

    def stage(self, number: int) -> Stage:
        return self.stages[number - 1]

    def question(self, question_id: str) -> Question | None:
        """A question by id, asked now or retired (stored answers name retired ones too)."""
        return self._by_id.get(question_id)

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


def _as_list(value: object, where: str) -> list[Any]:
    """A real check (asserts vanish under python -O): bad content stops the load, clearly."""
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a JSON list, found {type(value).__name__}")
    return value


def _as_dict(value: object, where: str) -> dict[str, Any]:
    """A real check (asserts vanish under python -O): bad content stops the load, clearly."""
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a JSON object, found {type(value).__name__}")
    return value


def _question(value: object, stage: int, where: str) -> Question:
    raw = _as_dict(value, where)
    missing = [name for name in ("id", "text") if not isinstance(raw.get(name), str)]
    if missing:
        raise ValueError(f"{where}: missing or non-text {', '.join(missing)}")
    kind, season = raw.get("kind", "reflect"), raw.get("season")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    if (kind == "seasonal") != (season is not None) or (season and season not in SEASONS):
        raise ValueError(f"{where}: a seasonal question names one season of {SEASONS}, no other")
    return Question(
        id=raw["id"],
        stage=stage,
        text=raw["text"],
        tone=str(raw.get("tone", "warm")),
        kind=str(kind),
        season=str(season) if season else None,
    )


def _prompt_files(locale: str) -> dict[str, object]:
    """prompts.json and, per feature, prompts-<feature>.json; a key may live in one only."""
    folder = files(__package__).joinpath(locale)
    extra = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    names = [
        "prompts.json",
        *(n for n in extra if n.startswith("prompts-") and n.endswith(".json")),
    ]
    merged: dict[str, object] = {}
    for name in names:
        for key, value in _as_dict(_read(locale, name), f"{locale}/{name}").items():
            if key in merged and not key.startswith("_"):
                raise ValueError(f"{locale}/{name}: prompt {key!r} is already defined")
            merged[key] = value
    return merged


@cache
def load_content(locale: str = DEFAULT_LOCALE) -> Content:
    """Load and index one locale's content (cached for the life of the process)."""
    if locale != DEFAULT_LOCALE:
        return _with_overrides(load_content(DEFAULT_LOCALE), locale)
    raw_stages = _as_list(_read(locale, "stages.json"), f"{locale}/stages.json")
    raw_questions = _as_dict(_read(locale, "questions.json"), f"{locale}/questions.json")
    raw_prompts = _prompt_files(locale)
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
    questions: dict[int, tuple[Question, ...]] = {}
    for stage in stages:
        where = f"{locale}/questions.json[{stage.key!r}]"
        bank = _as_list(raw_questions.get(stage.key), where)
        questions[stage.number] = tuple(
            _question(q, stage.number, f"{where}[{i}]") for i, q in enumerate(bank)
        )
    retired: dict[str, Question] = {}
    where = f"{locale}/questions.json['_retired']"
    for i, value in enumerate(_as_list(raw_questions.get("_retired", []), where)):
        stage_number = _as_dict(value, f"{where}[{i}]").get("stage")
        if not isinstance(stage_number, int):
            raise ValueError(f"{where}[{i}]: 'stage' must be a stage number")
        question = _question(value, stage_number, f"{where}[{i}]")
        retired[question.id] = question
    prompts = {
        key: tuple(value) if isinstance(value, list) else (value,)
        for key, value in raw_prompts.items()
        if not key.startswith("_")
    }
    return Content(
        locale=locale, stages=stages, questions=questions, prompts=prompts, retired=retired
    )


def content_for(locale: str | None) -> Content:
    """The content a request's locale speaks: en-US's words, with the locale's overrides."""
    if locale in ENGLISH_LOCALES:
        return load_content(locale)
    return load_content(DEFAULT_LOCALE)


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
