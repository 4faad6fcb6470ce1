"""Question bank lint, generated from the data: a year of evenings per stage, each one different.

Each check is a plain function that returns what is wrong (an empty list when nothing is). It is
tested twice: on the real bank, where one assertion names every failing question, and on a bad
fixture, so no check can pass vacuously. A handful of tests cover every question this way, rather
than one test id per question.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pytest

import skill.content as content_module
from skill.content import KINDS, SEASONS, STAGE_COUNT, Question, Stage, load_content
from skill.question_order import SEASON_DAYS, SEASONAL_EVERY, main_run, recurring_runs

CONTENT = load_content()
BANK = [q for number in range(1, STAGE_COUNT + 1) for q in CONTENT.questions[number]]
STAGES = {number: list(CONTENT.questions[number]) for number in range(1, STAGE_COUNT + 1)}
RETIRED = list(CONTENT.retired.values())
_LINT = json.loads((Path(__file__).parent / "data" / "lint_terms.json").read_text(encoding="utf-8"))
SIMILARITY = {k: _LINT.pop(k) for k in ("similarity_stop_words", "similarity_same_idea")}
THEMES: dict[str, list[str]] = _LINT.pop("themes")
THEME_CAP: int = _LINT.pop("theme_cap_per_stage")
TERMS: dict[str, list[str]] = {k: v for k, v in _LINT.items() if not k.startswith("_")}
SHARED = Path(__file__).resolve().parents[2] / "shared"
SOURCE = SHARED / "source/six-stages-of-emotional-intimacy.txt"
REVIEW = SHARED / "reviews/question-review.tsv"

EVENINGS_PER_STAGE = 80  # about three months a night: the least the README promises a stage runs
MAX_WORDS = 20  # about 8 seconds at a calm pace
MIN_TIPS = 6
TONES = ("light", "warm", "deep")
MAX_SAME_TONE_RUN = 3  # tones spread through the year, not a deep spring and a light winter
MIN_TONE_SHARE = 0.15  # a real mix: each tone is at least this share of a stage
PLAYFUL_SHARE = (0.17, 0.25)  # about a fifth of each stage's evenings are playful
PLAYFUL_WINDOW = 10  # and no ten evenings in a row go without one
MIN_EACH_KIND = 3  # every stage asks at least this many of each kind below
EVERY_STAGE_KINDS = ("hypothetical", "guess", "tell", "needs", "everyday")
MIN_CHECKINS = 30  # stage six, where couples stay, comes back to its check-ins
YES_NO_START = re.compile(
    r"^(is|are|am|do|does|did|have|has|had|can|could|would|will|should|shall|was|were|may|might)\b",
    re.I,
)
# Said in full where people would contract them; allowed at the very end ("who you are?").
UNCONTRACTED = re.compile(
    r"\b(what is|who is|where is|that is|it is|there is|you are|they are|we are|i am|you would|"
    r"they would|you will|do not|does not|did not|is not|are not|was not|were not|have not|"
    r"has not|cannot|could not|would not|will not|let us)\b(?= [a-z])",
    re.I,
)
TRAILING_TAG = re.compile(
    r",\s*(and |or )?(why|how come|do you think|would you say|or not|right|yes)\?$|\band why\?$",
    re.I,
)
# "song, movie, or place": items with a comma before "or"/"and", or two commas in one question.
LIST = re.compile(r"\b[\w']+, [\w']+(?: [\w']+)?,? (?:or|and) [\w']+", re.I)
PLACEHOLDER = re.compile(r"[{}<>\[\]]")

# --- Similarity ------------------------------------------------------------------------------
# Two questions "ask the same thing" when the sets of ideas they carry overlap too much. Ideas
# are content words: lower-cased, light suffixes stripped, words that every question shares
# (question words, pronouns, "partner", intensifiers, light verbs) dropped, and a few words and
# phrases that say the same thing folded into one idea (both lists live in lint_terms.json).
# Jaccard (shared / all) on those sets, over the whole bank: across stages as within one.
STOP_WORDS = frozenset(SIMILARITY["similarity_stop_words"])
SAME_IDEA: dict[str, list[str]] = SIMILARITY["similarity_same_idea"]

# Justified by the fixtures below: every near-duplicate the issue named scores 0.5 or more, and
# questions that merely share one idea (two about laughter, two about a disagreement) score
# 0.4 or less once each carries a thought of its own. Paraphrases that share no words (most of
# the review's near-duplicates) are beyond a word measure: the theme caps below thin those.
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


def asked_part(question: Question) -> str:
    """What a question asks, without the lead-in a guess or tell prompt opens with."""
    if question.kind in ("guess", "tell"):
        return question.text.partition(": ")[2] or question.text
    return question.text


def same_questions(questions: Sequence[Question]) -> list[str]:
    """Pairs that ask the same thing, in any two stages, most similar first."""
    pairs = []
    for a, b in itertools.combinations(questions, 2):
        score = similarity(asked_part(a), asked_part(b))
        if score >= SAME_QUESTION_THRESHOLD:
            pairs.append((score, f"{a.id} ~ {b.id} ({score:.2f}): {a.text!r} / {b.text!r}"))
    return [line for _, line in sorted(pairs, reverse=True)]


# --- One question at a time ------------------------------------------------------------------


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower().replace("’", "'"))


def text_faults(text: str) -> list[str]:
    """What is wrong with one question as a spoken, open, short, single question."""
    faults = []
    if not text.endswith("?") or text.count("?") != 1:
        faults.append("must end with its only question mark")
    if len(words(text)) > MAX_WORDS:
        faults.append(f"longer than {MAX_WORDS} words")
    if YES_NO_START.match(text):
        faults.append("reads as a yes-or-no question")
    if found := UNCONTRACTED.search(text):
        faults.append(f"say {found.group(0)!r} as people do, contracted")
    if TRAILING_TAG.search(text):
        faults.append("ends on a tag question")
    if LIST.search(text) or text.count(",") >= 2:
        faults.append("asks about a list")
    if PLACEHOLDER.search(text):
        faults.append("holds a placeholder (the text is stored and read back verbatim)")
    return faults


def listed_terms(text: str, terms: Iterable[str]) -> list[str]:
    """Listed words or phrases found in a text as whole words, any case."""
    spaced = " " + " ".join(words(text)) + " "
    return [t for t in terms if f" {' '.join(words(t))} " in spaced]


def question_faults(questions: Iterable[Question]) -> list[str]:
    """Every fault of every question, one line each, naming the question."""
    out = []
    for q in questions:
        faults = text_faults(q.text)
        faults += [f"uses {t!r}" for t in listed_terms(q.text, _BANNED)]
        faults += [f"asks for one shared answer: {t!r}" for t in listed_terms(q.text, _SHARED)]
        if q.tone not in TONES:
            faults.append(f"tone {q.tone!r} is not one of {TONES}")
        out += [f"{q.id}: {fault}: {q.text!r}" for fault in faults]
    return out


_BANNED = TERMS["clinical"] + TERMS["guilt"] + TERMS["not_for_us"]
_SHARED = TERMS["shared_answer"]

# --- A stage at a time -----------------------------------------------------------------------


def opening(text: str) -> str:
    return " ".join(words(text)[:3])


def crowded_openings(texts: Sequence[str]) -> dict[str, int]:
    """Three-word openings used by more than one question in ten (rounded down)."""
    limit = len(texts) // 10
    return {o: n for o, n in Counter(opening(t) for t in texts).items() if n > limit}


def opening_faults(stages: Mapping[int, Sequence[Question]]) -> list[str]:
    out = []
    for number, bank in stages.items():
        crowded = crowded_openings([q.text for q in bank])
        out += [f"stage {number}: {n} questions open with {o!r}" for o, n in crowded.items()]
    return out


def themes_of(text: str) -> list[str]:
    """The overused themes (lint_terms.json) a question touches."""
    return [theme for theme, terms in THEMES.items() if listed_terms(text, terms)]


def theme_faults(stages: Mapping[int, Sequence[Question]], cap: int = THEME_CAP) -> list[str]:
    """Themes a stage returns to too often ("what makes it safe to open up" ten times)."""
    out = []
    for number, bank in stages.items():
        counts = Counter(t for q in bank for t in themes_of(q.text))
        for theme, n in sorted(counts.items()):
            if n > cap:
                ids = [q.id for q in bank if theme in themes_of(q.text)]
                out.append(f"stage {number}: {n} questions on {theme!r} (at most {cap}): {ids}")
    return out


def kind_faults(stages: Mapping[int, Sequence[Question]]) -> list[str]:
    """Kinds and seasons where they belong: check-ins and seasonals recur in stage six only."""
    out = []
    for number, bank in stages.items():
        for q in bank:
            if q.kind not in KINDS:
                out.append(f"{q.id}: kind {q.kind!r} is not one of {KINDS}")
            if q.recurring and number != STAGE_COUNT:
                out.append(f"{q.id}: a {q.kind} belongs to stage {STAGE_COUNT}, where couples stay")
            if q.recurring and q.tone == "deep":
                out.append(f"{q.id}: a {q.kind} comes between other questions, so never deep")
            if (q.kind == "seasonal") != (q.season in SEASONS):
                out.append(f"{q.id}: season {q.season!r} with kind {q.kind!r}")
    return out


def share_faults(stages: Mapping[int, Sequence[Question]]) -> list[str]:
    """Each stage's evenings: about a fifth playful, and some of every kind that fits."""
    out = []
    low, high = PLAYFUL_SHARE
    for number, bank in stages.items():
        run = main_run(bank)
        kinds = Counter(q.kind for q in run)
        share = kinds["playful"] / len(run) if run else 0.0
        if not low <= share <= high:
            out.append(f"stage {number}: {share:.0%} playful, not {low:.0%} to {high:.0%}")
        out += [
            f"stage {number}: {kinds[kind]} {kind} questions, fewer than {MIN_EACH_KIND}"
            for kind in EVERY_STAGE_KINDS
            if kinds[kind] < MIN_EACH_KIND
        ]
    return out


