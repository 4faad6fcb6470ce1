"""A fake Alexa API over real HTTPS on loopback, backed by stagewise_tools.fake_alexa.FakeAlexa,
and able to misbehave on purpose.

The skill's own HttpAlexaApi talks to it through a throwaway CA it is told to trust. Faults
are planned per operation (`Amazon.faults.plan("create", "trickle")`): the fake then does or
does not make the change first (`FAULTS`), and answers late, cut off, garbled, redirected,
oversized or with an error status. A trap listener records any connection a redirect led
to, so a test can see the token was never sent elsewhere.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from skill.alexa_api import REMINDERS_PATH, AlexaApiError, NoPermission, NotFound, Throttled
from stagewise_tools.fake_alexa import FakeAlexa

TOKEN = "in-session-token"  # the API access token the fake accepts
TRICKLE_PAUSE = 0.5  # seconds between the bytes of a trickled reply
HOLD = 3.0  # seconds a slow accept keeps the client waiting before giving up on it
HUGE = 10 * 1024 * 1024  # the size a huge reply claims


def certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stagewise test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up on purpose (timeouts) is not news


# -- faults ----------------------------------------------------------------------------

# name: (what the fake sends, whether the change is made first). The first group makes
# the change and then loses its answer (commit-then-lose); the second answers without.
FAULTS: dict[str, tuple[str, bool]] = {
    "trickle": ("trickle", True),  # the whole reply a byte every TRICKLE_PAUSE
    "truncate": ("truncate", True),  # Content-Length beyond the body, then closed
    "bad status line": ("bad_status", True),
    "reset after": ("reset", True),  # the connection reset where the reply should be
    "500 after": ("500", True),
    "huge": ("huge", True),  # 200 claiming HUGE bytes, zeros streamed
    "huge unsized": ("huge_unsized", True),  # 200 with no length, zeros until closed
    "not json": ("not_json", True),  # 200 with bytes that are neither UTF-8 nor JSON
    "reset before": ("reset", False),
    "redirect to http": ("redirect_http", False),
    "redirect to another host": ("redirect_host", False),
    "slow accept": ("slow_accept", False),  # nothing, not even TLS, for HOLD seconds
    "401": ("401", False),
    "403": ("403", False),
    "404": ("404", False),  # to an update or delete: the reminder was deleted meanwhile
    "429": ("429", False),
    "500": ("500", False),
    "503": ("503", False),
}
TIMED_FAULTS = frozenset({"trickle", "slow accept"})  # these cost the client's whole deadline


def operation(method: str, path: str) -> str:
    """The fake's name for a request: time_zone, list, create, update or delete."""
    if path.endswith("/settings/System.timeZone"):
        return "time_zone"
    if path.rstrip("/") == REMINDERS_PATH:
        return "list" if method == "GET" else "create"
    return {"PUT": "update", "DELETE": "delete"}.get(method, "get")


@dataclass
class Planned:
    operation: str  # as `operation` names it, or "any"
    fault: str  # a key of FAULTS
    times: int = 1  # how many requests it spoils
    skip: int = 0  # how many matching requests go through first


@dataclass
class Faults:
    """Faults waiting for their operation, and what was served: counts and faults done."""

    planned: list[Planned] = field(default_factory=list)
    served: Counter[str] = field(default_factory=Counter)
    done: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def plan(self, op: str, fault: str, *, times: int = 1, skip: int = 0) -> None:
        """Spoil `times` requests of `op` after `skip` of them. A slow accept happens before
        the request can be read: plan it for "any", with `skip` counting connections."""
        if fault not in FAULTS:
            raise ValueError(f"no such fault: {fault}")
        if FAULTS[fault][0] == "slow_accept" and op != "any":
            raise ValueError("a slow accept cannot tell one operation from another: use any")
        with self.lock:
            self.planned.append(Planned(op, fault, times, skip))

    def clear(self) -> None:
        """No more faults; counts start again."""
        with self.lock:
            self.planned.clear()
            self.served.clear()
            self.done.clear()

    def take(self, op: str, *, at_accept: bool = False) -> str | None:
        """The fault due for this request (or, at accept, for any connection), if any."""
        with self.lock:
            for planned in self.planned:
                slow = FAULTS[planned.fault][0] == "slow_accept"
                if slow != at_accept or planned.operation not in (op, "any"):
                    continue
                if planned.skip > 0:
                    planned.skip -= 1
                    continue
                planned.times -= 1
                if planned.times <= 0:
                    self.planned.remove(planned)
                self.done.append((op, planned.fault))
                return planned.fault
        return None


