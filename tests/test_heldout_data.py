"""Held-out evaluation data: its format and coverage, so figures reported from it mean something.

The files in tests/data/heldout/ were written blind to the recognisers' phrase data and are
only for reporting figures, never for tuning. This test reads those files and the question
bank, nothing else. Every check is a function returning problems, run on the real files and
on a broken copy, so none can pass vacuously.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HELDOUT = Path(__file__).resolve().parent / "data" / "heldout"
BANK_PATH = Path(__file__).resolve().parents[1] / "skill" / "content" / "en-US" / "questions.json"

LOCALES = frozenset({"en-US", "en-GB", "en-CA", "en-AU", "en-IN"})
OWN_IDIOM_LOCALES = ("en-GB", "en-AU", "en-IN")  # each needs rows in its own idiom
MIN_PER_OWN_IDIOM_LOCALE = 12
SET_2 = ("danger_2.tsv", "benign_2.tsv")  # the second, larger safety set
MIN_PER_OWN_IDIOM_LOCALE_SET_2 = 25
SET_3 = ("danger_3.tsv", "benign_3.tsv")  # the third, larger still safety set
MIN_PER_OWN_IDIOM_LOCALE_SET_3 = 40
SET_4 = ("danger_4.tsv", "benign_4.tsv")  # the fourth: as large as set 3, written later
SET_5 = ("danger_5.tsv", "benign_5.tsv")  # the fifth, for the round of batches 24 to 26
SET_6 = ("danger_6.tsv", "benign_6.tsv")  # the sixth, by another hand at the same time
SET_7 = ("danger_7.tsv", "benign_7.tsv")  # the seventh, for the round of batches 27 to 29
SET_8 = ("danger_8.tsv", "benign_8.tsv")  # the eighth, for the round of batches 30 and 31
SET_9 = ("danger_9.tsv", "benign_9.tsv")  # the ninth, for the round of batches 32 and 33
SET_10 = ("danger_10.tsv", "benign_10.tsv")  # the tenth, for the round of batches 34 to 36
SET_11 = ("danger_11.tsv", "benign_11.tsv")  # the eleventh, for the round of batches 37 and 38
SET_12 = ("danger_12.tsv", "benign_12.tsv")  # the twelfth, for the round of batches 39 and 40
SET_13 = ("danger_13.tsv", "benign_13.tsv")  # the thirteenth, for the round of batches 41 and 42
SET_14 = ("danger_14.tsv", "benign_14.tsv")  # the fourteenth, for the round of batches 43 and 44
SET_15 = ("danger_15.tsv", "benign_15.tsv")  # the fifteenth, written after that round, read once
SET_16 = ("danger_16.tsv", "benign_16.tsv")  # the sixteenth, for the round of batches 45 and 46
SET_17 = ("danger_17.tsv", "benign_17.tsv")  # the seventeenth, for the round of batches 47 and 48
SET_18 = ("danger_18.tsv", "benign_18.tsv")  # the eighteenth, for the round of batch 49
SET_19 = ("danger_19.tsv", "benign_19.tsv")  # the nineteenth, for the round of batch 50
SET_20 = ("danger_20.tsv", "benign_20.tsv")  # the twentieth: short answers (one to four words)

# Spoken text as Alexa hands it over: lower case words (any alphabet, so "zoë" and "josé"),
# single spaces, apostrophes only inside or at the end of a word ("what's", "parents'").
SPOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]*)*(?: [^\W\d_]+(?:'[^\W\d_]*)*)*")

# Words that make a true answer sound like a request; the hard answers contain one.
REQUEST_WORDS = re.compile(
    r"\b(help\w*|stop\w*|repeat\w*|pass\w*|skip\w*|again|wait\w*|delete\w*|forg[eo]t\w*"
    r"|remind\w*|name\w*|first|wrong|chang\w+|question\w*|think\w*|moment|sure|no|yes"
    r"|never mind|you go|cancel\w*)\b"
)
MIN_HARD_ANSWERS = 60
MIN_ANSWERS_PER_STAGE = 40

# Benign answers share words with danger phrasings; each family needs enough rows.
BENIGN_WORD_FAMILIES = {
    "help": (re.compile(r"\bhelp\w*"), 40),
    "die/dying/dead": (re.compile(r"\b(die|dies|died|dying|dead|death)\b"), 30),
    "kill": (re.compile(r"\bkill\w*"), 30),
    "hit": (re.compile(r"\bhit(s|ting)?\b"), 25),
    "hurt": (re.compile(r"\bhurt\w*"), 25),
    "scared/afraid": (re.compile(r"\b(scared|afraid)\b"), 25),
}
# Set 3 is larger, so each family needs more rows there.
BENIGN_WORD_MINIMUMS_SET_3 = {
    "help": 80,
    "die/dying/dead": 60,
    "kill": 60,
    "hit": 50,
    "hurt": 50,
    "scared/afraid": 50,
}
BENIGN_WORD_MINIMUMS = {
    "benign.tsv": None,  # None: the minimums in BENIGN_WORD_FAMILIES
    "benign_2.tsv": None,
    "benign_3.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_4.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_5.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_6.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_7.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_8.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_9.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_10.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_11.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_12.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_13.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_14.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_15.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_16.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_17.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_18.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_19.tsv": BENIGN_WORD_MINIMUMS_SET_3,
    "benign_20.tsv": None,  # short answers: the first sets' minimums
}

COMMON_NOT_ANSWER_KINDS = (
    "repeat",
    "think",
    "pass",
    "go_first",
    "correct",
    "stop",
    "tonight",
    "recap",
)
NOT_ANSWER_KINDS = frozenset(
    {
        *COMMON_NOT_ANSWER_KINDS,
        "delete",
        "remind",
        "rename",
        "help",
        "stage",
        "journey",
        "favourite",
        "voice",
    }
)


@dataclass(frozen=True)
class FileSpec:
    """What one held-out file must look like: its columns, labels and minimum counts."""

    columns: tuple[str, ...]
    min_rows: int
    label_column: str | None = None
    labels: frozenset[str] = frozenset()
    min_per_label: dict[str, int] = field(default_factory=dict)
    min_per_own_idiom_locale: int = MIN_PER_OWN_IDIOM_LOCALE


def danger_spec(
    min_rows: int, per_label: tuple[int, int, int], per_locale: int = MIN_PER_OWN_IDIOM_LOCALE
) -> FileSpec:
    """A danger set's spec: its minimum rows, rows per category (self_harm, violence, help)
    and rows per own-idiom locale."""
    categories = ("self_harm", "violence", "help")
    return FileSpec(
        columns=("locale", "category", "text"),
        min_rows=min_rows,
        label_column="category",
        labels=frozenset(categories),
        min_per_label=dict(zip(categories, per_label, strict=True)),
        min_per_own_idiom_locale=per_locale,
    )


def benign_spec(min_rows: int, per_locale: int = MIN_PER_OWN_IDIOM_LOCALE) -> FileSpec:
    """A benign set's spec: ordinary answers to the bank's questions, its minimum rows and rows
    per own-idiom locale."""
    return FileSpec(
        columns=("locale", "question_id", "text"),
        min_rows=min_rows,
        min_per_own_idiom_locale=per_locale,
    )


RESTATED = ("restated.tsv", "restated_2.tsv", "restated_3.tsv")

SPECS = {
    "not_answers.tsv": FileSpec(
        columns=("locale", "kind", "text"),
        min_rows=180,
        label_column="kind",
        labels=NOT_ANSWER_KINDS,
        min_per_label={
            kind: 15 if kind in COMMON_NOT_ANSWER_KINDS else 1 for kind in NOT_ANSWER_KINDS
        },
    ),
    "answers.tsv": FileSpec(columns=("locale", "question_id", "text"), min_rows=320),
    "danger.tsv": danger_spec(120, (35, 35, 35)),
    "benign.tsv": benign_spec(320),
    "danger_2.tsv": danger_spec(200, (80, 60, 35), MIN_PER_OWN_IDIOM_LOCALE_SET_2),
    "benign_2.tsv": benign_spec(500, MIN_PER_OWN_IDIOM_LOCALE_SET_2),
    "danger_3.tsv": danger_spec(300, (130, 100, 60), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_3.tsv": benign_spec(950, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_4.tsv": danger_spec(320, (130, 110, 70), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_4.tsv": benign_spec(950, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_5.tsv": danger_spec(400, (160, 150, 75), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_5.tsv": benign_spec(1150, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_6.tsv": danger_spec(380, (150, 140, 90), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_6.tsv": benign_spec(1200, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_7.tsv": danger_spec(480, (200, 180, 100), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_7.tsv": benign_spec(1300, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_8.tsv": danger_spec(500, (220, 180, 110), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_8.tsv": benign_spec(1300, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_9.tsv": danger_spec(440, (175, 155, 105), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_9.tsv": benign_spec(1300, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_10.tsv": danger_spec(560, (230, 200, 125), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_10.tsv": benign_spec(2250, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_11.tsv": danger_spec(460, (185, 160, 110), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_11.tsv": benign_spec(2300, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_12.tsv": danger_spec(480, (190, 165, 115), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_12.tsv": benign_spec(1540, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_13.tsv": danger_spec(495, (200, 170, 120), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_13.tsv": benign_spec(1720, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_14.tsv": danger_spec(490, (195, 170, 120), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_14.tsv": benign_spec(1700, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_15.tsv": danger_spec(515, (210, 175, 125), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_15.tsv": benign_spec(1730, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_16.tsv": danger_spec(450, (185, 190, 70), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_16.tsv": benign_spec(1375, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_17.tsv": danger_spec(450, (185, 180, 80), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_17.tsv": benign_spec(1450, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_18.tsv": danger_spec(490, (200, 195, 90), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_18.tsv": benign_spec(1750, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_19.tsv": danger_spec(660, (280, 250, 120), MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "benign_19.tsv": benign_spec(1930, MIN_PER_OWN_IDIOM_LOCALE_SET_3),
    "danger_20.tsv": danger_spec(220, (90, 85, 40), MIN_PER_OWN_IDIOM_LOCALE_SET_2),
    "benign_20.tsv": benign_spec(570, MIN_PER_OWN_IDIOM_LOCALE_SET_2),
    **{
        name: FileSpec(
            columns=("locale", "kind", "text", "answer"),
            min_rows=300,
            label_column="kind",
            labels=frozenset({"restated", "answer"}),
            min_per_label={"restated": 150, "answer": 150},
        )
        for name in RESTATED
    },
    "names.tsv": FileSpec(
        columns=("locale", "label", "text"),
        min_rows=320,
        label_column="label",
        labels=frozenset({"name", "not_name"}),
        min_per_label={"name": 160, "not_name": 160},
    ),
}

Row = dict[str, str]


def question_stages() -> dict[str, str]:
    """Every question id in the bank (live or retired) mapped to the stage it belongs to."""
    bank = json.loads(BANK_PATH.read_text(encoding="utf-8"))
    stages: dict[str, str] = {}
    for stage, questions in bank.items():
        for question in questions:
            # A retired question keeps its stage in its id ("trust-19").
            own_stage = question["id"].rsplit("-", 1)[0] if stage == "_retired" else stage
            stages[question["id"]] = own_stage
    return stages


def read_lines(name: str) -> list[str]:
    """The raw lines of one held-out file, without line endings."""
    return (HELDOUT / name).read_text(encoding="utf-8").splitlines()


def parse(lines: list[str], spec: FileSpec) -> tuple[list[Row], list[str]]:
    """Rows keyed by the header's columns, and the problems met reading the lines."""
    problems: list[str] = []
    if not lines or tuple(lines[0].split("\t")) != spec.columns:
        problems.append(f"header is not {'<TAB>'.join(spec.columns)}")
    rows: list[Row] = []
    for number, line in enumerate(lines[1:], start=2):
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(cells) != len(spec.columns):
            problems.append(f"line {number}: {len(cells)} cells, expected {len(spec.columns)}")
            continue
        rows.append(dict(zip(spec.columns, cells, strict=True)))
    return rows, problems