def spread_faults(stages: Mapping[int, Sequence[Question]]) -> list[str]:
    """Kinds spread through the nightly order: playful often, no new kind twice in a row."""
    out = []
    for number, bank in stages.items():
        run = main_run(bank)
        for i in range(len(run)):
            window = [run[(i + j) % len(run)] for j in range(PLAYFUL_WINDOW)]
            if not any(q.kind == "playful" for q in window):
                out.append(f"stage {number}: nothing playful in {PLAYFUL_WINDOW} from {run[i].id}")
            if run[i].kind != "reflect" and run[i].kind == run[i - 1].kind:
                out.append(f"stage {number}: two {run[i].kind} in a row at {run[i].id}")
    return out


def deep_pairs(tones: Sequence[str]) -> list[int]:
    """Positions where a deep question follows a deep one, counting the wrap from last to first."""
    return [i for i in range(len(tones)) if tones[i] == "deep" == tones[i - 1]]


def longest_same_tone_run(tones: Sequence[str]) -> int:
    """The most evenings in a row that share one tone (a light or warm streak tires too)."""
    return max((len(list(run)) for _, run in itertools.groupby(tones)), default=0)


def tone_faults(stages: Mapping[int, Sequence[Question]]) -> list[str]:
    """Each stage's nightly order mixes tones, starts gently and never pairs two deep ones."""
    out = []
    for number, bank in stages.items():
        run = main_run(bank)
        tones = [q.tone for q in run]
        counts = Counter(tones)
        out += [
            f"stage {number}: {counts[t]} {t} questions, under {MIN_TONE_SHARE:.0%}"
            for t in TONES
            if counts[t] < MIN_TONE_SHARE * len(run)
        ]
        out += [f"stage {number}: deep after deep at {run[i].id}" for i in deep_pairs(tones)]
        if run and run[0].tone != "light":
            out.append(f"stage {number}: the first evening opens with a {run[0].tone} question")
        if longest_same_tone_run(tones) > MAX_SAME_TONE_RUN:
            out.append(f"stage {number}: more than {MAX_SAME_TONE_RUN} evenings of one tone")
    return out