def _status(err: AlexaApiError) -> int:
    if isinstance(err, NoPermission):
        return 401
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, Throttled):
        return 429
    return 503


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset rather than a goodbye."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Trap:
    """A plain TCP listener a redirect points at: it records any connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.received: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    self.received.append(conn.recv(4096))
                except OSError:
                    self.received.append(b"")

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


def _handler(amazon: Amazon) -> type[BaseHTTPRequestHandler]:
    client = amazon.account.client("", "")

    class AlexaApiHandler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            op = operation(self.command, self.path)
            amazon.faults.served[op] += 1
            amazon.seen.append(
                {"method": self.command, "path": self.path, "auth": self.headers["Authorization"]}
            )
            fault = amazon.faults.take(op)
            kind, commits = FAULTS[fault] if fault else ("", False)
            if kind == "404" and op in ("update", "delete"):  # as if deleted in the app
                amazon.account.reminders.pop(self.path.rstrip("/").rsplit("/", 1)[-1], None)
            if fault and not commits:
                return self._misbehave(kind, b"{}")
            status, payload = self._do(op, json.loads(raw) if raw else None)
            if fault:
                return self._misbehave(kind, payload)
            self._send(status, payload)

        def _do(self, op: str, body: Any) -> tuple[int, bytes]:
            parts = self.path.strip("/").split("/")
            result: object = None
            try:
                if self.headers.get("Authorization", "") != f"Bearer {TOKEN}":
                    raise NoPermission("no token")
                if op == "time_zone":
                    result = client.time_zone(parts[2])
                elif op == "list":
                    alerts = client.list_reminders()
                    result = {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}
                elif op == "create":
                    result = {"alertToken": client.create_reminder(body or {}), "status": "ON"}
                elif op == "update":
                    client.update_reminder(parts[-1], body or {})
                    result = {"alertToken": parts[-1], "status": "ON"}
                elif op == "delete":
                    client.delete_reminder(parts[-1])
                else:
                    raise NotFound("no such call")
            except AlexaApiError as err:
                return _status(err), json.dumps({"message": str(err)}).encode()
            return 200, json.dumps(result).encode() if result is not None else b""

        def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in (headers or {"Content-Length": str(len(payload))}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _misbehave(self, kind: str, payload: bytes) -> None:
            self.close_connection = True
            if kind.isdigit():
                return self._send(int(kind), b'{"message": "injected"}')
            if kind == "redirect_http":
                where = f"http://127.0.0.1:{amazon.trap.port}{self.path}"
                return self._send(307, b"", {"Location": where, "Content-Length": "0"})
            if kind == "redirect_host":
                where = f"https://localhost:{amazon.trap.port}{self.path}"
                return self._send(302, b"", {"Location": where, "Content-Length": "0"})
            if kind == "reset":
                return _reset(self.connection)
            if kind == "not_json":
                return self._send(200, b"\xff\xfe{not json")
            if kind == "bad_status":
                self.wfile.write(b"HTTP/1.1 2OO OK\r\n\r\n")
                return None
            if kind == "truncate":
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(payload) + 100}\r\n\r\n"
                self.wfile.write(head.encode() + payload[: len(payload) // 2])
                return None
            if kind == "trickle":
                whole = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload)
                for byte in whole:
                    self.wfile.write(bytes([byte]))
                    time.sleep(TRICKLE_PAUSE)
                return None
            if kind in ("huge", "huge_unsized"):
                sized = {"Content-Length": str(HUGE)} if kind == "huge" else {}
                self.send_response(200)
                for name, value in sized.items():
                    self.send_header(name, value)
                self.end_headers()
                zeros = b"0" * 65536
                for _ in range(HUGE // len(zeros)):
                    self.wfile.write(zeros)
                return None
            raise ValueError(f"unknown misbehaviour {kind}")

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return AlexaApiHandler


class AmazonServer(QuietServer):
    """Accepts plain TCP and makes TLS in each connection's own thread, so a slow accept or
    a stuck handshake never holds up the next connection."""

    def __init__(self, amazon: Amazon, tls: ssl.SSLContext) -> None:
        self.amazon, self.tls = amazon, tls
        super().__init__(("127.0.0.1", 0), _handler(amazon))

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(HOLD + 2)
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delays
        if self.amazon.faults.take("any", at_accept=True):
            time.sleep(HOLD)  # the client is left waiting for the handshake
            return
        try:
            secure = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(secure, client_address, self)
        except OSError:
            pass  # the client hung up (it gave up waiting): the point of most faults
        finally:
            secure.close()


@dataclass
class Amazon:
    """The fake Alexa API being served: its account, its faults, and what reached it."""

    account: FakeAlexa
    faults: Faults = field(default_factory=Faults)
    seen: list[dict[str, Any]] = field(default_factory=list)
    trap: Trap = field(default_factory=Trap)
    endpoint: str = ""
    trusted: ssl.SSLContext | None = None


@contextmanager
def misbehaving_amazon(account: FakeAlexa, folder: Path) -> Iterator[Amazon]:
    """Serve `account` over HTTPS on loopback with faults on demand."""
    ca_file, cert_file, key_file = certificates(folder)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    amazon = Amazon(account)
    server = AmazonServer(amazon, tls)
    amazon.endpoint = f"https://127.0.0.1:{server.server_address[1]}"
    amazon.trusted = ssl.create_default_context(cafile=str(ca_file))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield amazon
    finally:
        server.shutdown()
        server.server_close()
        amazon.trap.close()


@contextmanager
def amazon_over_https(account: FakeAlexa, folder: Path) -> Iterator[tuple[str, ssl.SSLContext]]:
    """Serve `account` over HTTPS; yields the endpoint and a context that trusts it."""
    with misbehaving_amazon(account, folder) as amazon:
        assert amazon.trusted is not None
        yield amazon.endpoint, amazon.trusted
