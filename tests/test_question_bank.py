"""Question bank lint, generated from the data: a year of evenings per stage, each one different.

Every check is a small function tested twice: on the real bank (parametrised per question or
per stage, so a failure names the culprit) and on a bad fixture, so none can pass vacuously.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

import skill.content as content_module
from skill.content import STAGE_COUNT, Question, load_content

CONTENT = load_content()
BANK = [q for number in range(1, STAGE_COUNT + 1) for q in CONTENT.questions[number]]
RETIRED = list(CONTENT.retired.values())
_LINT = json.loads((Path(__file__).parent / "data" / "lint_terms.json").read_text(encoding="utf-8"))
SIMILARITY = {k: _LINT.pop(k) for k in ("similarity_stop_words", "similarity_same_idea")}
TERMS: dict[str, list[str]] = {k: v for k, v in _LINT.items() if not k.startswith("_")}
SOURCE = Path(__file__).resolve().parents[2] / "shared/source/six-stages-of-emotional-intimacy.txt"

EVENINGS_PER_STAGE = 61  # 6 x 61 = 366: a year of evenings in one stage, or all six, no repeat
MAX_WORDS = 20  # about 8 seconds at a calm pace
MIN_TIPS = 6
TONES = ("light", "warm", "deep")
MAX_SAME_TONE_RUN = 3  # tones spread through the year, not a deep spring and a light winter
MIN_TONE_SHARE = 0.15  # a real mix: each tone is at least this share of a stage
YES_NO_START = re.compile(
    r"^(is|are|am|do|does|did|have|has|had|can|could|would|will|should|shall|was|were|may|might)\b",
    re.I,
)

# --- Similarity ------------------------------------------------------------------------------
# Two questions "ask the same thing" when the sets of ideas they carry overlap too much. Ideas
# are content words: lower-cased, light suffixes stripped, words that every question shares
# (question words, pronouns, "partner", intensifiers, light verbs) dropped, and a few words and
# phrases that say the same thing folded into one idea (both lists live in lint_terms.json).
# Jaccard (shared / all) on those sets.
STOP_WORDS = frozenset(SIMILARITY["similarity_stop_words"])
SAME_IDEA: dict[str, list[str]] = SIMILARITY["similarity_same_idea"]

# Justified by the fixtures below: every near-duplicate the issue named scores 0.5 or more, and
# questions that merely share one idea (two about laughter, two about a disagreement) score
# 0.4 or less once each carries a thought of its own.
SAME_QUESTION_THRESHOLD = 0.5


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


_PHRASES = sorted(
    ((p, idea) for idea, ps in SAME_IDEA.items() for p in ps if " " in p), key=lambda x: -len(x[0])
)
_WORD_IDEA = {_stem(w): idea for idea, ws in SAME_IDEA.items() for w in ws if " " not in w}


def ideas(text: str) -> frozenset[str]:
    """The content ideas of a question, for comparing what two questions ask."""
    spaced = " " + re.sub(r"[^a-z' ]", " ", text.lower().replace("’", "'")) + " "
    for phrase, idea in _PHRASES:
        spaced = spaced.replace(f" {phrase} ", f" {idea} ")
    out = set()
    for raw in spaced.split():
        word = raw.removesuffix("'s").strip("'")
        if not word or word in STOP_WORDS:
            continue
        word = _WORD_IDEA.get(word) or _WORD_IDEA.get(_stem(word)) or _stem(word)
        if word not in STOP_WORDS:
            out.add(word)
    return frozenset(out)


def similarity(a: str, b: str) -> float:
    """Jaccard overlap of two questions' ideas, 0 (nothing shared) to 1 (the same ideas)."""
    ia, ib = ideas(a), ideas(b)
    return len(ia & ib) / len(ia | ib) if ia | ib else 1.0


def same_questions(texts: Sequence[str]) -> list[tuple[float, str, str]]:
    """Pairs that ask the same thing, most similar first."""
    pairs = (
        (similarity(a, b), a, b)
        for a, b in itertools.combinations(texts, 2)
        if similarity(a, b) >= SAME_QUESTION_THRESHOLD
    )
    return sorted(pairs, reverse=True)