def size_faults(stages: Mapping[int, Sequence[Question]]) -> list[str]:
    """Enough questions: each stage runs two months, stage six has its check-ins and seasons."""
    out = []
    for number, bank in stages.items():
        run = main_run(bank)
        if len(run) < EVENINGS_PER_STAGE:
            out.append(f"stage {number}: {len(run)} questions, fewer than {EVENINGS_PER_STAGE}")
    last = recurring_runs(stages.get(STAGE_COUNT, ()))
    if len(last.get("checkin", ())) < MIN_CHECKINS:
        out.append(f"stage {STAGE_COUNT}: fewer than {MIN_CHECKINS} check-ins")
    per_season = math.ceil(SEASON_DAYS / SEASONAL_EVERY)  # one every SEASONAL_EVERY evenings
    out += [
        f"stage {STAGE_COUNT}: {len(last.get(s, ()))} {s} questions, fewer than {per_season}"
        for s in SEASONS
        if len(last.get(s, ())) < per_season
    ]
    return out


def id_faults(bank: Sequence[Question], retired: Sequence[Question]) -> list[str]:
    """Ids follow `<stage key>-NN`, and neither an id nor a text is ever used twice."""
    keys = {s.number: s.key for s in CONTENT.stages}
    out = [
        f"{q.id}: not a stage {q.stage} id"
        for q in [*bank, *retired]
        if not re.fullmatch(rf"{keys.get(q.stage, '?')}-\d{{2,}}", q.id)
    ]
    ids = Counter(q.id for q in [*bank, *retired])
    out += [f"{i}: used {n} times" for i, n in ids.items() if n > 1]
    texts = Counter(q.text.lower() for q in bank)
    out += [f"{t!r}: asked {n} times" for t, n in texts.items() if n > 1]
    return out


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


