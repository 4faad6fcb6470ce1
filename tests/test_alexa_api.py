"""Our Alexa API client over real HTTPS on loopback: requests, errors, and every misbehaviour
of tests/alexa_https.py ending in our own error within the call's one deadline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from skill.alexa_api import (
    AlexaApiError,
    HttpAlexaApi,
    NoPermission,
    NotFound,
    OutcomeUnknown,
    Throttled,
    Unavailable,
)
from skill.local_time import zone_name_valid, zone_named
from stagewise_tools.fake_alexa import FakeAlexa
from tests.alexa_https import FAULTS, TOKEN, Amazon, misbehaving_amazon

DEVICE = "amzn1.ask.device.AEXAMPLE0123456789"
WEEKLY = {
    "trigger": {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": "2026-11-22T20:00:00",
        "timeZoneId": "America/New_York",
        "recurrence": {"recurrenceRules": ["FREQ=WEEKLY;BYDAY=SU;BYHOUR=20;BYMINUTE=0;BYSECOND=0"]},
    }
}
DEADLINE = 1.0  # the production default (skill.alexa_api.API_TIMEOUT_SECONDS)
SHORT = 0.4  # a shorter deadline where only the kind of error is in question


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Amazon]:
    account = FakeAlexa(zone="America/New_York", permitted=True)
    with misbehaving_amazon(account, tmp_path_factory.mktemp("tls")) as amazon:
        yield amazon


@pytest.fixture
def amazon(served: Amazon) -> Amazon:
    """The fake, fresh for each test: no reminders, no faults, nothing seen."""
    served.account.reminders.clear()
    served.account.zone = "America/New_York"
    served.faults.clear()
    served.seen.clear()
    served.trap.received.clear()
    return served


def client(amazon: Amazon, token: str = TOKEN, timeout: float = DEADLINE) -> HttpAlexaApi:
    return HttpAlexaApi(amazon.endpoint, token, timeout=timeout, ssl_context=amazon.trusted)


def timed(call: Any) -> tuple[Exception | None, float]:
    """What a call raised (or None), and how long it took."""
    started = time.monotonic()
    try:
        call()
    except Exception as err:
        return err, time.monotonic() - started
    return None, time.monotonic() - started


def test_the_time_zone_and_reminders_over_https(amazon: Amazon) -> None:
    api = client(amazon)
    assert api.time_zone(DEVICE) == "America/New_York"
    assert api.list_reminders() == []
    token = api.create_reminder(WEEKLY)
    [listed] = api.list_reminders()
    assert listed["alertToken"] == token and listed["status"] == "ON"
    assert listed["trigger"] == WEEKLY["trigger"]
    api.update_reminder(token, {**WEEKLY, "pushNotification": {"status": "ENABLED"}})
    assert amazon.account.reminders[token]["pushNotification"] == {"status": "ENABLED"}
    api.delete_reminder(token)
    assert amazon.account.reminders == {}
    assert [(r["method"], r["path"]) for r in amazon.seen] == [
        ("GET", f"/v2/devices/{DEVICE}/settings/System.timeZone"),
        ("GET", "/v1/alerts/reminders"),
        ("POST", "/v1/alerts/reminders"),
        ("GET", "/v1/alerts/reminders"),
        ("PUT", f"/v1/alerts/reminders/{token}"),
        ("DELETE", f"/v1/alerts/reminders/{token}"),
    ]
    assert {r["auth"] for r in amazon.seen} == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    ("fault", "on_read", "on_change"),
    [
        ("401", NoPermission, NoPermission),
        ("403", NoPermission, NoPermission),
        ("404", NotFound, NotFound),
        ("429", Throttled, Throttled),
        ("503", Unavailable, OutcomeUnknown),  # a 5xx to a change may hide a change made
        ("500", Unavailable, OutcomeUnknown),
    ],
)
def test_error_statuses_come_back_as_our_own(
    amazon: Amazon, fault: str, on_read: type[Exception], on_change: type[Exception]
) -> None:
    amazon.faults.plan("list", fault)
    amazon.faults.plan("create", fault)
    with pytest.raises(on_read) as read:
        client(amazon).list_reminders()
    with pytest.raises(on_change) as change:
        client(amazon).create_reminder(WEEKLY)
    assert type(read.value) is on_read and type(change.value) is on_change
    assert TOKEN not in str(read.value) + str(change.value)  # no tokens in messages
    assert amazon.account.reminders == {}  # these faults answer before doing anything


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_every_misbehaviour_ends_in_our_error_within_the_deadline(
    amazon: Amazon, fault: str
) -> None:
    """Reads fail as Unavailable; a change whose answer was lost after it was made is
    OutcomeUnknown, never an error that would read as "nothing changed"."""
    amazon.faults.plan("any" if fault == "slow accept" else "list", fault)
    raised, seconds = timed(lambda: client(amazon, timeout=SHORT).list_reminders())
    assert isinstance(raised, AlexaApiError), f"{fault}: {raised!r}"
    assert not isinstance(raised, OutcomeUnknown)
    assert seconds < SHORT + 0.3, f"{fault}: {seconds:.2f} s"
    amazon.faults.plan("any" if fault == "slow accept" else "create", fault)
    raised, seconds = timed(lambda: client(amazon, timeout=SHORT).create_reminder(WEEKLY))
    assert isinstance(raised, AlexaApiError), f"{fault}: {raised!r}"
    assert seconds < SHORT + 0.3, f"{fault}: {seconds:.2f} s"
    made = bool(amazon.account.reminders)
    assert made == FAULTS[fault][1]
    if made:  # the reminder exists: the caller must not hear that nothing changed
        assert isinstance(raised, OutcomeUnknown), f"{fault}: {raised!r}"


def test_a_trickled_reply_ends_at_the_deadline_not_per_read(amazon: Amazon) -> None:
    """A byte every half second never trips a per-read timeout of a second; the one total
    deadline stops it at a second."""
    amazon.faults.plan("list", "trickle")
    raised, seconds = timed(lambda: client(amazon).list_reminders())
    assert isinstance(raised, Unavailable) and "timed out" in str(raised)
    assert DEADLINE - 0.05 <= seconds < DEADLINE + 0.3


def test_a_slow_accept_ends_at_the_deadline(amazon: Amazon) -> None:
    amazon.faults.plan("any", "slow accept")
    raised, seconds = timed(lambda: client(amazon, timeout=0.3).time_zone(DEVICE))
    assert isinstance(raised, Unavailable) and not isinstance(raised, OutcomeUnknown)
    assert seconds < 0.6


@pytest.mark.parametrize("fault", ["redirect to http", "redirect to another host"])
def test_a_redirect_is_not_followed_and_the_token_goes_nowhere_else(
    amazon: Amazon, fault: str
) -> None:
    amazon.faults.plan("delete", fault)
    with pytest.raises(Unavailable, match="redirects are not followed"):
        client(amazon).delete_reminder("alert-1")
    time.sleep(0.3)  # a followed redirect would have reached the trap by now
    assert amazon.trap.received == []
    assert len(amazon.seen) == 1


def test_a_huge_reply_is_refused_unread(amazon: Amazon) -> None:
    amazon.faults.plan("list", "huge")
    raised, seconds = timed(lambda: client(amazon).list_reminders())
    assert isinstance(raised, Unavailable) and "over 65536" in str(raised)
    assert seconds < 0.5  # refused on its Content-Length, not read


def test_a_truncated_reply_to_a_delete_is_no_failure(amazon: Amazon) -> None:
    """Deletes and updates need only the status: a body cut short afterwards changes nothing."""
    token = client(amazon).create_reminder(WEEKLY)
    amazon.faults.plan("delete", "truncate")
    client(amazon).delete_reminder(token)
    assert amazon.account.reminders == {}


def test_only_https_gets_the_token(amazon: Amazon) -> None:
    plain = HttpAlexaApi(f"http://127.0.0.1:{amazon.trap.port}", TOKEN, timeout=DEADLINE)
    with pytest.raises(Unavailable, match="https"):
        plain.list_reminders()
    time.sleep(0.3)
    assert amazon.trap.received == []


@pytest.mark.parametrize("token", ["two\r\nX-Evil: 1", "tøken"])
def test_a_token_that_cannot_be_a_header_is_refused(amazon: Amazon, token: str) -> None:
    with pytest.raises(Unavailable, match="header"):
        client(amazon, token).list_reminders()
    assert amazon.seen == []


def test_an_untrusted_certificate_is_refused(amazon: Amazon) -> None:
    with pytest.raises(Unavailable) as raised:
        HttpAlexaApi(amazon.endpoint, TOKEN, timeout=DEADLINE).time_zone(DEVICE)
    assert not isinstance(raised.value, OutcomeUnknown)


BAD_ZONES = ["x" * 300, "Europe/" + "y" * 250, "../etc", "Not/AZone", "", "America", "zone.tab"]


@pytest.mark.parametrize("zone", BAD_ZONES, ids=lambda z: z[:12] or "empty")
def test_a_bad_zone_name_is_unavailable_and_never_reaches_zoneinfo_unchecked(
    amazon: Amazon, zone: str
) -> None:
    amazon.account.zone = zone
    with pytest.raises(Unavailable, match="zone"):
        client(amazon).time_zone(DEVICE)
    assert not zone_name_valid(zone)
    assert zone_named(zone) is zone_named(None)  # UTC, never an OSError


GOOD_ZONES = ["America/New_York", "Etc/GMT+5", "UTC", "America/Argentina/Salta"]


@pytest.mark.parametrize("zone", GOOD_ZONES)
def test_real_zone_names_are_valid(amazon: Amazon, zone: str) -> None:
    amazon.account.zone = zone
    assert client(amazon).time_zone(DEVICE) == zone and zone_name_valid(zone)


def test_a_stuck_name_lookup_ends_at_the_deadline(
    amazon: Amazon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """getaddrinfo takes no timeout: a resolver that hangs must not hold the turn."""
    import socket

    real = socket.getaddrinfo

    def stuck(*args: Any, **kwargs: Any) -> Any:
        time.sleep(2.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    raised, seconds = timed(lambda: client(amazon, timeout=SHORT).list_reminders())
    assert isinstance(raised, Unavailable) and "timed out" in str(raised)
    assert seconds < SHORT + 0.2
    assert amazon.seen == []