def format_problems(rows: list[Row], spec: FileSpec, stages: dict[str, str]) -> list[str]:
    """Rows that break the format: locale, label, question id, spoken text, duplicates."""
    problems: list[str] = []
    seen: Counter[str] = Counter(row["text"] for row in rows)
    problems += [f"duplicate text: {text!r}" for text, count in seen.items() if count > 1]
    for row in rows:
        text = row["text"]
        if row["locale"] not in LOCALES:
            problems.append(f"unknown locale {row['locale']!r}: {text!r}")
        if spec.label_column and row[spec.label_column] not in spec.labels:
            problems.append(f"unknown {spec.label_column} {row[spec.label_column]!r}: {text!r}")
        if "question_id" in row and row["question_id"] not in stages:
            problems.append(f"question id not in the bank: {row['question_id']!r}")
        if text != text.lower() or not SPOKEN.fullmatch(text):
            problems.append(f"not spoken lower-case text: {text!r}")
    return problems


def count_problems(rows: list[Row], spec: FileSpec) -> list[str]:
    """Counts below the minimum: rows, rows per label, rows per own-idiom locale."""
    problems: list[str] = []
    if len(rows) < spec.min_rows:
        problems.append(f"{len(rows)} rows, need {spec.min_rows}")
    if spec.label_column:
        per_label = Counter(row[spec.label_column] for row in rows)
        for label, minimum in spec.min_per_label.items():
            if per_label[label] < minimum:
                problems.append(f"{label}: {per_label[label]} rows, need {minimum}")
    per_locale = Counter(row["locale"] for row in rows)
    minimum = spec.min_per_own_idiom_locale
    for locale in OWN_IDIOM_LOCALES:
        if per_locale[locale] < minimum:
            problems.append(f"{locale}: {per_locale[locale]} rows, need {minimum}")
    return problems


