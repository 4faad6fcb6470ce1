"""A local DynamoDB for the benchmarks: moto on loopback, behind a proxy that counts calls."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

LOOPBACK = "127.0.0.1"
# Fake credentials and no shared config: nothing the benchmark starts can reach a real account.
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
UPSTREAM_TIMEOUT_S = 30  # generous: a 10,000-item partition makes moto slow, never hang though
# Operations that write: their request bodies are kept (bench/write_units.py sizes them).
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
# Headers that describe one hop, not the message: each side of the proxy sets its own.
HOP_HEADERS = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}
)


def free_port() -> int:
    """A TCP port on loopback that nobody is listening on right now."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class MotoServer:
    """`python -m moto.server` in its own process on loopback, stopped on exit."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._log_path = log
        self._log = log.open("w")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", LOOPBACK, "-p", str(self.port)],
            env={**os.environ, **FAKE_AWS},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def __enter__(self) -> MotoServer:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1):
                    return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not start; see {self._log_path}")

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Terminate the server (kill it if it lingers) and close its log."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._log.close()


class CountingProxy:
    """A loopback HTTP proxy that forwards to DynamoDB and counts requests by operation.

    Counting here, at the server side of the client's socket, sees every round trip the
    skill really makes, retries included, whatever client or SDK sent it.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._counts: Counter[str] = Counter()
        self._writes: list[tuple[str, bytes]] = []  # (operation, request body) that succeeded
        self._server_s = 0.0
        self._lock = threading.Lock()
        self._upstream = threading.local()
        self.dropped = 0  # replies the client no longer waited for (it timed out)
        self._server = _QuietServer((LOOPBACK, 0), _forwarder(self))
        self._server.proxy = self
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    def __enter__(self) -> CountingProxy:
        # The proxy's threads (and the ones they start) block SIGINT and SIGTERM, so the kernel
        # delivers those to the main thread and wakes it even while it waits on a child.
        stop_signals = {signal.SIGINT, signal.SIGTERM}
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
        try:
            self._thread.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def count(self, operation: str) -> None:
        """One more request for this DynamoDB operation (GetItem, Query, ...)."""
        with self._lock:
            self._counts[operation] += 1

    def take(self) -> Counter[str]:
        """Requests by operation since the last take; counting starts again from zero."""
        with self._lock:
            taken, self._counts = self._counts, Counter()
        return taken

    def wrote(self, operation: str, body: bytes) -> None:
        """A write DynamoDB accepted: kept, to be sized in write units."""
        with self._lock:
            self._writes.append((operation, body))

    def take_writes(self) -> list[tuple[str, bytes]]:
        """The writes accepted since the last take, oldest first."""
        with self._lock:
            taken, self._writes = self._writes, []
        return taken

    def note_dropped(self) -> None:
        """A reply could not be delivered: the client had given up waiting."""
        with self._lock:
            self.dropped += 1

    def take_server_ms(self) -> float:
        """Time spent waiting on the server since the last call, so a caller can leave it out."""
        with self._lock:
            taken, self._server_s = self._server_s, 0.0
        return taken * 1000

    def forward(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """Send one request upstream on this thread's kept-alive connection."""
        for attempt in (1, 2):
            connection = getattr(self._upstream, "connection", None)
            if connection is None:
                connection = http.client.HTTPConnection(
                    LOOPBACK, self.upstream_port, timeout=UPSTREAM_TIMEOUT_S
                )
                self._upstream.connection = connection
            try:
                started = time.perf_counter()
                connection.request(method, path, body=body, headers=headers)
                reply = connection.getresponse()
                answer = reply.status, reply.reason, reply.getheaders(), reply.read()
                with self._lock:
                    self._server_s += time.perf_counter() - started
                return answer
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server dropped an idle kept-alive connection: reconnect once.
                connection.close()
                self._upstream.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class _QuietServer(ThreadingHTTPServer):
    """Counts a request that failed mid-way instead of printing its traceback."""

    proxy: CountingProxy

    def handle_error(self, request: object, client_address: object) -> None:
        self.proxy.note_dropped()


def _forwarder(proxy: CountingProxy) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as boto3's connection pool expects
        # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK add about 40 ms to every call.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            """Count the call by its X-Amz-Target, forward it, relay the reply."""
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            target = self.headers.get("X-Amz-Target", "")
            operation = target.rpartition(".")[2]
            proxy.count(operation or f"{self.command} {self.path}")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
            status, reason, reply_headers, reply_body = proxy.forward(
                self.command, self.path, body, headers
            )
            if operation in WRITES and status == 200:
                proxy.wrote(operation, body)
            self.send_response(status, reason)
            for key, value in reply_headers:
                if key.lower() not in HOP_HEADERS:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply_body)))
            self.end_headers()
            self.wfile.write(reply_body)

        do_GET = do_POST

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: one line per request would cost more than the request."""

    return Forward
