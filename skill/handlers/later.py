"""Steps named by module and function, imported when first run.

The tables of skill.handlers.routes and skill.handlers.moments name every step the skill
has; importing them all would make a cold start load every feature for a launch that uses
a few. A table names a step of a feature a launch does not need as `later("answers",
"answer_step")`: its module is imported the first time the step runs, and a warm container
pays the import once. tests/test_lazy_steps.py resolves every named step, so a misspelt
name fails there, not in a kitchen.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from skill.handlers.turn import Turn

PACKAGE = "skill.handlers"


class Later:
    """A step of `PACKAGE.module`, by name; called like the step it names."""

    __slots__ = ("module", "function", "_step")

    def __init__(self, module: str, function: str) -> None:
        self.module = module  # within PACKAGE
        self.function = function
        self._step: Callable[..., Any] | None = None

    @property
    def name(self) -> str:
        return f"{self.module}.{self.function}"

    def resolve(self) -> Callable[..., Any]:
        if self._step is None:
            module = import_module(f"{PACKAGE}.{self.module}")
            self._step = getattr(module, self.function)
        return self._step

    def __call__(self, turn: Turn, *rest: Any) -> Any:
        return self.resolve()(turn, *rest)

    def __repr__(self) -> str:
        return f"later({self.module!r}, {self.function!r})"


def later(module: str, function: str) -> Callable[..., Any]:
    """The step `function` of skill.handlers' `module`, imported when first run; a
    table's row types say what the step takes and returns, and tests/test_lazy_steps.py
    checks each named step against its row."""
    return Later(module, function)