# --- The other checks, as plain functions ----------------------------------------------------


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("’", "'"))


def opening(text: str) -> str:
    return " ".join(words(text)[:3])


def crowded_openings(texts: Sequence[str]) -> dict[str, int]:
    """Three-word openings used by more than one question in ten (rounded down)."""
    limit = len(texts) // 10
    return {o: n for o, n in Counter(opening(t) for t in texts).items() if n > limit}


def question_faults(text: str) -> list[str]:
    """What is wrong with one question as a spoken, open, short question."""
    faults = []
    if not text.endswith("?") or text.count("?") != 1:
        faults.append("must end with its only question mark")
    if len(words(text)) > MAX_WORDS:
        faults.append(f"longer than {MAX_WORDS} words")
    if YES_NO_START.match(text):
        faults.append("reads as a yes-or-no question")
    return faults


def listed_terms(text: str, terms: Iterable[str]) -> list[str]:
    """Listed words or phrases found in a text as whole words, any case."""
    spaced = " " + " ".join(words(text)) + " "
    return [t for t in terms if f" {' '.join(words(t))} " in spaced]


def deep_pairs(tones: Sequence[str]) -> list[int]:
    """Positions where a deep question follows a deep one, counting the wrap from last to first."""
    return [i for i in range(len(tones)) if tones[i] == "deep" == tones[i - 1]]


def longest_same_tone_run(tones: Sequence[str]) -> int:
    """The most evenings in a row that share one tone (a light or warm streak tires too)."""
    return max((len(list(run)) for _, run in itertools.groupby(tones)), default=0)


def runs_shared_with(text: str, source_words: str, length: int = 6) -> list[str]:
    ws = words(text)
    runs = (" ".join(ws[i : i + length]) for i in range(len(ws) - length + 1))
    return [run for run in runs if f" {run} " in source_words]


def spoken_texts() -> list[tuple[str, str]]:
    """Every question, tip and description, with a readable id."""
    out = [(q.id, q.text) for q in BANK]
    for stage in CONTENT.stages:
        out += [(f"{stage.key}-tip-{i}", tip) for i, tip in enumerate(stage.tips, 1)]
        out.append((f"{stage.key}-description", stage.description))
    return out


SPOKEN = spoken_texts()
STAGES = [(stage.number, stage.key) for stage in CONTENT.stages]


def _stage_id(value: tuple[int, str]) -> str:
    return value[1]


# --- The bank --------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES, ids=_stage_id)
def test_each_stage_holds_a_year_of_evenings(stage: tuple[int, str]) -> None:
    number, key = stage
    bank = CONTENT.questions[number]
    assert len(bank) >= EVENINGS_PER_STAGE
    assert [q.id for q in bank if not re.fullmatch(rf"{key}-\d{{2,}}", q.id)] == []


def test_ids_are_unique_across_current_and_retired_questions() -> None:
    ids = [q.id for q in BANK] + [q.id for q in RETIRED]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert len({q.text.lower() for q in BANK}) == len(BANK)


@pytest.mark.parametrize("question", RETIRED, ids=lambda q: q.id)
def test_a_retired_question_still_resolves_for_old_answers(question: Question) -> None:
    assert CONTENT.question(question.id) == question
    key = CONTENT.stage(question.stage).key
    assert re.fullmatch(rf"{key}-\d{{2,}}", question.id)
    assert question.text.endswith("?")


# The weak questions issue 12 names: each is gone from the bank but still readable.
NAMED_IN_ISSUE_12 = [
    "attraction-24",  # "be more fully yourself"
    "trust-19",  # "be a better listener"
    "trust-20",  # "more steady and dependable"
    "vulnerability-13",  # "hide behind a smile"
    "vulnerability-15",  # "boundary"
    "vulnerability-18",  # "insecurity"
    "interdependence-21",  # "show up a little better"
    "renewal-15",  # "get better at together"
    "security-03",  # near-duplicate of attraction-05
    "vulnerability-06",  # near-duplicate of security-16
    "interdependence-11",  # near-duplicate of trust-12
    "interdependence-03",  # reads you without words (with -07; -08 stays)
    "interdependence-07",
]