def answer_coverage_problems(rows: list[Row], stages: dict[str, str]) -> list[str]:
    """Answers must span every stage and include enough that sound like requests."""
    problems: list[str] = []
    per_stage = Counter(stages.get(row["question_id"], "?") for row in rows)
    for stage in sorted(set(stages.values())):
        if per_stage[stage] < MIN_ANSWERS_PER_STAGE:
            problems.append(f"{stage}: {per_stage[stage]} answers, need {MIN_ANSWERS_PER_STAGE}")
    hard = sum(1 for row in rows if REQUEST_WORDS.search(row["text"]))
    if hard < MIN_HARD_ANSWERS:
        problems.append(f"{hard} answers sound like a request, need {MIN_HARD_ANSWERS}")
    return problems


def benign_word_problems(rows: list[Row], minimums: dict[str, int] | None = None) -> list[str]:
    """Benign answers must share enough of each danger word family.

    `minimums` overrides the per-family minimums in BENIGN_WORD_FAMILIES (set 3 needs more).
    """
    problems: list[str] = []
    for family, (pattern, default) in BENIGN_WORD_FAMILIES.items():
        minimum = default if minimums is None else minimums[family]
        count = sum(1 for row in rows if pattern.search(row["text"]))
        if count < minimum:
            problems.append(f"{family}: {count} benign rows, need {minimum}")
    return problems


