"""Content lint: six stages, consistent prompts, lengths fit for speech.

Data lint is counted as data lint: each check is one test over every item, naming every
item that fails (the question bank's own checks are in tests/test_question_bank.py).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from skill.content import (
    PUBLISHED_LOCALES,
    STAGE_COUNT,
    Question,
    Stage,
    load_content,
    placeholders,
)
from skill.local_time import BANDS
from skill.speech import MAX_SPEECH_CHARS, Speech

CONTENT = load_content()
ROOT = Path(__file__).resolve().parents[1]
SOURCE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "source"
    / "six-stages-of-emotional-intimacy.txt"
)
QUESTIONS = [q for bank in CONTENT.questions.values() for q in bank]
WORDS_PER_SECOND = 2.5  # a calm speaking pace
NOT_FOR_US = re.compile(
    r"\b(sex\w*|naked|bed(room)?|therap\w*|diagnos\w*|trauma\w*|disorder|heal)\b", re.I
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("’", "'"))


def spoken_strings() -> list[str]:
    out = [q.text for q in QUESTIONS]
    for stage in CONTENT.stages:
        out += [stage.summary, stage.description, stage.reminder, *stage.tips]
    return out


def test_six_stages_in_order() -> None:
    assert [s.number for s in CONTENT.stages] == list(range(1, STAGE_COUNT + 1))
    assert [s.key for s in CONTENT.stages] == [
        "attraction",
        "trust",
        "vulnerability",
        "interdependence",
        "security",
        "renewal",
    ]


def stage_faults(stages: Sequence[Stage]) -> list[str]:
    faults = []
    for stage in stages:
        if len(words(stage.description)) / WORDS_PER_SECOND > 45:  # about 110 words
            faults.append(f"{stage.key}: description over 45 seconds")
        if len(stage.tips) < 6:  # a week of tips; tests/test_question_bank.py checks more
            faults.append(f"{stage.key}: fewer than six tips")
        if len(stage.summary) > 120 or len(stage.reminder) > 160:
            faults.append(f"{stage.key}: summary or reminder too long")
        faults += [
            f"{stage.key}: tip {i} too long" for i, t in enumerate(stage.tips) if len(t) > 160
        ]
    return faults


def test_stage_texts_fit_the_ear() -> None:
    assert stage_faults(CONTENT.stages) == []
    long = CONTENT.stages[0]._replace(description="word " * 120, tips=())
    assert len(stage_faults([long])) == 2  # the check can fail


def question_faults(questions: Sequence[Question]) -> list[str]:
    """Open, short, safe, and not heard as a command; ids and texts unique."""
    faults = []
    for question in questions:
        text = question.text
        if not text.endswith("?") or len(text) > 160:
            faults.append(f"{question.id}: not a short question")
        if re.match(r"^(do|does|did|is|are|was|were|can|could|would|will|have|has)\b", text, re.I):
            faults.append(f"{question.id}: a yes-or-no opening")
        if NOT_FOR_US.search(text):
            faults.append(f"{question.id}: a word not for us")
        if text.lower().startswith(("help", "stop", "cancel")):
            faults.append(f"{question.id}: starts with a built-in command")
    for what, values in (
        ("id", [q.id for q in questions]),
        ("text", [q.text.lower() for q in questions]),
    ):
        faults += [f"{what} twice: {v}" for v, n in Counter(values).items() if n > 1]
    return faults


def test_questions_are_open_short_and_safe() -> None:
    assert question_faults(QUESTIONS) == []
    bad = [Question("x-1", 1, "Do you sleep?"), Question("x-1", 1, "Stop, therapy time?")]
    assert len(question_faults(bad)) == 4  # the check can fail


def test_each_stage_has_its_own_questions() -> None:
    faults = [
        f"stage {n}: {q.id}"
        for n in range(1, STAGE_COUNT + 1)
        for q in CONTENT.questions[n]
        if not q.id.startswith(f"{CONTENT.stage(n).key}-")
    ]
    assert faults == [] and all(len(CONTENT.questions[n]) >= 20 for n in CONTENT.questions)


def test_nothing_is_copied_from_the_source_article() -> None:
    if not SOURCE.exists():
        message = (
            f"SOURCE ARTICLE MISSING: {SOURCE} does not exist, so nothing checks that spoken "
            "content is not copied from it (clone beside ../shared to run this check)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must have it")
        pytest.skip(message)
    source = " ".join(words(SOURCE.read_text()))
    copied = []
    # Questions, tips and descriptions: tests/test_question_bank.py (each text checked once).
    stage_lines = [line for s in CONTENT.stages for line in (s.summary, s.reminder)]
    for text in stage_lines + [v for vs in CONTENT.prompts.values() for v in vs]:
        ws = words(text)
        for i in range(len(ws) - 5):
            run = " ".join(ws[i : i + 6])
            if f" {run} " in f" {source} ":
                copied.append(run)
    assert copied == []


def placeholder_faults(prompts: dict[str, tuple[str, ...]]) -> list[str]:
    """Every variant of a prompt names the same placeholders, by name."""
    faults = []
    for key, options in prompts.items():
        if not options or not all(o.strip() for o in options):
            faults.append(f"{key}: an empty variant")
        if len({placeholders(o) for o in options}) != 1:
            faults.append(f"{key}: variants name different placeholders")
        if any(re.search(r"\{\}|\{\d+\}", o) for o in options):
            faults.append(f"{key}: an unnamed placeholder")
    return faults


def test_prompt_variants_share_their_placeholders() -> None:
    assert placeholder_faults(CONTENT.prompts) == []
    assert len(placeholder_faults({"a": ("{x}", "{y}"), "b": ("{}",), "c": (" ",)})) == 3


def test_every_content_key_the_code_uses_exists_and_none_is_unused() -> None:
    code = [*(ROOT / "skill").rglob("*.py"), *(ROOT / "stagewise_tools").rglob("*.py")]
    source = "\n".join(p.read_text() for p in code)
    used = set(re.findall(r'"((?:[a-z_]+)\.[a-z_.]+)"', source))
    used = {k for k in used if k.split(".")[0] in {k2.split(".")[0] for k2 in CONTENT.prompts}}
    # Keys built as f"{key}.{what}":
    dynamic_prefixes = ("help.", "fallback.", "unclear.", "period.", "season.", "journey.span.")
    # A prompt with plural forms is used by its bare key and a count: `key#one`, `key#other`;
    # one worded for the hour by its bare key: `key@morning`, ... (Content.at_hour).
    forms = {bare(k) for k in CONTENT.prompts if bare(k) != k}
    assert used - set(CONTENT.prompts) - forms == set()
    unused = {
        k for k in CONTENT.prompts if bare(k) not in used and not k.startswith(dynamic_prefixes)
    }
    assert unused == set()


def bare(key: str) -> str:
    """A prompt's key without its plural form or part of the day."""
    return key.split("#")[0].split("@")[0]


