"""A first name heard is checked before it is used: plausible, to confirm, or not a name.

Generated from the data where it can be: every word and phrase names.json refuses is
refused. The development set (tests/data/dev/names.tsv) gives figures; the held-out
measurement is in tests/test_recognisers_heldout.py.
"""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from skill.content import load_content
from skill.names import NAME, NOT_A_NAME, UNUSUAL, NameCheck, check_name, clean_name, name_words
from tests.recogniser_figures import DATA, name_figures

CONTENT = load_content()
DATA_FILE = json.loads(files("skill.content").joinpath("en-US", "names.json").read_text())


@pytest.mark.parametrize(
    ("heard", "expected"),
    [
        ("sam", NameCheck(NAME, "Sam")),
        ("mary ann", NameCheck(NAME, "Mary Ann")),
        ("zoë", NameCheck(NAME, "Zoë")),
        ("mary-jo", NameCheck(NAME, "Mary-Jo")),
        ("jean luc", NameCheck(NAME, "Jean Luc")),
        ("hope", NameCheck(UNUSUAL, "Hope")),  # a word too: confirmed, never refused
        ("will", NameCheck(UNUSUAL, "Will")),
        ("summer", NameCheck(UNUSUAL, "Summer")),
        ("yes", NameCheck(NOT_A_NAME, "Yes")),
        ("what is this", NameCheck(NOT_A_NAME, "What Is This")),
        ("coffee and cake", NameCheck(NOT_A_NAME, "Coffee And Cake")),
        ("i don't know", NameCheck(NOT_A_NAME, "I Don't Know")),
        ("it's me", NameCheck(NOT_A_NAME, "It's Me")),
        ("my wife", NameCheck(NOT_A_NAME, "My Wife")),
        ("the way she laughs at me", NameCheck(NOT_A_NAME, "The Way She Laughs At Me")),
        ("room 101", NameCheck(NOT_A_NAME, "Room 101")),
        ("", NameCheck(NOT_A_NAME, None)),
        (None, NameCheck(NOT_A_NAME, None)),
    ],
)
def test_a_heard_first_name_is_checked(heard: str | None, expected: NameCheck) -> None:
    assert check_name(heard, CONTENT) == expected


def test_clean_name_says_a_name_back_as_written() -> None:
    assert clean_name("  mary   ann ") == "Mary Ann"
    assert clean_name("x" * 60) == "X" + "x" * 39
    assert clean_name(None) is None


def test_every_word_and_phrase_the_data_refuses_is_refused() -> None:
    kept = [
        text
        for text in [*DATA_FILE["not_names"], *DATA_FILE["not_name_phrases"]]
        if check_name(text, CONTENT).verdict != NOT_A_NAME
    ]
    assert kept == []


def test_two_words_joined_by_any_joiner_are_not_one_name() -> None:
    kept = [
        joiner
        for joiner in DATA_FILE["joiners"]
        if check_name(f"maya {joiner} jordan", CONTENT).verdict != NOT_A_NAME
    ]
    assert kept == []


def test_a_very_long_name_is_confirmed() -> None:
    longest = "a" * (name_words(CONTENT.locale).max_letters + 1)
    assert check_name(longest, CONTENT).verdict == UNUSUAL


def test_the_development_set_meets_the_goals() -> None:
    figures = name_figures(DATA / "dev" / "names.tsv", keep_examples=True)
    print(
        f"\ndev names: {figures.accepted_share:.1%} of {figures.names} names accepted "
        f"({figures.confirmed_share:.1%} confirmed first); {figures.rejected_share:.1%} of "
        f"{figures.not_names} not-names refused, {figures.taken_unasked} taken unasked"
    )
    assert figures.accepted_share >= 0.98, figures.refused_names
    assert figures.rejected_share >= 0.95, figures.let_through
    assert figures.taken_unasked_share <= 0.02, figures.let_through
