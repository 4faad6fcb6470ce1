"""Steps the tables name for later (skill.handlers.later): each one exists and takes what its
row gives it. That a launch loads none of those features: tests/test_runtime_imports.py."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from skill.handlers.later import Later
from skill.handlers.moments import IDLE, MOMENTS, Row
from skill.handlers.routes import EVENTS, GENERAL, NOTHING, SIDE_TRIPS

ROOT = Path(__file__).resolve().parents[1]


def named_steps() -> Iterator[tuple[str, Any, int]]:
    """(where, step, how many arguments its table passes) for every step of every table."""
    for table_name, table in (("GENERAL", GENERAL), ("SIDE_TRIPS", SIDE_TRIPS), ("EVENTS", EVENTS)):
        for intent, step in table.items():
            yield f"{table_name}[{intent}]", step, 1
    yield "NOTHING", NOTHING, 1
    rows: dict[str, Row] = {str(m): r for m, r in MOMENTS.items()} | {"IDLE": IDLE}
    for moment, row in rows.items():
        for intent, step in row.takes.items():
            yield f"{moment}.takes[{intent}]", step, 1
        if row.resume is not None:
            yield f"{moment}.resume", row.resume, 2
        if row.leave is not None:
            yield f"{moment}.leave", row.leave, 1


LATER = [(where, step, arity) for where, step, arity in named_steps() if isinstance(step, Later)]


def test_the_tables_name_steps_for_later() -> None:
    assert len(LATER) > 40  # most features are not loaded for a launch


@pytest.mark.parametrize(("where", "step", "arity"), LATER, ids=[w for w, _, _ in LATER])
def test_each_step_named_for_later_exists_and_takes_what_its_row_gives(
    where: str, step: Later, arity: int
) -> None:
    function: Callable[..., Any] = step.resolve()
    assert callable(function), where
    parameters = inspect.signature(function).parameters.values()
    required = [p for p in parameters if p.default is inspect.Parameter.empty]
    assert len(required) == arity, f"{where}: {step.name} takes {len(required)}, row gives {arity}"


def test_a_misspelt_step_fails_when_resolved() -> None:
    with pytest.raises(AttributeError):
        Later("answers", "no_such_step").resolve()
