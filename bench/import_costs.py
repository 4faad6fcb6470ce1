"""Issue 21, item 1: what each change to the cold start and to a turn saves, before and after.

Measures: for each change, the way it was done before and the way it is done now, each in
fresh interpreters (alternated, after one discarded run that caches bytecode; median CPU ms
of the snippet, after interpreter start-up), or in this process for what a turn repeats:
- the DynamoDB client from botocore alone vs through boto3 (import and client creation);
- ask-sdk-core imported with skill.lean_sdk (no Alexa service clients) vs as it imports itself;
- the standard-library modules a first turn no longer imports (zoneinfo with sysconfig,
  xml.sax, importlib.resources), on top of what the skill imports anyway;
- a request envelope read by skill.envelope_reader vs by the SDK's DefaultSerializer (µs);
- how often content is built at start: once per published locale (en-US was built twice).
Against: the "before" of each row, in the same run. No target: the cold-start rows of
bench/cold_start.py hold the target; these say where the difference comes from.
"""

from __future__ import annotations

import copy
import json
import statistics
import subprocess
import sys
import textwrap
import time

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from bench.driver import START, BenchError
from bench.harness import Bench
from bench.report import Row, fmt_ratio
from skill.envelope_reader import EnvelopeSerializer
from stagewise_tools import alexa_requests as alexa

ITEM = 2
CLIENT_SETUP = """
from botocore.config import Config
CONFIG = Config(connect_timeout=0.5, read_timeout=1.0, retries={"total_max_attempts": 2})
"""
# (label, before, after): Python run in a fresh interpreter; the CPU time of each is compared.
CHANGES: tuple[tuple[str, str, str], ...] = (
    (
        "DynamoDB client: botocore alone vs through boto3 (import + client, CPU ms)",
        CLIENT_SETUP
        + "import boto3\n"
        + 'boto3.session.Session(region_name="us-east-1").client("dynamodb", config=CONFIG)',
        CLIENT_SETUP
        + "from botocore.session import get_session\n"
        + 'get_session().create_client("dynamodb", region_name="us-east-1", config=CONFIG)',
    ),
    (
        "ask-sdk-core import: without the Alexa service clients (skill.lean_sdk) vs as the "
        "SDK imports itself (CPU ms)",
        "from ask_sdk_core.skill_builder import SkillBuilder\n"
        "from ask_sdk_core.serialize import DefaultSerializer",
        "import skill\n"
        "from ask_sdk_core.skill_builder import SkillBuilder\n"
        "from ask_sdk_core.serialize import DefaultSerializer",
    ),
    (
        "the skill's modules, without vs with zoneinfo (and sysconfig), xml.sax and "
        "importlib.resources at start (CPU ms)",
        "import skill.app\nimport zoneinfo, xml.sax.saxutils, importlib.resources",
        "import skill.app",
    ),
)
TIMED = """
import time
_started = time.process_time()
{body}
print(round((time.process_time() - _started) * 1000, 3))
"""


def cpu_ms(bench: Bench, body: str) -> float:
    """One fresh interpreter running `body`: its CPU ms."""
    done = subprocess.run(
        [sys.executable, "-c", TIMED.format(body=textwrap.dedent(body))],
        env=bench.child_env,
        cwd=bench.work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(f"import cost snippet failed: {tail}")
    return float(done.stdout.strip().splitlines()[-1])


def before_and_after(bench: Bench, before: str, after: str) -> tuple[float, float]:
    """Median CPU ms of each, alternated, after one discarded run of each."""
    cpu_ms(bench, before), cpu_ms(bench, after)
    runs: dict[str, list[float]] = {"before": [], "after": []}
    for run in range(max(5, bench.plan.cold_runs)):
        pair = (("before", before), ("after", after))
        for key, body in pair if run % 2 == 0 else pair[::-1]:
            runs[key].append(cpu_ms(bench, body))
    return statistics.median(runs["before"]), statistics.median(runs["after"])


def envelope_us(read: object, event: dict[str, object], runs: int = 7, each: int = 200) -> float:
    """Median µs of CPU to read one envelope (batches of `each`, fresh copies)."""
    samples = []
    for _ in range(runs):
        events = [copy.deepcopy(event) for _ in range(each)]
        started = time.process_time()
        for one in events:
            read(one)  # type: ignore[operator]
        samples.append((time.process_time() - started) / each * 1e6)
    return float(statistics.median(samples))


def content_builds(bench: Bench) -> tuple[int, int]:
    """In a fresh interpreter: content builds at start (build_skill), and published locales."""
    body = """
    from skill import content
    from skill.app import build_skill
    from skill.config import Settings
    build_skill(Settings(store_url="sqlite:///:memory:"))
    content.load_content()
    content.load_content("en-US")
    import json
    print(json.dumps([content._load_content.cache_info().misses, len(content.PUBLISHED_LOCALES)]))
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(body)],
        env=bench.child_env,
        cwd=bench.work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise BenchError(f"content count failed: {done.stderr.strip()[-200:]}")
    builds, locales = json.loads(done.stdout.strip().splitlines()[-1])
    return int(builds), int(locales)


def measure(bench: Bench) -> list[Row]:
    """Each change, before and after."""
    rows = []
    figures: dict[str, object] = {}
    for label, before, after in CHANGES:
        old, new = before_and_after(bench, before, after)
        figures[label] = {"before_cpu_ms": old, "after_cpu_ms": new}
        rows.append(
            Row(
                ITEM,
                f"what it saves: {label}",
                f"{new:.1f}",
                f"{old:.1f}",
                fmt_ratio(new / old),
                note=f"{old - new:.1f} ms saved",
            )
        )
    device = alexa.Device()
    device.new_session()
    event = device.envelope(alexa.intent("AMAZON.HelpIntent"), START)
    ours = EnvelopeSerializer()
    sdk = DefaultSerializer()
    new_us = envelope_us(lambda e: ours.from_event(e, RequestEnvelope), event)
    old_us = envelope_us(lambda e: sdk.deserialize(json.dumps(e), RequestEnvelope), event)
    figures["envelope_read_us"] = {"before": old_us, "after": new_us}
    rows.append(
        Row(
            ITEM,
            "what it saves: reading a request envelope, skill.envelope_reader vs the SDK's "
            "DefaultSerializer (CPU µs, every turn)",
            f"{new_us:.0f}",
            f"{old_us:.0f}",
            fmt_ratio(new_us / old_us),
            note=f"{old_us - new_us:.0f} µs saved on every turn",
        )
    )
    builds, locales = content_builds(bench)
    figures["content_builds"] = {"builds": builds, "published_locales": locales}
    rows.append(
        Row(
            ITEM,
            "content built at start, then asked for as load_content() and load_content('en-US')",
            f"{builds} builds",
            f"{locales} published locales",
            target="one per locale",
            met=builds <= locales,
            note="en-US was built twice before: two cache keys for one locale",
        )
    )
    bench.results["import_costs"] = figures
    return rows