def copied_faults(spoken: Sequence[tuple[str, str]], source: str) -> list[str]:
    source_words = " " + " ".join(words(source)) + " "
    return [f"{w}: {run!r}" for w, text in spoken for run in runs_shared_with(text, source_words)]


def term_faults(spoken: Sequence[tuple[str, str]]) -> list[str]:
    """Nothing spoken uses a clinical, guilt or sexual term."""
    return [f"{w}: {t!r}" for w, text in spoken for t in listed_terms(text, _BANNED)]


def tip_faults(stages: Sequence[Stage]) -> list[str]:
    out = []
    for stage in stages:
        if len(stage.tips) < MIN_TIPS or len(set(stage.tips)) != len(stage.tips):
            out.append(f"{stage.key}: needs {MIN_TIPS} different tips")
        out += [
            f"{stage.key}: {t!r}" for t in stage.tips if not t.endswith(".") or len(words(t)) > 25
        ]
    return out


def review_faults(bank: Sequence[Question], retired: Mapping[str, Question]) -> list[str]:
    """Every question the review scored 0 is retired: never asked, still readable."""
    live = {q.id for q in bank}
    with REVIEW.open(encoding="utf-8") as rows:
        zero = [r["id"] for r in csv.DictReader(rows, delimiter="\t") if r["score"] == "0"]
    return [f"{i}: scored 0 but still asked" for i in zero if i in live] + [
        f"{i}: scored 0 but not kept in _retired" for i in zero if i not in retired
    ]


def _shared_file(path: Path) -> None:
    """Skip a check whose file in ../shared is missing, except in CI, which has it."""
    if not path.exists():
        message = f"{path} not found (clone beside ../shared to run this check)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must have it")
        pytest.skip(message)


# --- The bank, whole ---------------------------------------------------------------------------


def _named(faults: list[str]) -> str:
    return f"{len(faults)} failing:\n" + "\n".join(faults)


def test_every_question_is_short_open_contracted_and_safe() -> None:
    faults = question_faults(BANK)
    assert not faults, _named(faults)


def test_every_stage_holds_its_evenings_check_ins_and_seasons() -> None:
    faults = size_faults(STAGES)
    assert not faults, _named(faults)


def test_ids_are_stage_keyed_and_never_reused_and_texts_unique() -> None:
    faults = id_faults(BANK, RETIRED)
    assert not faults, _named(faults)


def test_retired_questions_still_resolve_for_old_answers() -> None:
    live = {q.id for q in BANK}
    faults = [
        f"{q.id}: {problem}"
        for q in RETIRED
        for problem, bad in (
            ("is still asked", q.id in live),
            ("does not resolve", CONTENT.question(q.id) != q),
            ("has no question text", not q.text.endswith("?")),
        )
        if bad
    ]
    assert RETIRED and not faults, _named(faults)


