"""Golden transcripts: console scripts in, replies checked against content variants.

See tests/transcripts/README.md for the format. Every file is one situation a couple
meets; expected speech is matched against the content's own variants, so rewording a
line keeps the transcripts true while a wrong reply fails.
"""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from skill.app import build_skill, handle_event
from skill.config import Settings
from skill.content import PUBLISHED_LOCALES, Content, load_content
from skill.store.sqlite import SqliteStore
from stagewise_tools import alexa_requests as alexa
from stagewise_tools.cli import Console
from stagewise_tools.fake_alexa import FakeAlexa
from tests.conversation import wordings

CONTENT = load_content()
FILES = sorted((Path(__file__).parent / "transcripts").glob("*.chat"))
START = datetime(2026, 11, 16, 19, 0, tzinfo=UTC)  # a Monday evening
HOUSEHOLD = "amzn1.ask.account.transcript"


KEY_WITH_VALUES = re.compile(r"^([\w.]+)\{(.*)\}$")  # period.day{weekday=Monday,day=16}


def pattern(key: str, content: Content = CONTENT) -> re.Pattern[str]:
    """Any variant of a content key: placeholders given in `key{name=value,...}` match that
    value (so a date reads in each locale's own order), the others any text."""
    values: dict[str, str] = {}
    given = KEY_WITH_VALUES.match(key)
    if given:
        key = given.group(1)
        values = dict(pair.split("=", 1) for pair in given.group(2).split(","))
    options = []
    for variant in wordings(content, key):
        parts = re.split(r"(\{\w+\})", variant)
        options.append(
            "".join(
                (re.escape(values[part[1:-1]]) if part[1:-1] in values else ".+?")
                if part.startswith("{") and part.endswith("}")
                else re.escape(part)
                for part in parts
            )
        )
    return re.compile("|".join(f"(?:{o})" for o in options), re.S)


def known(expected: str, content: Content) -> bool:
    """A content key (bare, or with values), rather than literal text."""
    given = KEY_WITH_VALUES.match(expected)
    return bool(wordings(content, given.group(1) if given else expected))


def test_there_are_transcripts() -> None:
    assert len(FILES) >= 10


@pytest.mark.parametrize("locale", PUBLISHED_LOCALES)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_transcript(path: Path, locale: str, tmp_path: Path) -> None:
    """Each transcript, in every published locale (each locale's own wording is expected)."""
    content = load_content(locale)
    store = SqliteStore(tmp_path / "t.db")
    fake = FakeAlexa()  # UTC until a transcript says `/timezone ...`
    app = build_skill(Settings(store_url="sqlite:///:memory:"), store=store, alexa_api=fake.client)
    device = alexa.Device(user_id=HOUSEHOLD, locale=locale)
    console = Console(lambda event: handle_event(app, event), device, START, alexa=fake)
    reply, said = "", ""
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith(">"):
            said = line[1:].strip()
            reply = console.turn(said)
        elif line.startswith("<"):
            position = 0
            for expected in shlex.split(line[1:]):
                if expected.startswith("-"):
                    unwanted = expected[1:]
                    heard = (
                        pattern(unwanted, content).search(reply)
                        if known(unwanted, content)
                        else unwanted in reply
                    )
                    assert not heard, f"{where}: {unwanted!r} was said:\n{reply}"
                    continue
                if not known(expected, content):  # literal text: anywhere in the reply
                    assert expected in reply, f"{where}: after {said!r} no {expected!r}:\n{reply}"
                    continue
                if KEY_WITH_VALUES.match(expected):  # like literal text: anywhere in the reply
                    assert pattern(expected, content).search(reply), f"{where}: no {expected!r}"
                    continue
                found = pattern(expected, content).search(reply, position)
                assert found, f"{where}: after {said!r} expected {expected!r} in:\n{reply}"
                position = found.end()
        elif line.startswith("="):
            check(line[1:].strip(), store, reply, where)
        else:
            raise AssertionError(f"{where}: cannot read {line!r}")


def check(claim: str, store: SqliteStore, reply: str, where: str) -> None:
    answers = store.answers(
        HOUSEHOLD, start=START - timedelta(days=400), until=START + timedelta(days=800), limit=999
    )
    if claim.startswith("answers "):
        assert len(answers) == int(claim.split()[1]), f"{where}: {[a.text for a in answers]}"
    elif claim.startswith("answer "):
        name, _, text = claim[len("answer ") :].partition(": ")
        latest = next((a for a in answers if a.partner_name == name), None)
        assert latest is not None and latest.text == text, f"{where}: {latest}"
    elif claim == "closed":
        assert "(session closed)" in reply, f"{where}: {reply}"
    elif claim == "open":
        assert "(session closed)" not in reply, f"{where}: {reply}"
    else:
        raise AssertionError(f"{where}: unknown check {claim!r}")
