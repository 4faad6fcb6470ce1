"""The recognisers measured on held-out data, written blind to their phrase data.

tests/data/heldout/ is for reporting figures only (its README says why): this test computes
aggregate figures, prints them and checks them against the goals; it never shows a row.
When a goal is missed, improve generality on the development sets, never on these rows.
"""

from __future__ import annotations

import os

import pytest

from tests.recogniser_figures import (
    DATA,
    answer_figures,
    name_figures,
    not_answer_figures,
    restated_figures,
)

HELDOUT = DATA / "heldout"
RESTATED = ("restated.tsv", "restated_2.tsv", "restated_3.tsv")
FILES = ("not_answers.tsv", "answers.tsv", "names.tsv", *RESTATED)

# The goals (issue 17, item 4; names: set here).
MIN_NOT_ANSWERS_ACTED_ON = 0.95
MAX_ANSWERS_MISTAKEN = 0.01
MIN_NAMES_ACCEPTED = 0.98
MIN_NOT_NAMES_REFUSED = 0.95
# Corrections said with their new answer: the goals, set before set 1 was first read
# (2026-12-07): most give the exact words; almost none is filed as the other partner's
# answer; an answer that only sounds like a correction almost never replaces the one before.
RESTATED_GOALS = {"exact": 0.85, "filed_as_others": 0.05, "replacing": 0.02}
# Where each set stands (SAFETY.md's rule for figures short of a goal: a floor where it
# stands, the goal named). "Filed as the other's" is short of its goal on every set.
RESTATED_FLOORS = {  # set: (exact at least, filed as the other's at most, replacing at most)
    "restated.tsv": (0.90, 0.08, 0.02),
    "restated_2.tsv": (0.88, 0.09, 0.02),
    "restated_3.tsv": (0.90, 0.08, 0.02),
}


@pytest.fixture(scope="module", autouse=True)
def heldout_files() -> None:
    missing = [name for name in FILES if not (HELDOUT / name).is_file()]
    if missing and os.environ.get("CI"):
        pytest.fail(f"held-out files missing: {missing}")
    if missing:
        pytest.skip(f"held-out files missing: {missing}")


def test_non_answers_are_acted_on_and_real_answers_kept() -> None:
    not_answers = not_answer_figures(HELDOUT / "not_answers.tsv", keep_examples=False)
    answers = answer_figures(HELDOUT / "answers.tsv", keep_examples=False)
    print(
        f"\nheld-out: {not_answers.acted_share:.1%} of {not_answers.total} non-answers acted "
        f"on ({not_answers.right_share:.1%} as their kind asks); {answers.mistaken_share:.1%} "
        f"of {answers.total} real answers mistaken ({answers.mistaken})"
    )
    assert not_answers.acted_share >= MIN_NOT_ANSWERS_ACTED_ON
    assert answers.mistaken_share <= MAX_ANSWERS_MISTAKEN


def test_first_names_are_accepted_and_the_rest_refused() -> None:
    names = name_figures(HELDOUT / "names.tsv", keep_examples=False)
    print(
        f"\nheld-out names: {names.accepted_share:.1%} of {names.names} accepted "
        f"({names.confirmed_share:.1%} confirmed first); {names.rejected_share:.1%} of "
        f"{names.not_names} not-names refused ({names.taken_unasked_share:.1%} taken unasked)"
    )
    assert names.accepted_share >= MIN_NAMES_ACCEPTED
    assert names.rejected_share >= MIN_NOT_NAMES_REFUSED


@pytest.mark.parametrize("name", RESTATED)
def test_corrections_said_with_their_new_words_replace_the_answer_they_correct(name: str) -> None:
    figures = restated_figures(HELDOUT / name, keep_examples=False)
    print(
        f"\nheld-out {name}: {figures.exact_share:.1%} of {figures.corrections} give the new "
        f"words exactly ({figures.asked_first} after a question), "
        f"{figures.other_partners_share:.1%} filed as the other partner's answer; of "
        f"{figures.answers} answers that open like one, {figures.replacing_share:.1%} would "
        f"replace an answer, {figures.asking_share:.1%} get a question first"
    )
    exact, others, replacing = RESTATED_FLOORS[name]
    assert figures.exact_share >= exact
    assert figures.other_partners_share <= others
    assert figures.replacing_share <= min(replacing, RESTATED_GOALS["replacing"])