# The weak questions issue 12 named: each is gone from the bank but still readable.
NAMED_IN_ISSUE_12 = [
    *("attraction-24", "trust-19", "trust-20", "vulnerability-13", "vulnerability-15"),
    *("vulnerability-18", "interdependence-21", "renewal-15", "security-03"),
    *("vulnerability-06", "interdependence-11", "interdependence-03", "interdependence-07"),
]


def test_the_weak_questions_issue_12_named_stay_retired() -> None:
    live = {q.id for q in BANK}
    faults = [i for i in NAMED_IN_ISSUE_12 if i in live or i not in CONTENT.retired]
    assert not faults, _named(faults)


def test_no_question_the_review_scored_zero_is_asked() -> None:
    _shared_file(REVIEW)
    faults = review_faults(BANK, CONTENT.retired)
    assert not faults, _named(faults)


def test_no_two_questions_ask_the_same_thing_in_any_stages() -> None:
    faults = same_questions(BANK)
    assert not faults, _named(faults)


def test_no_stage_overuses_a_theme() -> None:
    faults = theme_faults(STAGES)
    assert not faults, _named(faults)


def test_no_opening_is_heard_more_than_one_evening_in_ten() -> None:
    faults = opening_faults(STAGES)
    assert not faults, _named(faults)


def test_kinds_belong_where_they_are() -> None:
    faults = kind_faults(STAGES)
    assert not faults, _named(faults)


def test_each_stage_is_a_fifth_playful_and_has_every_kind() -> None:
    faults = share_faults(STAGES)
    assert not faults, _named(faults)


def test_kinds_are_spread_through_the_nightly_order() -> None:
    faults = spread_faults(STAGES)
    assert not faults, _named(faults)


def test_tones_are_mixed_and_never_two_deep_in_a_row() -> None:
    faults = tone_faults(STAGES)
    assert not faults, _named(faults)


def test_nothing_spoken_copies_six_words_of_the_source_article() -> None:
    _shared_file(SOURCE)
    faults = copied_faults(spoken_texts(), SOURCE.read_text(encoding="utf-8"))
    assert not faults, _named(faults)


def test_nothing_spoken_uses_a_clinical_guilt_or_sexual_term() -> None:
    faults = term_faults(spoken_texts())
    assert not faults, _named(faults)


def test_each_stage_has_a_week_of_tips() -> None:
    faults = tip_faults(CONTENT.stages)
    assert not faults, _named(faults)


# --- Each check fails on a bad fixture -----------------------------------------------------------


def q(text: str, tone: str = "light", kind: str = "reflect", **more: object) -> Question:
    """A fixture question in stage one unless told otherwise."""
    fields: dict[str, object] = {"id": "attraction-99", "stage": 1, **more}
    return Question(text=text, tone=tone, kind=kind, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("Do you like the way your partner laughs?", "yes-or-no"),
        ("Is there a song that reminds you of your partner?", "yes-or-no"),
        ("What song reminds you of your partner.", "question mark"),
        ("What song? What film?", "question mark"),
        ("What " + "very " * 17 + "small thing makes you smile?", "longer than"),
        ("What is your favorite song?", "'What is'"),
        ("When you are tired, what helps?", "'you are'"),
        ("What do you do when you do not know?", "'do not'"),
        ("What made you smile today, and why?", "tag question"),
        ("What small surprise would make your week, do you think?", "tag question"),
        ("What song, movie, or place reminds you of your partner?", "list"),
        ("What song, movie or place reminds you of your partner?", "list"),
        ("What did {partner} say?", "placeholder"),
    ],
)
def test_text_faults_are_caught(text: str, fault: str) -> None:
    assert any(fault in f for f in text_faults(text)), text_faults(text)


def test_sound_questions_have_no_text_faults() -> None:
    sound = [
        "Who do you think you are?",  # a full form at the very end is how people say it
        "Guess your partner's answer, then hear theirs: what's their favorite toy?",
        "When you feel fragile, what helps more: company or a little space?",
        "What does a calm, easy evening look like for you?",
    ]
    assert [f for t in sound for f in text_faults(t)] == []


