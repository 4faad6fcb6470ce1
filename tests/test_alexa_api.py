"""Our Alexa API client over real HTTPS on loopback: headers, bodies, errors, timeouts."""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from skill.alexa_api import HttpAlexaApi, NoPermission, NotFound, Throttled, Unavailable
from tests.alexa_https import QuietServer, certificates

DEVICE = "amzn1.ask.device.AEXAMPLE0123456789"


class FakeAmazon(BaseHTTPRequestHandler):
    """Answers like the Alexa APIs; `seen` keeps what each request carried."""

    seen: list[dict[str, Any]] = []
    status_for_token: dict[str, int] = {"revoked": 401, "gone": 404, "busy": 429, "broken": 503}

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _answer(self, body: object = None) -> None:
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        length = int(self.headers.get("Content-Length") or 0)
        sent = json.loads(self.rfile.read(length)) if length else None
        self.seen.append({"method": self.command, "path": self.path, "token": token, "body": sent})
        if token == "slow":
            time.sleep(1.0)
        status = self.status_for_token.get(token, 200)
        payload = json.dumps(body if status == 200 else {"message": "no"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if self.path.endswith("/settings/System.timeZone"):
            self._answer("America/New_York")
        else:
            self._answer({"alertToken": self.path.rsplit("/", 1)[-1], "status": "ON"})

    def do_POST(self) -> None:
        self._answer({"alertToken": "alert-123", "status": "ON"})

    def do_PUT(self) -> None:
        self._answer({"alertToken": self.path.rsplit("/", 1)[-1]})

    def do_DELETE(self) -> None:
        self._answer()


@pytest.fixture(scope="module")
def amazon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ssl.SSLContext]]:
    ca_file, cert_file, key_file = certificates(tmp_path_factory.mktemp("tls"))
    server = QuietServer(("127.0.0.1", 0), FakeAmazon)
    serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serving.load_cert_chain(cert_file, key_file)
    server.socket = serving.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    trusting = ssl.create_default_context(cafile=str(ca_file))
    yield f"https://127.0.0.1:{server.server_address[1]}", trusting
    server.shutdown()
    server.server_close()


def client(amazon: tuple[str, ssl.SSLContext], token: str, timeout: float = 1.0) -> HttpAlexaApi:
    endpoint, trusting = amazon
    return HttpAlexaApi(endpoint, token, timeout=timeout, ssl_context=trusting)


def test_the_time_zone_and_reminders_over_https(amazon: tuple[str, ssl.SSLContext]) -> None:
    FakeAmazon.seen.clear()
    api = client(amazon, "in-session-token")
    assert api.time_zone(DEVICE) == "America/New_York"
    assert api.create_reminder({"trigger": {"type": "SCHEDULED_ABSOLUTE"}}) == "alert-123"
    assert api.get_reminder("alert-123")["status"] == "ON"
    api.update_reminder("alert-123", {"trigger": {"type": "SCHEDULED_ABSOLUTE"}})
    api.delete_reminder("alert-123")
    assert [(r["method"], r["path"]) for r in FakeAmazon.seen] == [
        ("GET", f"/v2/devices/{DEVICE}/settings/System.timeZone"),
        ("POST", "/v1/alerts/reminders"),
        ("GET", "/v1/alerts/reminders/alert-123"),
        ("PUT", "/v1/alerts/reminders/alert-123"),
        ("DELETE", "/v1/alerts/reminders/alert-123"),
    ]
    assert {r["token"] for r in FakeAmazon.seen} == {"in-session-token"}
    assert FakeAmazon.seen[1]["body"] == {"trigger": {"type": "SCHEDULED_ABSOLUTE"}}


@pytest.mark.parametrize(
    ("token", "error"),
    [("revoked", NoPermission), ("gone", NotFound), ("busy", Throttled), ("broken", Unavailable)],
)
def test_errors_come_back_as_our_own(
    amazon: tuple[str, ssl.SSLContext], token: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as raised:
        client(amazon, token).create_reminder({})
    assert token not in str(raised.value)  # no tokens in messages


def test_a_slow_answer_is_a_timeout_not_a_hang(amazon: tuple[str, ssl.SSLContext]) -> None:
    started = time.monotonic()
    with pytest.raises(Unavailable, match="timed out"):
        client(amazon, "slow", timeout=0.2).time_zone(DEVICE)
    assert time.monotonic() - started < 0.9


def test_an_untrusted_certificate_is_refused(amazon: tuple[str, ssl.SSLContext]) -> None:
    endpoint, _ = amazon
    with pytest.raises(Unavailable):
        HttpAlexaApi(endpoint, "in-session-token", timeout=1.0).time_zone(DEVICE)