def shared_text_problems(rows: list[Row], other_texts: set[str]) -> list[str]:
    """Texts that also appear in another held-out file, so no row is counted twice."""
    return [
        f"text also in another file: {row['text']!r}" for row in rows if row["text"] in other_texts
    ]


STAGES = question_stages()


def load(name: str) -> list[Row]:
    """One held-out file's rows, failing the test on any reading problem."""
    rows, problems = parse(read_lines(name), SPECS[name])
    assert problems == []
    return rows


@pytest.mark.parametrize("name", sorted(SPECS))
def test_file_format(name: str) -> None:
    """Each file has its header, its columns, known labels and locales, and spoken text."""
    assert format_problems(load(name), SPECS[name], STAGES) == []


@pytest.mark.parametrize("name", sorted(SPECS))
def test_file_counts(name: str) -> None:
    """Each file holds at least the rows the brief asked for, per label and per locale."""
    assert count_problems(load(name), SPECS[name]) == []


def test_answers_cover_every_stage_and_hard_cases() -> None:
    """Answers span all six stages and include true answers that sound like requests."""
    assert answer_coverage_problems(load("answers.tsv"), STAGES) == []


@pytest.mark.parametrize("name", sorted(BENIGN_WORD_MINIMUMS))
def test_benign_answers_share_danger_words(name: str) -> None:
    """Benign answers carry enough of each word a danger check might trip on."""
    assert benign_word_problems(load(name), BENIGN_WORD_MINIMUMS[name]) == []


