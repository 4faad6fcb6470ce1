"""Steps the tables name for later (skill.handlers.later): each one exists, takes what its
row gives it, and a launch loads none of the features it does not use (issue 21)."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from skill.handlers.later import Later
from skill.handlers.moments import IDLE, MOMENTS, Row
from skill.handlers.routes import EVENTS, GENERAL, NOTHING, SIDE_TRIPS
from stagewise_tools.alexa_requests import Device, launch

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


ONE_LAUNCH = textwrap.dedent(
    """
    import json, sys

    from skill.app import build_skill, handle_event
    from skill.config import Settings

    skill = build_skill(Settings(store_url="sqlite:///:memory:"))
    response = handle_event(skill, json.loads(sys.stdin.read()))
    print(json.dumps({"response": response, "modules": sorted(sys.modules)}))
    """
)
# Features a new couple's launch does not use: imported by the first turn that does.
NOT_AT_LAUNCH = (
    "skill.handlers.answers",
    "skill.handlers.saving",
    "skill.handlers.corrections",
    "skill.handlers.after_answer",
    "skill.handlers.recap",
    "skill.handlers.memory",
    "skill.handlers.reminders",
    "skill.handlers.forget",
    "skill.handlers.deletion",
    "skill.handlers.events",
    "skill.handlers.names",
    "skill.handlers.stages",
    "skill.handlers.who",
    "skill.handlers.safety",
    "skill.safety",
    "skill.not_answers",
)


def test_a_launch_loads_only_the_features_it_uses() -> None:
    device = Device()
    device.new_session()
    result = subprocess.run(
        [sys.executable, "-c", ONE_LAUNCH],
        input=json.dumps(device.envelope(launch(), datetime.now(UTC))),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = json.loads(result.stdout)
    assert "<speak>" in loaded["response"]["response"]["outputSpeech"]["ssml"]
    modules = set(loaded["modules"])
    assert "skill.handlers.tonight" in modules  # the launch's own step was loaded
    assert sorted(modules.intersection(NOT_AT_LAUNCH)) == []
