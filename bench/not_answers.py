"""What the not-answer check costs each supposed answer, in this process.

Measures: `skill.not_answers.recognise` on every row of the development sets
(tests/data/dev/answers.tsv and not_answers.tsv: answers, hesitations, corrections, other
intents' phrasings), after the recogniser is built once as a turn finds it; CPU µs per
supposed answer, the median of batches over all rows.
Against: ask-sdk-core's DefaultSerializer reading the request envelope that carries the same
answer, in the same run: work every ask-sdk-core skill does on every turn.
Target: the check at most NOT_ANSWER_RATIO (10) times that read: about 5 times on a quiet
two-core machine; a recogniser rebuilt per call (some 360 ms) would be thousands of times.
Replaces a wall-clock test (1,000 calls under a second) that a busy CI machine failed.
"""

from __future__ import annotations

import csv
import json
import statistics
import time
from collections.abc import Callable

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from bench.driver import START
from bench.harness import REPO, Bench
from bench.report import NOT_ANSWER_RATIO, Row, fmt_ratio
from skill.content import load_content
from skill.not_answers import compiled, recognise
from stagewise_tools import alexa_requests as alexa

ITEM = 9
DEV = REPO / "tests" / "data" / "dev"
COUPLE = ("Sam", "Alex")


def supposed_answers() -> list[str]:
    texts = []
    for name in ("answers.tsv", "not_answers.tsv"):
        with (DEV / name).open(encoding="utf-8", newline="") as rows:
            texts += [row["text"] for row in csv.DictReader(rows, delimiter="\t")]
    return texts


def per_call_us(call: Callable[[str], object], texts: list[str], runs: int) -> float:
    """Median CPU µs of one call, over `runs` batches of every text."""
    samples = []
    for _ in range(runs):
        started = time.process_time()
        for text in texts:
            call(text)
        samples.append((time.process_time() - started) / len(texts) * 1e6)
    return float(statistics.median(samples))


def measure(bench: Bench) -> list[Row]:
    texts = supposed_answers()
    content = load_content("en-US")
    compiled(content.locale)  # built once per process, before the first turn needs it
    device = alexa.Device()
    device.new_session()
    events = {
        text: json.dumps(device.envelope(alexa.intent("AnswerIntent", {"answer": text}), START))
        for text in texts
    }
    sdk = DefaultSerializer()
    runs = 3 if bench.plan.quick else 9
    recognise(texts[0], COUPLE, content)  # warm: the correction leads load with the first answer
    read = per_call_us(lambda text: sdk.deserialize(events[text], RequestEnvelope), texts, runs)
    check = per_call_us(lambda text: recognise(text, COUPLE, content), texts, runs)
    ratio = check / read
    bench.results["not_answers"] = {
        "supposed_answers": len(texts),
        "runs": runs,
        "check_us": check,
        "sdk_envelope_read_us": read,
    }
    return [
        Row(
            ITEM,
            f"not-answer check on one supposed answer (CPU µs, median over {len(texts)} "
            "development rows) vs the SDK reading that turn's envelope",
            f"{check:.0f}",
            f"{read:.0f}",
            ratio=fmt_ratio(ratio, NOT_ANSWER_RATIO),
            target=f"≤ {NOT_ANSWER_RATIO:g}×",
            met=ratio <= NOT_ANSWER_RATIO,
        )
    ]