def other_texts(name: str) -> set[str]:
    """Every text in the held-out files other than this one."""
    return {row["text"] for other in SPECS if other != name for row in load(other)}


LATER_SETS = (
    *(SET_2 + SET_3 + SET_4 + SET_5 + SET_6 + SET_7 + SET_8 + SET_9),
    *(SET_10 + SET_11 + SET_12 + SET_13 + SET_14 + SET_15 + SET_16 + SET_17 + SET_18 + SET_19),
    *SET_20,
)


@pytest.mark.parametrize("name", [*LATER_SETS, *RESTATED])
def test_a_later_set_shares_no_text_with_other_files(name: str) -> None:
    """Sets 2 to 20, and the corrections said with their new words, repeat no text from any
    other held-out file, so each measures something new."""
    assert shared_text_problems(load(name), other_texts(name)) == []


def test_each_file_has_a_readme_entry() -> None:
    """The README describes every file, so a reader knows what each one measures."""
    readme = (HELDOUT / "README.md").read_text(encoding="utf-8")
    assert [name for name in SPECS if f"`{name}`" not in readme] == []


def _broken(name: str) -> tuple[list[Row], list[str]]:
    """A copy of a real file with one bad line of each kind appended."""
    spec = SPECS[name]
    lines = read_lines(name)
    first = lines[1].split("\t")
    label_index = spec.columns.index(spec.label_column) if spec.label_column else 1
    bad_label = first.copy()
    bad_label[label_index] = "no_such_label"
    bad_label[-1] = "a row with an unknown label"
    bad_locale = ["fr-FR", *first[1:-1], "a row from france"]
    shouting = [*first[:-1], "Sorry What Was That"]
    punctuated = [*first[:-1], "wait, what?"]
    digits = [*first[:-1], "remind us at 8 pm"]
    padded = [*first[:-1], " hang on "]
    extra = [*first, "surplus"]
    broken_lines = [
        *lines,
        lines[1],  # a duplicate
        *("\t".join(cells) for cells in (bad_label, bad_locale, shouting, punctuated)),
        *("\t".join(cells) for cells in (digits, padded, extra)),
    ]
    return parse(broken_lines, spec)


def test_a_restated_correction_names_its_new_words_and_an_answer_none() -> None:
    """In the corrections said with their new words, `answer` is words of the text: its
    tail, or (a contrast, "it's patience not patients") words within it; empty for an answer."""
    problems = []
    for name in RESTATED:
        for row in load(name):
            text, words = f" {row['text']} ", row["answer"]
            if row["kind"] == "answer" and words:
                problems.append(f"{name}: an answer row names new words")
            if row["kind"] == "restated" and (not words or f" {words} " not in text):
                problems.append(f"{name}: new words not in their text")
    assert problems == []


