"""Spoken content as data: stages, questions and prompts, one folder per locale."""

from __future__ import annotations

import json
import string
import zlib
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from skill.content.shuffle import variant

DEFAULT_LOCALE = "en-US"
# The locales the skill is published in (interaction_model/locales.json; a test holds the two
# equal). Their content is read through `fallbacks`: en-GB, then en, then en-US.
PUBLISHED_LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
STAGE_COUNT = 6
ROOT = Path(__file__).parent  # the locale folders (the zip is unpacked to a folder on Lambda)
# What a question asks for; "reflect" when the bank names no kind. Check-ins and seasonal
# questions recur (skill.question_order); every other kind is asked in the stage's bank order.
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


# Named tuples, not frozen dataclasses: defining each dataclass costs a cold start about
# 0.3 ms (it compiles its methods); these values need no more than a tuple gives (issue 21).
class Stage(NamedTuple):
    number: int
    key: str
    name: str
    summary: str
    description: str
    reminder: str
    tips: tuple[str, ...]


class Question(NamedTuple):
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


class Content(NamedTuple):
    """Everything the skill says in one locale."""

    locale: str
    stages: tuple[Stage, ...]
    questions: dict[int, tuple[Question, ...]]
    prompts: dict[str, tuple[str, ...]]
    retired: dict[str, Question]  # old ids that stored answers use
    # Every turn looks tonight's question up by id: once, not through five hundred.
    by_id: dict[str, Question]  # asked and retired alike

    def stage(self, number: int) -> Stage:
        return self.stages[number - 1]

    def question(self, question_id: str) -> Question | None:
        """A question by id, asked now or retired (stored answers name retired ones too)."""
        return self.by_id.get(question_id)

    def variants(self, key: str) -> tuple[str, ...]:
        return self.prompts[key]

    def plural(self, key: str, count: object) -> str:
        """The key of a prompt's form for a count: `key#one` for one, `key#other` for any
        other number, when the prompt has plural forms; else `key` itself."""
        if not isinstance(count, int) or isinstance(count, bool):
            return key
        form = f"{key}#one" if count == 1 else f"{key}#other"
        return form if form in self.prompts else key

    def at_hour(self, key: str, band: str) -> str:
        """The key of a prompt's wording for a part of the day (`key@evening`, see
        skill.local_time.HOUR_BANDS), when the prompt has them; else `key` itself."""
        form = f"{key}@{band}"
        return form if form in self.prompts else key

    def choose(self, key: str, seed: str = "", *, couple: str | None = None, draw: int = 0) -> int:
        """Which variant of a prompt to use.

        For a `couple` (a stable name of the household), the `draw`th time the couple hears
        this line (its evening, or a turn within an evening: skill.handlers.turn) is dealt
        from a shuffle of its variants that is theirs alone (skill.content.shuffle): no
        variant twice in a row, and no weekly pattern. Otherwise a stable hash of the seed
        (the request ID) picks one.
        """
        count = len(self.prompts[key])
        if couple is not None:
            return variant(count, f"{couple}|{key}", draw)
        return zlib.crc32(f"{seed}:{key}".encode()) % count

    def say(self, key: str, *, seed: str = "", **values: object) -> str:
        """One variant of a prompt (its plural form for a `count`), chosen by `choose`."""
        key = self.plural(key, values.get("count"))
        return self.prompts[key][self.choose(key, seed)].format(**values)


def fallbacks(locale: str | None) -> tuple[str, ...]:
    """Where a locale's content is read from, most specific first: en-GB, en, then en-US.

    Only folders that exist are named; en-US, which holds every file, always comes last.
    """
    folders = [str(locale)] if locale else []
    if locale and "-" in locale:
        folders.append(locale.split("-", 1)[0])
    folders.append(DEFAULT_LOCALE)
    return tuple(
        dict.fromkeys(f for f in folders if f == DEFAULT_LOCALE or ROOT.joinpath(f).is_dir())
    )


@cache
def _read(folder: str, name: str) -> object:
    """One file of one folder, parsed once for the life of the process (None: no such file)."""
    path = ROOT.joinpath(folder, name)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def content_data(locale: str | None, name: str) -> object:
    """A content file as a locale reads it: the request's locale, then its language, then en-US.

    A JSON object is resolved key by key (a locale's file holds only what it says
    differently); anything else comes whole from the most specific folder that has it.
    """
    found = [(folder, data) for folder in fallbacks(locale) if (data := _read(folder, name))]
    if not found:
        raise FileNotFoundError(f"no content file {name!r} for {locale!r} or {DEFAULT_LOCALE}")
    base_folder, base = found[-1]
    if not isinstance(base, dict):
        return found[0][1]
    merged = dict(base)
    for folder, layer in reversed(found[:-1]):
        layer = json_object(layer, f"{folder}/{name}")
        unknown = sorted(k for k in layer if k not in base and not k.startswith("_"))
        if unknown:
            raise ValueError(f"{folder}/{name}: no such keys in {base_folder}: {unknown}")
        merged.update(layer)
    return merged


def json_list(value: object, where: str) -> list[Any]:
    """A content file's list, checked (asserts vanish under python -O): bad content stops the
    load, clearly. Every reader of content data (prompts, safety, the not-answer phrases)
    checks with this and `json_object`."""
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a JSON list, found {type(value).__name__}")
    return value


