"""Certification: no response that ends the session asks a question.

Every place in skill/ that ends a session is found in the code (tests/closing.py). Where the
code writes what it says there, its content keys are checked directly; where what it says
is built elsewhere (the evening's wrap-up, a recap read to its end), a conversation here
reaches it and records what was said. Either way every variant of every such line, in
every published locale, must ask nothing. Every conversation test checks the same of each
closing response it meets (tests/conftest.py), and that none ends on a question mark.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from skill.app import Stagewise, build_skill
from skill.config import Settings
from skill.content import PUBLISHED_LOCALES, load_content
from skill.handlers.errors import LAST_RESORT
from skill.store.sqlite import SqliteStore
from stagewise_tools.fake_alexa import FakeAlexa
from tests.closing import (
    Closing,
    ClosingKeys,
    asking_variants,
    asks,
    close_sites,
    site_of,
)
from tests.conversation import Couple, check_response

PROMPT_KEYS = set(load_content().prompts)
SITES = close_sites(PROMPT_KEYS)


def tour(app: Stagewise, sqlite_store: SqliteStore, settings: Settings) -> None:
    """The closing paths whose words are built away from where the session closes."""
    couple = Couple(app)
    couple.onboard("maya", "jordan")
    couple.answer("your laugh")
    couple.intent("AMAZON.StopIntent")  # one answer in: "Maya's answer is saved..."
    couple.intent("TonightQuestionIntent", new_session=True)
    couple.answer("your patience")  # both answered: the evening's wrap-up
    couple.later(days=1)
    couple.intent("RecapIntent", new_session=True, period=None)  # "shall I keep that evening?"
    couple.intent("AMAZON.YesIntent")  # kept among their favourites
    couple.intent("RecapIntent", new_session=True, period=None)  # read to its end, kept
    couple.later(days=365)
    couple.intent("RecapYearAgoIntent", new_session=True)  # the evening a year ago
    # The weekly reminder, made through a fake Alexa API.
    new_york = ZoneInfo("America/New_York")
    alexa = FakeAlexa(zone="America/New_York", permitted=True)
    reminders = build_skill(settings, store=sqlite_store, alexa_api=alexa.client)
    start = datetime(2026, 11, 18, 19, 0, tzinfo=new_york).astimezone(UTC)
    other = Couple(reminders, user_id="amzn1.ask.account.reminding", now=start)
    other.device.api_token = "in-session-token"
    other.onboard("sam", "alex")
    other.intent("SetReminderIntent", new_session=True, day="sunday", time="20:00")
    other.intent("AMAZON.YesIntent")


def test_every_place_that_ends_a_session_is_checked(
    app: Stagewise, sqlite_store: SqliteStore, settings: Settings, closing_keys: ClosingKeys
) -> None:
    tour(app, sqlite_store, settings)
    reached = {site_of(c.site, SITES) for c in closing_keys.closings}
    unchecked = sorted(s.name for s in SITES.values() if not s.keys and s.name not in reached)
    assert unchecked == [], "closes with words built elsewhere: add its path to tour()"
    assert len(SITES) >= 40  # the finder still finds them (49 when this was written)


def test_no_line_that_ends_a_session_asks_anything(
    app: Stagewise, sqlite_store: SqliteStore, settings: Settings, closing_keys: ClosingKeys
) -> None:
    tour(app, sqlite_store, settings)
    keys = {key for site in SITES.values() for key in site.keys}
    keys |= {key for closing in closing_keys.closings for key in closing.keys}
    assert {
        "crisis.line",
        "crisis.line_help",
        "answer.talk_together",
        "recap.end",
        "goodbye.general",
    } <= keys
    asking = [
        f"{locale} {key}: {variant}"
        for locale in PUBLISHED_LOCALES
        for key in sorted(keys)
        for variant in asking_variants(load_content(locale), key)
    ]
    assert asking == []
    assert not asks(LAST_RESORT)  # the words said when even content could not be read


@pytest.mark.parametrize(
    ("line", "asking"),
    [
        ("Good night, you two.", False),
        ("That's all of it. It's lovely to hear it again, isn't it?", True),
        ("{when}, the question was: {question}", False),  # reads a question back: not asking
    ],
)
def test_what_counts_as_asking(line: str, asking: bool) -> None:
    assert asks(line) is asking


def test_a_closing_line_that_asks_is_caught(closing_keys: ClosingKeys) -> None:
    """The recorder itself: a closing turn that said an asking line is reported."""
    closing_keys.closings.append(Closing("skill/x.py:1", "en-US", ("offer.question",)))
    found = list(closing_keys.asking())
    closing_keys.closings.clear()  # this test's own teardown must not fail on it
    assert found and "offer.question" in found[0]


def test_the_tour_reaches_the_paths_it_names(
    app: Stagewise, sqlite_store: SqliteStore, settings: Settings, closing_keys: ClosingKeys
) -> None:
    tour(app, sqlite_store, settings)
    said = {key for c in closing_keys.closings for key in c.keys}
    assert {"goodbye.answer_saved", "answer.talk_together", "recap.end", "memory.year_ago"} <= said
    assert {"reminder.set"} <= said
    assert len(closing_keys.closings) >= 5


def test_the_response_check_refuses_a_closing_question() -> None:
    """tests/conversation.py's check, which every conversation test runs on every reply."""
    closing = {
        "version": "1.0",
        "response": {
            "outputSpeech": {
                "type": "SSML",
                "ssml": "<speak>That's all. Lovely, isn't it?</speak>",
            },
            "shouldEndSession": True,
        },
    }
    with pytest.raises(AssertionError, match="closes the session on a question"):
        check_response(closing)
    closing["response"]["outputSpeech"]["ssml"] = "<speak>Is it? Good night.</speak>"
    check_response(closing)  # ends on a goodbye