@pytest.mark.parametrize("question_id", NAMED_IN_ISSUE_12)
def test_the_weak_questions_the_issue_named_are_retired(question_id: str) -> None:
    assert question_id not in {q.id for q in BANK}
    assert question_id in CONTENT.retired


@pytest.mark.parametrize("question", BANK, ids=lambda q: q.id)
def test_question_is_open_short_and_spoken(question: Question) -> None:
    assert question_faults(question.text) == []
    assert question.tone in TONES


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("Do you like the way your partner laughs?", "yes-or-no"),
        ("Is there a song that reminds you of your partner?", "yes-or-no"),
        ("What song reminds you of your partner.", "question mark"),
        ("What song? What film?", "question mark"),
        ("What " + "very " * 17 + "small thing makes you smile?", "longer than"),
    ],
)
def test_question_faults_are_caught(text: str, fault: str) -> None:
    assert any(fault in f for f in question_faults(text))


@pytest.mark.parametrize("stage", STAGES, ids=_stage_id)
def test_no_opening_is_heard_more_than_one_evening_in_ten(stage: tuple[int, str]) -> None:
    assert crowded_openings([q.text for q in CONTENT.questions[stage[0]]]) == {}


def test_crowded_openings_are_caught() -> None:
    texts = [f"What is one thing number {i}?" for i in range(2)] + ["When?"] * 8
    assert crowded_openings(texts) == {"what is one": 2, "when": 8}
    varied = [
        f"{w} comes here?"
        for w in ("how", "when", "where", "who", "why", "which", "if", "in", "on")
    ]
    assert crowded_openings(["What is one?", *varied]) == {}


def test_no_two_questions_in_the_bank_ask_the_same_thing() -> None:
    assert same_questions([q.text for q in BANK]) == []


# The near-duplicates issue 12 named, as they stood in the old bank (620c360).
OLD_NEAR_DUPLICATES = [
    (
        "What is a small habit of your partner's that you find charming?",  # attraction-05
        "What is one quirk of your partner's that you have grown to love?",  # security-03
    ),
    (
        "What is one side of you that only your partner gets to see?",  # vulnerability-06
        "What part of yourself do you feel free to show your partner that you rarely show"
        " others?",  # security-16
    ),
    (
        "When did your partner show up for you right when you needed it?",  # trust-12
        "When did you last feel your partner truly had your back?",  # interdependence-11
    ),
    (
        "What is one thing your partner understands about you without you having to explain?",
        "How can your partner tell you are having a hard day before you say so?",  # -07, -08
    ),
]


@pytest.mark.parametrize(("a", "b"), OLD_NEAR_DUPLICATES)
def test_similarity_catches_the_old_near_duplicates(a: str, b: str) -> None:
    assert similarity(a, b) >= SAME_QUESTION_THRESHOLD
    assert same_questions([a, b]) != []


@pytest.mark.parametrize(
    ("a", "b"),
    [  # different questions from the old bank that share a word or a theme
        ("When does your partner laugh the hardest?", "What is a shared joke with your partner?"),
        (
            "What is something a disagreement once taught you about your partner?",
            "What helps the two of you stay kind during a disagreement?",
        ),
        (
            "What was the first thing you noticed about your partner?",
            "When did you first feel you could really rely on your partner?",
        ),
    ],
)
def test_similarity_lets_different_questions_through(a: str, b: str) -> None:
    assert similarity(a, b) < SAME_QUESTION_THRESHOLD


@pytest.mark.parametrize("stage", STAGES, ids=_stage_id)
def test_each_stage_mixes_light_warm_and_deep(stage: tuple[int, str]) -> None:
    tones = Counter(q.tone for q in CONTENT.questions[stage[0]])
    total = sum(tones.values())
    assert {t: tones[t] for t in TONES if tones[t] < MIN_TONE_SHARE * total} == {}


@pytest.mark.parametrize("stage", STAGES, ids=_stage_id)
def test_the_nightly_order_spreads_tones_and_never_pairs_two_deep(stage: tuple[int, str]) -> None:
    bank = CONTENT.questions[stage[0]]
    assert [bank[i].id for i in deep_pairs([q.tone for q in bank])] == []
    assert bank[0].tone == "light"  # a couple's first evening in a stage starts gently
    assert longest_same_tone_run([q.tone for q in bank]) <= MAX_SAME_TONE_RUN