@pytest.mark.parametrize("name", sorted(n for n in SPECS if SPECS[n].columns[-1] == "text"))
def test_checks_catch_broken_rows(name: str) -> None:
    """Each kind of bad row is reported, so the format checks above can fail."""
    rows, read_problems = _broken(name)
    problems = read_problems + format_problems(rows, SPECS[name], STAGES)
    assert any("cells, expected" in p for p in problems)
    assert any(p.startswith("duplicate text") for p in problems)
    assert any("unknown locale 'fr-FR'" in p for p in problems)
    for text in ("Sorry What Was That", "wait, what?", "remind us at 8 pm", " hang on "):
        assert any(p == f"not spoken lower-case text: {text!r}" for p in problems)
    if SPECS[name].label_column:
        assert any("'no_such_label'" in p for p in problems)
    else:
        assert any("question id not in the bank: 'no_such_label'" in p for p in problems)


def test_count_checks_catch_thin_files() -> None:
    """Too few rows, labels, stages, hard answers or danger-word rows are all reported."""
    not_answers = SPECS["not_answers.tsv"]
    thin = load("not_answers.tsv")[:20]
    assert any(p.startswith("20 rows") for p in count_problems(thin, not_answers))
    no_repeats = [row for row in load("not_answers.tsv") if row["kind"] != "repeat"]
    assert any(p.startswith("repeat:") for p in count_problems(no_repeats, not_answers))
    us_only = [row for row in load("names.tsv") if row["locale"] == "en-US"]
    assert any(p.startswith("en-IN:") for p in count_problems(us_only, SPECS["names.tsv"]))

    no_renewal = [row for row in load("answers.tsv") if STAGES[row["question_id"]] != "renewal"]
    assert any(p.startswith("renewal:") for p in answer_coverage_problems(no_renewal, STAGES))
    easy = [row for row in load("answers.tsv") if not REQUEST_WORDS.search(row["text"])]
    assert any("sound like a request" in p for p in answer_coverage_problems(easy, STAGES))

    no_kill = [row for row in load("benign.tsv") if "kill" not in row["text"]]
    assert any(p.startswith("kill:") for p in benign_word_problems(no_kill))

    # Set 2 needs more rows per own-idiom locale than set 1 and a text of its own.
    danger_2 = SPECS["danger_2.tsv"]
    few_indian = [row for row in load("danger_2.tsv") if row["locale"] != "en-IN"]
    few_indian += [row for row in load("danger_2.tsv") if row["locale"] == "en-IN"][:20]
    assert "en-IN: 20 rows, need 25" in count_problems(few_indian, danger_2)
    benign_2 = load("benign_2.tsv")
    taken = {benign_2[0]["text"]}
    assert shared_text_problems(benign_2, taken) == [f"text also in another file: {taken.pop()!r}"]

    # Set 3 needs forty rows per own-idiom locale, more per category and more per word family.
    danger_3 = SPECS["danger_3.tsv"]
    few_australian = [row for row in load("danger_3.tsv") if row["locale"] != "en-AU"]
    few_australian += [row for row in load("danger_3.tsv") if row["locale"] == "en-AU"][:30]
    assert "en-AU: 30 rows, need 40" in count_problems(few_australian, danger_3)
    few_help = [row for row in load("danger_3.tsv") if row["category"] != "help"]
    assert any(p.startswith("help:") for p in count_problems(few_help, danger_3))
    benign_3 = load("benign_3.tsv")
    hurt = BENIGN_WORD_FAMILIES["hurt"][0]
    thin_hurt = [row for row in benign_3 if not hurt.search(row["text"])]
    thin_hurt += [row for row in benign_3 if hurt.search(row["text"])][:45]
    assert benign_word_problems(thin_hurt) == []  # enough for sets 1 and 2
    assert any(
        p.startswith("hurt: 45")
        for p in benign_word_problems(thin_hurt, BENIGN_WORD_MINIMUMS_SET_3)
    )
    taken = {benign_3[-1]["text"]}
    assert shared_text_problems(benign_3, taken) == [f"text also in another file: {taken.pop()!r}"]