def json_object(value: object, where: str) -> dict[str, Any]:
    """A real check (asserts vanish under python -O): bad content stops the load, clearly."""
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a JSON object, found {type(value).__name__}")
    return value


def _question(value: object, stage: int, where: str) -> Question:
    raw = json_object(value, where)
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


@cache
def _folder_prompts(folder: str) -> dict[str, tuple[str, ...]]:
    """A folder's prompts.json and per-feature prompts-<feature>.json; a key lives in one only."""
    here = ROOT.joinpath(folder)
    extra = sorted(p.name for p in here.iterdir()) if here.is_dir() else []
    names = [n for n in extra if n == "prompts.json" or n.startswith("prompts-")]
    merged: dict[str, tuple[str, ...]] = {}
    for name in names:
        for key, value in json_object(_read(folder, name), f"{folder}/{name}").items():
            if key.startswith("_"):
                continue
            if key in merged:
                raise ValueError(f"{folder}/{name}: prompt {key!r} is already defined")
            merged[key] = tuple(value) if isinstance(value, list) else (value,)
    return merged


def _prompts(chain: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Every prompt key of en-US, each in the wording of the most specific folder that has it."""
    base = _folder_prompts(DEFAULT_LOCALE)
    merged = dict(base)
    for folder in reversed(chain[:-1]):
        layer = _folder_prompts(folder)
        unknown = sorted(set(layer) - set(base))
        if unknown:
            raise ValueError(f"{folder}: no such prompts in {DEFAULT_LOCALE}: {unknown}")
        merged.update(layer)
    return merged


def _has_own(chain: tuple[str, ...], name: str) -> bool:
    return any(_read(folder, name) is not None for folder in chain[:-1])


def load_content(locale: str = DEFAULT_LOCALE) -> Content:
    """One locale's content, every file resolved through `fallbacks` (cached per process).

    en-US is parsed once; another locale shares its stages and questions unless it has
    files of its own, and words differently only the prompts its folders hold.
    """
    return _load_content(locale)  # one cache entry per locale, however it is called


@cache
def _load_content(locale: str) -> Content:
    chain = fallbacks(locale)
    base = _load_content(DEFAULT_LOCALE) if locale != DEFAULT_LOCALE else None
    if base is not None and not _has_own(chain, "stages.json"):
        stages = base.stages
    else:
        stages = _stages(json_list(content_data(locale, "stages.json"), f"{locale}/stages.json"))
    if base is not None and not _has_own(chain, "questions.json"):
        questions, retired = base.questions, base.retired
    else:
        raw = json_object(content_data(locale, "questions.json"), f"{locale}/questions.json")
        questions, retired = _bank(raw, stages, locale)
    return Content(
        locale=locale,
        stages=stages,
        questions=questions,
        prompts=_prompts(chain),
        retired=retired,
        by_id={**retired, **{q.id: q for bank in questions.values() for q in bank}},
    )


def _stages(raw_stages: list[Any]) -> tuple[Stage, ...]:
    return tuple(
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


def _bank(
    raw_questions: dict[str, Any], stages: tuple[Stage, ...], locale: str
) -> tuple[dict[int, tuple[Question, ...]], dict[str, Question]]:
    questions: dict[int, tuple[Question, ...]] = {}
    for stage in stages:
        where = f"{locale}/questions.json[{stage.key!r}]"
        bank = json_list(raw_questions.get(stage.key), where)
        questions[stage.number] = tuple(
            _question(q, stage.number, f"{where}[{i}]") for i, q in enumerate(bank)
        )
    retired: dict[str, Question] = {}
    where = f"{locale}/questions.json['_retired']"
    for i, value in enumerate(json_list(raw_questions.get("_retired", []), where)):
        stage_number = json_object(value, f"{where}[{i}]").get("stage")
        if not isinstance(stage_number, int):
            raise ValueError(f"{where}[{i}]: 'stage' must be a stage number")
        question = _question(value, stage_number, f"{where}[{i}]")
        retired[question.id] = question
    return questions, retired


def content_for(locale: str | None) -> Content:
    """The content a request's locale speaks: its own, its language's, else en-US's."""
    if locale in PUBLISHED_LOCALES:
        return load_content(locale)
    language = str(locale or "").split("-", 1)[0]
    if language.isalpha() and ROOT.joinpath(language).is_dir():
        return load_content(language)
    return load_content(DEFAULT_LOCALE)


def check_locales() -> None:
    """Fail at start, not on a couple's turn: every published locale resolves every file.

    A file a locale's folders say something of is read and merged now (an unknown key, a
    list where an object belongs, stops the start); one only en-US holds is read by the
    first turn that uses it (the safety data, with the first answer), not at every cold
    start: en-US alone has nothing to resolve, and the tests read every one of its files.
    """
    names = sorted(
        p.name
        for p in ROOT.joinpath(DEFAULT_LOCALE).iterdir()
        if p.name.endswith(".json")
        and not p.name.startswith("prompts")  # resolved key by key across files by _prompts
    )
    for locale in PUBLISHED_LOCALES:
        load_content(locale)
        own = [f for f in fallbacks(locale) if f != DEFAULT_LOCALE]
        for name in names:
            if any(ROOT.joinpath(folder, name).is_file() for folder in own):
                content_data(locale, name)


def supports_locale(locale: str | None) -> bool:
    """English locales share the en-US content; others are not supported yet."""
    return bool(locale) and str(locale).lower().startswith("en")
