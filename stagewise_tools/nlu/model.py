"""The interaction model compiled for matching: each sample a regular expression with its slots."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any


@dataclass(frozen=True)
class Template:
    """One sample utterance, compiled."""

    intent: str
    pattern: re.Pattern[str]
    slots: tuple[str, ...]
    literal: int  # characters of fixed text: more means a more specific match


def compile_sample(intent: str, sample: str) -> Template:
    """A sample ("ask for {answer}") as a pattern whose groups are its slots."""
    parts = re.split(r"(\{\w+\})", sample)
    regex, slots, literal = "", [], 0
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            regex += f"(?P<{part[1:-1]}>.+?)"
            slots.append(part[1:-1])
        else:
            regex += re.escape(part)
            literal += len(part.strip())
    return Template(intent, re.compile(f"^{regex}$"), tuple(slots), literal)


@dataclass
class Model:
    """An interaction model, compiled for matching."""

    templates: list[Template]
    slot_samples: dict[tuple[str, str], list[Template]]  # (intent, slot) -> elicitation samples
    slot_types: dict[tuple[str, str], str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        language = data["interactionModel"]["languageModel"]
        templates: list[Template] = []
        slot_samples: dict[tuple[str, str], list[Template]] = {}
        slot_types: dict[tuple[str, str], str] = {}
        for intent in language["intents"]:
            name = intent["name"]
            templates.extend(compile_sample(name, s) for s in intent.get("samples", []))
            for slot in intent.get("slots", []):
                slot_types[(name, slot["name"])] = slot["type"]
                slot_samples[(name, slot["name"])] = [
                    compile_sample(name, s) for s in slot.get("samples", [])
                ]
        return cls(templates, slot_samples, slot_types)


@cache
def packaged_model(locale: str = "en-US") -> Model:
    """A locale's model as the tooling ships it (stagewise_tools/interaction_model)."""
    text = (
        files("stagewise_tools.interaction_model")
        .joinpath(f"{locale}.json")
        .read_text(encoding="utf-8")
    )
    return Model.from_json(json.loads(text))