def test_question_faults_name_every_bad_question() -> None:
    bad = [
        q("What do the two of you love?", id="trust-90"),
        q("What should you fix?", id="trust-91"),
        q("What is nice?", tone="loud", id="trust-92"),
    ]
    faults = question_faults(bad)
    assert [f.split(":")[0] for f in faults] == ["trust-90", "trust-91", "trust-92", "trust-92"]


def test_crowded_openings_are_caught() -> None:
    texts = [f"What is one thing number {i}?" for i in range(2)] + ["When?"] * 8
    assert crowded_openings(texts) == {"what is one": 2, "when": 8}
    varied = [
        f"{w} comes here?"
        for w in ("how", "when", "where", "who", "why", "which", "if", "in", "on")
    ]
    assert crowded_openings(["What is one?", *varied]) == {}
    assert opening_faults({2: [q("When?")] * 3}) == ["stage 2: 3 questions open with 'when'"]


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
    pair = [q(a, id="attraction-90"), q(b, id="security-90", stage=5)]
    assert same_questions(pair)[0].startswith("attraction-90 ~ security-90")


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


def test_an_overused_theme_is_caught() -> None:
    listening = [
        q(text, id=f"trust-{90 + i}")
        for i, text in enumerate(
            [
                "What makes your partner easy to confide in?",
                "What makes it easy to open up at the end of a long day?",
                "How can you tell your partner is really listening?",
                "What makes it feel safe to share something personal?",
            ]
        )
    ]
    assert theme_faults({2: listening}, cap=3) == [
        "stage 2: 4 questions on 'opening_up' (at most 3): "
        "['trust-90', 'trust-91', 'trust-92', 'trust-93']"
    ]
    assert theme_faults({2: listening[:3]}, cap=3) == []


def test_kinds_out_of_place_are_caught() -> None:
    faults = kind_faults(
        {
            1: [q("What now?", kind="checkin"), q("Which?", kind="whim")],
            6: [
                q("What now?", tone="deep", kind="checkin", id="renewal-90"),
                q("What?", kind="seasonal", id="renewal-91"),
                q("When?", kind="playful", season="winter", id="renewal-92"),
            ],
        }
    )
    assert [f.split(":")[0] for f in faults] == [
        "attraction-99",  # a check-in outside stage six
        "attraction-99",  # an unknown kind
        "renewal-90",  # a deep check-in
        "renewal-91",  # a seasonal without a season
        "renewal-92",  # a season on a playful question
    ]


def _stage(kinds: Sequence[str]) -> list[Question]:
    return [q(f"What {i}?", kind=k, id=f"attraction-{i:02d}") for i, k in enumerate(kinds)]


def test_shares_of_kinds_are_caught() -> None:
    fair = ["playful", *EVERY_STAGE_KINDS[:2], "playful", *EVERY_STAGE_KINDS[2:], "reflect"] * 3
    assert share_faults({1: _stage(fair)}) == []
    dull = ["reflect"] * 20
    faults = share_faults({1: _stage(dull)})
    assert faults[0] == "stage 1: 0% playful, not 17% to 25%"
    assert len(faults) == 1 + len(EVERY_STAGE_KINDS)


def test_kinds_bunched_together_are_caught() -> None:
    spread = (["playful"] + ["reflect"] * 4) * 4
    assert spread_faults({1: _stage(spread)}) == []
    bunched = ["playful", "playful"] + ["reflect"] * 18
    faults = spread_faults({1: _stage(bunched)})
    assert "stage 1: two playful in a row at attraction-01" in faults
    assert any("nothing playful in 10 from" in f for f in faults)


def test_deep_pairs_are_caught_including_the_wrap_around() -> None:
    assert deep_pairs(["light", "deep", "deep", "warm"]) == [2]
    assert deep_pairs(["deep", "light", "warm", "deep"]) == [0]
    assert deep_pairs(["deep", "light", "deep", "warm"]) == []
    assert longest_same_tone_run(["deep", "light", "light", "light", "light", "warm"]) == 4
    tones = ["warm", "deep", "deep", "light", "light", "light", "light"]
    bad = [q(f"What {i}?", tone=t, id=f"attraction-{i:02d}") for i, t in enumerate(tones)]
    assert tone_faults({1: bad}) == [
        "stage 1: 1 warm questions, under 15%",
        "stage 1: deep after deep at attraction-02",
        "stage 1: the first evening opens with a warm question",
        "stage 1: more than 3 evenings of one tone",
    ]


