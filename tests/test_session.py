"""Session state: one moment with only its data, round-tripped, and nothing of another household.

Issue 17: a moment's data cannot outlive the moment (every ask replaces it whole); issue
23: answers carried in the session must be the request's household's own, or are dropped.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.session import KINDS, Awaiting, Moment, SessionState, awaiting_from
from tests.test_ritual import answers, profiles

HOUSEHOLD = "amzn1.ask.account.ours"
texts = st.text(min_size=1, max_size=20)
ours = answers.map(lambda a: a.__class__(**{**a.__dict__, "household_id": HOUSEHOLD}))

FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "str": texts,
    "str | None": st.none() | texts,
    "int": st.integers(0, 10),
    "int | None": st.none() | st.integers(1, 6),
    "tuple[str, ...]": st.lists(texts, max_size=2).map(tuple),
    "Answer": ours,
    "tuple[Answer, ...]": st.lists(ours, max_size=3).map(tuple),
}


def moment_of(kind: type[Awaiting]) -> st.SearchStrategy[Awaiting]:
    values = {name: FIELD_VALUES[annotation] for name, annotation in kind.data_fields()}
    built = st.fixed_dictionaries(values).map(lambda v: kind(**v))
    if kind.moment == Moment.DELETE_CONFIRM:
        return built.map(lambda m: m.__class__(**{**m.__dict__, "what": "tonight"}))
    return built


every_moment = st.one_of([moment_of(kind) for kind in KINDS.values()])


def test_every_moment_has_its_kind() -> None:
    assert set(KINDS) == set(Moment)


@given(every_moment)
def test_a_moment_is_frozen_and_compared_by_kind_and_values(awaiting: Awaiting) -> None:
    same = type(awaiting)(**dict(awaiting.__dict__))
    assert same == awaiting and hash(same) == hash(awaiting) and repr(same) == repr(awaiting)
    others = [k() for k in KINDS.values() if not k.data_fields() and k is not type(awaiting)]
    assert all(other != awaiting for other in others)  # no two kinds are ever equal
    with pytest.raises(FrozenInstanceError):
        awaiting.moment = Moment.ANSWER  # type: ignore[misc]
    for name, _ in awaiting.data_fields():
        with pytest.raises(FrozenInstanceError):
            setattr(awaiting, name, None)


def test_a_moment_is_built_from_its_fields_and_no_others() -> None:
    confirm = KINDS[Moment.DELETE_CONFIRM]
    assert confirm("all") == confirm(what="all", answers=())  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="needs 'what'"):
        confirm()
    with pytest.raises(TypeError, match="no field 'when'"):
        confirm("all", when="now")  # type: ignore[call-arg]


@given(every_moment)
def test_every_moment_round_trips_with_its_data(awaiting: Awaiting) -> None:
    assert awaiting_from(awaiting.to_dict(), HOUSEHOLD) == awaiting


@given(profiles, every_moment)
def test_session_state_round_trips(profile: Any, awaiting: Awaiting) -> None:
    profile = profile.with_changes(household_id=HOUSEHOLD)
    state = SessionState(
        profile=profile,
        profile_loaded=True,
        awaiting=awaiting,
        last_evening="renewal-03@2026-11-16",
        voices_asked=("amzn1.ask.person.x",),
    )
    assert SessionState.from_attributes(state.to_attributes(), HOUSEHOLD) == state


@given(answers)
def test_an_answer_of_another_household_in_the_session_is_dropped(answer: Any) -> None:
    theirs = answer.__class__(**{**answer.__dict__, "household_id": "amzn1.ask.account.theirs"})
    for awaiting in (
        KINDS[Moment.CORRECTION](theirs),  # type: ignore[call-arg]
        KINDS[Moment.RETRY_SAVE](theirs),  # type: ignore[call-arg]
        KINDS[Moment.DELETE_CONFIRM]("tonight", (theirs,)),  # type: ignore[call-arg]
    ):
        read = SessionState.from_attributes({"awaiting": awaiting.to_dict()}, HOUSEHOLD)
        assert read.awaiting is None
    read = SessionState.from_attributes({"last_answer": theirs.to_dict()}, HOUSEHOLD)
    assert read == SessionState()


@pytest.mark.parametrize(
    "garbage",
    [
        {"profile": "x"},
        {"awaiting": "answer"},  # the shape of an older release: nothing awaited
        {"awaiting": {"moment": "no-such-moment"}},
        {"awaiting": {"moment": "stage_confirm", "target": "high"}},
        {"awaiting": {"moment": "delete_confirm", "what": "everyone's"}},
        {"awaiting": {"moment": "correction"}},  # its answer is missing
        {"last_evening": 5},
        {"voices_asked": "x"},
        None,
        {},
    ],
)
def test_unreadable_session_state_starts_fresh(garbage: dict | None) -> None:  # type: ignore[type-arg]
    read = SessionState.from_attributes(garbage, HOUSEHOLD)
    assert read.awaiting is None and read.profile is None and read.last_answer is None


def test_a_profile_of_another_household_is_never_acted_on() -> None:
    state = SessionState.from_attributes(
        {"profile": '{"household_id":"theirs","partner_a":"A","partner_b":"B"}'}, HOUSEHOLD
    )
    assert state == SessionState()


@given(profiles)
def test_turns_carrying_the_same_profile_read_it_once_and_a_change_is_carried(
    profile: Any,
) -> None:
    """A packed profile is read back once per warm container (help, repeat and "give me a
    second" carry it unchanged); a turn that changes it hands on the change, never the
    profile another turn read."""
    profile = profile.with_changes(household_id=HOUSEHOLD)
    carried = SessionState(profile=profile, profile_loaded=True).to_attributes()
    first = SessionState.from_attributes(dict(carried), HOUSEHOLD)
    second = SessionState.from_attributes(dict(carried), HOUSEHOLD)
    assert first.profile == profile
    assert second.profile is first.profile  # read once
    changed = profile.with_changes(stage=profile.stage % 6 + 1)
    second.profile = changed
    assert SessionState.from_attributes(second.to_attributes(), HOUSEHOLD).profile == changed
    third = SessionState.from_attributes(dict(carried), HOUSEHOLD)
    assert third.profile == profile  # the change reached no other turn