def test_a_prompt_worded_by_the_hour_has_every_part_of_the_day_and_no_bare_key() -> None:
    banded = {k.split("@")[0] for k in CONTENT.prompts if "@" in k}
    assert {"goodbye.after_answers", "goodbye.general", "launch.welcome_back"} <= banded
    for key in banded:
        assert key not in CONTENT.prompts, key
        assert {f"{key}@{band}" for band in BANDS} <= set(CONTENT.prompts), key
    assert {k.split("@")[1] for k in CONTENT.prompts if "@" in k} == set(BANDS)


def test_a_prompt_with_plural_forms_has_both() -> None:
    forms = [k for k in CONTENT.prompts if "#" in k]
    assert forms  # "tonight's 1 answers" is not said any more
    for key in forms:
        base, form = key.split("#")
        assert form in ("one", "other"), key
        assert f"{base}#one" in CONTENT.prompts and f"{base}#other" in CONTENT.prompts, key
        assert base not in CONTENT.prompts, key
    one, two = (CONTENT.say("forget.done_tonight", count=n) for n in (1, 2))
    assert one != two
    assert "1 answers" not in CONTENT.say("forget.confirm_tonight", count=1)


def markup_faults(texts: Sequence[str]) -> list[str]:
    """Plain text that renders to valid SSML, whatever fills its placeholders."""
    faults = []
    for text in texts:
        if re.search(r"[<>&\"]", text):
            faults.append(f"markup in: {text[:60]!r}")
            continue
        ssml = Speech().say(text.format_map(_Anything())).ssml()
        try:
            ET.fromstring(f"<speak>{ssml}</speak>")
        except ET.ParseError:
            faults.append(f"invalid SSML from: {text[:60]!r}")
        if len(ssml) >= MAX_SPEECH_CHARS:
            faults.append(f"too long: {text[:60]!r}")
    return faults


def test_content_is_plain_text_that_renders_to_valid_ssml() -> None:
    texts = spoken_strings() + [v for vs in CONTENT.prompts.values() for v in vs]
    assert markup_faults(texts) == []
    assert len(markup_faults(["Sam <3 {name}", "fine, {name}"])) == 1


class _Anything(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "Sam & <Alex>"


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_a_stages_first_evening_introduces_it_in_forty_words_at_most(locale: str) -> None:
    """The introduction on a stage's first evening: a line, the summary, and how to hear
    more; the description waits for "tell me more about this stage"."""
    content = load_content(locale)
    for stage in content.stages:
        for intro in content.variants("question.stage_intro"):
            for hint in content.variants("stage.more_hint"):
                said = f"{intro.format(number=stage.number, stage_name=stage.name)} "
                said += f"{stage.summary} {hint}"
                assert len(said.split()) <= 40, said
                assert "tell me more about this stage" in hint.lower()


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
def test_the_first_evenings_opening_never_says_a_sentence_twice(locale: str) -> None:
    """Choosing a stage is answered with a short lead, then the stage's introduction and
    tonight's question in one breath: no sentence of the lead may come back in the way the
    question is asked, at any hour ("Wonderful. Let's begin. ... Let's begin. What does...")."""
    content = load_content(locale)

    def sentences(line: str) -> set[str]:
        return {s.strip().lower() for s in re.split(r"(?<=[.!?])\s", line) if "{" not in s}

    leads = [s for line in content.variants("onboarding.stage_chosen") for s in sentences(line)]
    asks = {k for k in content.prompts if k.split("@")[0] == "question.ask"}
    assert asks
    repeated = [
        (lead, key)
        for key in asks
        for line in content.variants(key)
        for lead in leads
        if lead in sentences(line) or lead.rstrip(".!?") in line.lower()
    ]
    assert repeated == []