def test_too_small_a_bank_is_caught() -> None:
    faults = size_faults({1: _stage(["reflect"] * 5), STAGE_COUNT: []})
    assert faults[0] == f"stage 1: 5 questions, fewer than {EVENINGS_PER_STAGE}"
    assert f"stage {STAGE_COUNT}: fewer than {MIN_CHECKINS} check-ins" in faults
    assert len(faults) == 3 + len(SEASONS)


def test_id_faults_are_caught() -> None:
    bank = [q("What?", id="trust-01", stage=2), q("what?", id="attraction-1")]
    faults = id_faults(bank, [q("Old?", id="trust-01", stage=2)])
    assert faults == [
        "attraction-1: not a stage 1 id",
        "trust-01: used 2 times",
        "'what?': asked 2 times",
    ]


def test_shared_runs_and_banned_terms_are_caught() -> None:
    source = "You notice similarities, share laughter, and lose track."
    said = [("x", "When did you notice similarities, share laughter, and grin?"), ("y", "Fine?")]
    assert copied_faults(said, source) == ["x: 'you notice similarities share laughter and'"]
    assert term_faults([("z", "Who is to blame?"), ("w", "Which Boundary matters?")]) == [
        "z: 'blame'",
        "w: 'boundary'",
    ]


def test_listed_terms_match_whole_words_in_any_case() -> None:
    assert listed_terms("Which Boundary matters?", ["boundary"]) == ["boundary"]
    assert listed_terms("How could you be a better listener?", ["a better listener"])
    assert listed_terms("What feels boundless?", ["boundary"]) == []
    assert listed_terms("What do you shoulder?", ["should"]) == []


def test_weak_tips_are_caught() -> None:
    stage = CONTENT.stage(1)
    short = stage._replace(tips=("Listen.", "Listen.", "No stop"))
    assert tip_faults([short]) == [
        "attraction: needs 6 different tips",
        "attraction: 'No stop'",
    ]


def test_a_review_zero_still_asked_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = tmp_path / "review.tsv"
    review.write_text("id\ttone\tscore\treason\ttext\ntrust-90\twarm\t0\tdup\tWhat?\n")
    monkeypatch.setattr(f"{__name__}.REVIEW", review)
    assert review_faults([q("What?", id="trust-90")], {}) == [
        "trust-90: scored 0 but still asked",
        "trust-90: scored 0 but not kept in _retired",
    ]


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


def test_tones_kinds_seasons_and_retired_questions_are_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = {**_minimal_bank(), "_retired": [{"id": "trust-02", "stage": 2, "text": "Old?"}]}
    raw["renewal"] = [
        {"id": "renewal-01", "text": "What?", "tone": "light", "kind": "playful"},
        {"id": "renewal-02", "text": "Now?", "kind": "seasonal", "season": "winter"},
    ]
    loaded = _load_with(monkeypatch, raw)
    assert loaded.question("attraction-01") == Question("attraction-01", 1, "What?", "light")
    assert loaded.question("renewal-01") == Question("renewal-01", 6, "What?", "light", "playful")
    winter = Question("renewal-02", 6, "Now?", "warm", "seasonal", "winter")
    assert loaded.question("renewal-02") == winter and winter.recurring
    assert loaded.question("trust-02") == Question("trust-02", 2, "Old?", "warm")
    assert loaded.question("trust-03") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"trust": {"id": "trust-01"}}, "'trust'"),
        ({"trust": [{"id": "trust-01"}]}, "text"),
        ({"trust": [{"id": "trust-01", "text": "What?", "kind": "whim"}]}, "kind 'whim'"),
        ({"trust": [{"id": "trust-01", "text": "What?", "kind": "seasonal"}]}, "season"),
        ({"trust": [{"id": "trust-01", "text": "Hi?", "season": "winter"}]}, "season"),
        ({"_retired": [{"id": "trust-09", "text": "Old?"}]}, "stage"),
        ({"_retired": {"trust-09": "Old?"}}, "_retired"),
    ],
)
def test_malformed_questions_stop_the_load_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _load_with(monkeypatch, {**_minimal_bank(), **change})
