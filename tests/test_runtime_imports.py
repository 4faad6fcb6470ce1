"""A Lambda turn loads the runtime only: the tooling stays out of cold starts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stagewise_tools.alexa_requests import Device, launch

ROOT = Path(__file__).resolve().parents[1]

# Tooling a turn must never import: the stagewise_tools package (console, narration,
# packaging, previews), gTTS, and S3-only modules.
TOOLING = ("stagewise_tools", "gtts", "boto3.s3", "s3transfer", "mypy_boto3_s3")

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


def launch_in_a_fresh_process() -> tuple[dict[str, Any], set[str]]:
    """A new couple's launch answered by a fresh interpreter: the response, and the modules
    the process loaded."""
    device = Device()  # the envelope is built here, so the turn's process never loads tooling
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
    # The turn really ran: the couple was greeted.
    assert "<speak>" in loaded["response"]["response"]["outputSpeech"]["ssml"]
    return loaded["response"], set(loaded["modules"])


def test_a_launch_turn_loads_no_tooling() -> None:
    _, modules = launch_in_a_fresh_process()
    assert "skill.narration_clips" in modules  # the one narration module a turn needs
    tooling = [m for m in modules if any(m == t or m.startswith(f"{t}.") for t in TOOLING)]
    assert tooling == []


# Features a new couple's launch does not use: imported by the first turn that does
# (skill.handlers.later; issue 21).
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
    _, modules = launch_in_a_fresh_process()
    assert "skill.handlers.tonight" in modules  # the launch's own step was loaded
    assert sorted(modules.intersection(NOT_AT_LAUNCH)) == []
