"""Fault injection for the skill's two remote services, and the check that it never says
anything untrue about the weekly reminder.

- `DynamoFaultProxy`: an HTTP proxy on loopback in front of the moto server. The skill's
  DynamoDB client points at it (AWS_ENDPOINT_URL_DYNAMODB) with its production timeouts
  and retries. Rules pick requests by operation (the X-Amz-Target header), by their
  number, or by chance with a seed, and fail them (500, throttling, a reset), delay them
  past the client's read timeout, or forward them and then lose the answer (commit then
  lose). Calls and faults are counted.
- The fake Alexa API misbehaves through tests.alexa_https (`Amazon.faults`).
- `Truth`: what Alexa holds before and after a turn against what the turn said, by the
  content keys it spoke (`check_reminder_truth`).

Reusable beyond reminders: any test can route the skill through `DynamoFaultProxy` and
plan faults on the write it cares about.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from skill.content import load_content
from skill.reconnect import Schedule
from skill.reminders import weekly_reminders
from stagewise_tools.fake_alexa import FakeAlexa
from tests.conversation import Reply

# The client's read timeout is 1 s (skill.store.dynamodb.CLIENT_CONFIG): a delay past it.
DELAY = 1.3
DYNAMO_FAULTS = {
    # name: (what the proxy does, whether the request reaches moto first)
    "500": ("500", False),  # InternalServerError, retried by botocore
    "throttled": ("ThrottlingException", False),
    "throughput exceeded": ("ProvisionedThroughputExceededException", False),
    "reset": ("reset", False),  # the connection reset before anything happened
    "delayed": ("delay", True),  # held past the read timeout, then forwarded (it lands late)
    "lost reply": ("reset", True),  # forwarded, then the connection reset: commit then lose
    "lost as 500": ("500", True),  # forwarded, then a 500: commit then lose
}


@dataclass
class Rule:
    """Which requests fail how: by operation (or "*"), the nth to `nth + times - 1`th
    matching request, or each matching request with `chance` (seeded)."""

    op: str
    fault: str  # a key of DYNAMO_FAULTS
    nth: int = 1
    times: int = 1
    chance: float | None = None
    seen: int = 0


@dataclass
class DynamoFaultProxy:
    """Counts and spoils DynamoDB requests on their way to moto; see the module docstring."""

    upstream: str
    seed: int = 0
    rules: list[Rule] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    faults: list[tuple[str, str]] = field(default_factory=list)
    url: str = ""
    _random: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _in_flight: int = 0

    def plan(self, op: str, fault: str, *, nth: int = 1, times: int = 1) -> None:
        if fault not in DYNAMO_FAULTS:
            raise ValueError(f"no such fault: {fault}")
        with self._lock:
            self.rules.append(Rule(op, fault, nth, times))

    def plan_chance(self, op: str, fault: str, chance: float, seed: int) -> None:
        with self._lock:
            self._random.seed(seed)
            self.rules.append(Rule(op, fault, chance=chance))

    def clear(self) -> None:
        """No more faults; counts start again."""
        with self._lock:
            self.rules.clear()
            self.calls.clear()
            self.faults.clear()

    def settle(self, timeout: float = 5.0) -> None:
        """Wait for held requests (delays) to land, so what moto holds is final."""
        end = time.monotonic() + timeout
        while self._in_flight and time.monotonic() < end:
            time.sleep(0.02)

    def _decide(self, op: str) -> str | None:
        with self._lock:
            self.calls[op] += 1
            for rule in self.rules:
                if rule.op not in (op, "*"):
                    continue
                rule.seen += 1
                if rule.chance is not None:
                    hit = self._random.random() < rule.chance
                else:
                    hit = rule.nth <= rule.seen < rule.nth + rule.times
                if hit:
                    self.faults.append((op, rule.fault))
                    return rule.fault
            return None

    def _forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        parts = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        try:
            conn.request(method, path, body, headers)
            reply = conn.getresponse()
            return reply.status, reply.getheaders(), reply.read()
        finally:
            conn.close()


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}


def _handler(proxy: DynamoFaultProxy) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # botocore keeps connections alive

        def log_message(self, *args: Any) -> None:
            pass

        def setup(self) -> None:
            super().setup()  # headers and body go in two writes: no Nagle delay between
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            op = (self.headers.get("X-Amz-Target") or "other").rsplit(".", 1)[-1]
            fault = proxy._decide(op)
            kind, lands = DYNAMO_FAULTS[fault] if fault else ("", True)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            with proxy._lock:
                proxy._in_flight += 1
            try:
                if kind == "delay":
                    time.sleep(DELAY)
                reply = self._upstream(headers, body) if lands else None
            finally:
                with proxy._lock:
                    proxy._in_flight -= 1
            if kind == "reset":
                self.close_connection = True
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                return
            if kind and kind != "delay":
                error = {"__type": f"com.amazonaws.dynamodb.v20120810#{kind}", "message": "x"}
                status = 500 if kind == "500" else 400
                if kind == "500":
                    error["__type"] = "com.amazonaws.dynamodb.v20120810#InternalServerError"
                return self._reply(status, [], json.dumps(error).encode())
            assert reply is not None
            self._reply(*reply)

        def _upstream(self, headers: dict[str, str], body: bytes) -> Any:
            return proxy._forward(self.command, self.path, headers, body)

        def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            try:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in HOP_BY_HOP:
                        self.send_header(name, value)
                if not any(n.lower() == "content-type" for n, _ in headers):
                    self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                self.close_connection = True  # the client gave up (a delay): fine

        do_POST = do_GET = _relay

    return Proxy


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@contextmanager
def dynamo_fault_proxy(upstream: str, seed: int = 0) -> Iterator[DynamoFaultProxy]:
    """A fault proxy on loopback in front of `upstream` (the moto server's URL)."""
    proxy = DynamoFaultProxy(upstream, seed)
    proxy._random.seed(seed)
    server = _ProxyServer(("127.0.0.1", 0), _handler(proxy))
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.settle()
        server.shutdown()
        server.server_close()


# -- "nothing untrue is said" ----------------------------------------------------------

CONTENT = load_content()
# What each reminder line claims about Alexa's reminders after the turn:
#   set: one weekly reminder, on the day and time the line names (or, without a day in
#        the line, the one asked for); none: no reminder of ours; unchanged: just as before;
#   unsure: nothing (it says it does not know, and how to check).
CLAIMS = {
    "reminder.set": "set",
    "reminder.set_unnoted": "set",
    "reminder.moved": "set",
    "reminder.moved_unnoted": "set",
    "reminder.status": "set",
    "reminder.cancelled": "none",
    "reminder.nothing_to_cancel": "none",
    "reminder.none": "none",
    "reminder.gone": "none",
    "forget.reminder_off": "none",
    "reminder.failed": "unchanged",
    "reminder.cancel_no_permission": "unchanged",
    "reminder.no_permission": "unchanged",
    "reminder.need_permission": "unchanged",
    "error.storage": "unchanged",  # "can't reach your saved answers": nothing was done
    "forget.failed": "unchanged",
    "reminder.unsure": "unsure",
    "reminder.status_unknown": "unsure",
    "reminder.status_noted": "unsure",
    "reminder.none_visible": "unsure",
    "forget.reminder_remains": "unsure",
    "forget.reminder_may_remain": "unsure",
}
NEVER = ("error.general", "error.unreadable")  # an exception escaped: never acceptable


def _pattern(key: str) -> re.Pattern[str]:
    """Any variant of a content key (or of its plural forms), its {day} and {time} captured."""
    options = []
    forms = [k for k in (key, f"{key}#one", f"{key}#other") if k in CONTENT.prompts]
    for variant in (v for form in forms for v in CONTENT.variants(form)):
        parts = re.split(r"(\{\w+\})", variant)
        options.append(
            "".join(
                f"(?P<{part[1:-1]}>.+?)"
                if part[1:-1] in ("day", "time")
                else (".+?" if part.startswith("{") else re.escape(part))
                for part in parts
            )
        )
    return re.compile("|".join(f"(?:{o})" for o in options))


PATTERNS = {key: _pattern(key) for key in (*CLAIMS, *NEVER)}


def spoken(reply: Reply) -> dict[str, dict[str, str]]:
    """The claim-bearing content keys a reply spoke, with the day and time each named."""
    found = {}
    for key, pattern in PATTERNS.items():
        match = pattern.search(reply.text)
        if match:
            found[key] = {k: v for k, v in match.groupdict().items() if v}
    if "reminder.set_unnoted" in found:
        found.pop("reminder.set", None)  # its opening words are reminder.set's
    if "reminder.moved_unnoted" in found:
        found.pop("reminder.moved", None)
    if "forget.reminder_may_remain" in found:
        found.pop("forget.reminder_remains", None)
    if any(key.startswith("forget.reminder_") for key in found):
        found.pop("forget.failed", None)  # the reminder line says what became of it
    return found


def weekly_at(account: FakeAlexa) -> dict[str, Schedule | None]:
    """The weekly reminders the fake Alexa holds: token -> schedule."""
    listed = [{"alertToken": t, "status": "ON", **body} for t, body in account.reminders.items()]
    return {w.token: w.schedule for w in weekly_reminders(listed)}


@dataclass
class Truth:
    """Alexa's reminders before a turn, to check the turn's words against them after."""

    account: FakeAlexa
    before: dict[str, Schedule | None] = field(default_factory=dict)

    def snapshot(self) -> None:
        self.before = weekly_at(self.account)

    def check(self, reply: Reply, asked: Schedule | None = None, label: str = "") -> str:
        """Fail if the reply said anything untrue; return the strongest claim it made."""
        after = weekly_at(self.account)
        said = spoken(reply)
        where = f"{label}: {reply.text!r}; before {self.before}, after {after}"
        assert not any(key in said for key in NEVER), where
        assert len(after) <= 1, f"two weekly reminders: {where}"
        kinds = {CLAIMS[key] for key in said if key in CLAIMS}
        if "unsure" in kinds:
            return "unsure"
        for key, values in said.items():
            claim = CLAIMS.get(key)
            if claim == "set":
                assert len(after) == 1, where
                [schedule] = after.values()
                assert schedule is not None, where
                if "day" in values:
                    assert (values["day"], values["time"]) == (
                        schedule.day_name,
                        schedule.spoken_time(),
                    ), where
                elif asked is not None:
                    assert schedule == asked, where
            elif claim == "none":
                assert after == {}, where
            elif claim == "unchanged":
                assert after == self.before, where
        if "forget.done_all" in _keys_said(reply, ("forget.done_all",)) and not kinds:
            assert after == {}, f"forgot everything, the reminder unmentioned: {where}"
        return next(iter(sorted(kinds)), "")


def _keys_said(reply: Reply, keys: tuple[str, ...]) -> set[str]:
    return {key for key in keys if _pattern(key).search(reply.text)}