def test_deep_pairs_are_caught_including_the_wrap_around() -> None:
    assert deep_pairs(["light", "deep", "deep", "warm"]) == [2]
    assert deep_pairs(["deep", "light", "warm", "deep"]) == [0]
    assert deep_pairs(["deep", "light", "deep", "warm"]) == []
    assert longest_same_tone_run(["deep", "light", "light", "light", "light", "warm"]) == 4


# --- Everything spoken: questions, tips, descriptions ----------------------------------------


@pytest.mark.parametrize(("where", "text"), SPOKEN, ids=[w for w, _ in SPOKEN])
def test_no_six_word_run_is_shared_with_the_source_article(where: str, text: str) -> None:
    if not SOURCE.exists():
        pytest.skip(f"source article not found at {SOURCE}")
    source_words = " " + " ".join(words(SOURCE.read_text(encoding="utf-8"))) + " "
    assert runs_shared_with(text, source_words) == []


def test_shared_runs_are_caught() -> None:
    source = " " + " ".join(words("You notice similarities, share laughter, and lose track.")) + " "
    assert runs_shared_with("When did you notice similarities, share laughter, and grin?", source)
    assert runs_shared_with("When did you notice similarities and laugh together?", source) == []


@pytest.mark.parametrize(("where", "text"), SPOKEN, ids=[w for w, _ in SPOKEN])
def test_nothing_spoken_uses_a_clinical_guilt_or_sexual_term(where: str, text: str) -> None:
    found = listed_terms(text, TERMS["clinical"] + TERMS["guilt"] + TERMS["not_for_us"])
    assert found == []


@pytest.mark.parametrize("question", BANK, ids=lambda q: q.id)
def test_each_partner_has_an_answer_of_their_own(question: Question) -> None:
    assert listed_terms(question.text, TERMS["shared_answer"]) == []


def test_listed_terms_match_whole_words_in_any_case() -> None:
    assert listed_terms("Which Boundary matters?", ["boundary"]) == ["boundary"]
    assert listed_terms("How could you be a better listener?", ["a better listener"])
    assert listed_terms("What feels boundless?", ["boundary"]) == []
    assert listed_terms("What do you shoulder?", ["should"]) == []


@pytest.mark.parametrize("stage", CONTENT.stages, ids=lambda s: s.key)
def test_each_stage_has_a_week_of_tips(stage: content_module.Stage) -> None:
    assert len(stage.tips) >= MIN_TIPS
    assert len(set(stage.tips)) == len(stage.tips)
    assert [t for t in stage.tips if not t.endswith(".") or len(words(t)) > 25] == []


# --- Loading ---------------------------------------------------------------------------------


def _load_with(monkeypatch: pytest.MonkeyPatch, questions: object) -> content_module.Content:
    real_read = content_module._read

    def fake_read(locale: str, name: str) -> object:
        return questions if name == "questions.json" else real_read("en-US", name)

    monkeypatch.setattr(content_module, "_read", fake_read)
    return content_module._load_content.__wrapped__("en-US")  # type: ignore[attr-defined]


def _minimal_bank() -> dict[str, object]:
    return {
        key: [{"id": f"{key}-01", "text": "What?", "tone": "light"}]
        for key in (s.key for s in CONTENT.stages)
    }


def test_tones_and_retired_questions_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = {**_minimal_bank(), "_retired": [{"id": "trust-02", "stage": 2, "text": "Old?"}]}
    loaded = _load_with(monkeypatch, raw)
    assert loaded.question("attraction-01") == Question("attraction-01", 1, "What?", "light")
    assert loaded.question("trust-02") == Question("trust-02", 2, "Old?", "warm")
    assert loaded.question("trust-03") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"trust": {"id": "trust-01"}}, "'trust'"),
        ({"trust": [{"id": "trust-01"}]}, "text"),
        ({"_retired": [{"id": "trust-09", "text": "Old?"}]}, "stage"),
        ({"_retired": {"trust-09": "Old?"}}, "_retired"),
    ],
)
def test_malformed_questions_stop_the_load_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _load_with(monkeypatch, {**_minimal_bank(), **change})
