"""A fake Alexa API over real HTTPS on loopback, backed by stagewise_tools.fake_alexa.FakeAlexa.

The skill's own HttpAlexaApi talks to it through a throwaway CA it is told to trust.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from skill.alexa_api import AlexaApiError, NoPermission, NotFound, Throttled
from stagewise_tools.fake_alexa import FakeAlexa


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
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up on purpose (timeouts) is not news


def _status(err: AlexaApiError) -> int:
    if isinstance(err, NoPermission):
        return 401
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, Throttled):
        return 429
    return 503


def _handler(account: FakeAlexa) -> type[BaseHTTPRequestHandler]:
    client = account.client("", "")

    class Amazon(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            parts = self.path.strip("/").split("/")
            result: object = None
            try:
                if self.headers.get("Authorization", "") != "Bearer in-session-token":
                    raise NoPermission("no token")
                if parts[-1] == "System.timeZone":
                    result = client.time_zone(parts[2])
                elif self.command == "POST":
                    result = {"alertToken": client.create_reminder(body or {})}
                elif self.command == "GET":
                    result = client.get_reminder(parts[-1])
                elif self.command == "PUT":
                    client.update_reminder(parts[-1], body or {})
                elif self.command == "DELETE":
                    client.delete_reminder(parts[-1])
                status = 200
            except AlexaApiError as err:
                status, result = _status(err), {"message": str(err)}
            payload = json.dumps(result).encode() if result is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Amazon


@contextmanager
def amazon_over_https(account: FakeAlexa, folder: Path) -> Iterator[tuple[str, ssl.SSLContext]]:
    """Serve `account` over HTTPS; yields the endpoint and a context that trusts it."""
    ca_file, cert_file, key_file = certificates(folder)
    server = QuietServer(("127.0.0.1", 0), _handler(account))
    serving = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    serving.load_cert_chain(cert_file, key_file)
    server.socket = serving.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield (
            f"https://127.0.0.1:{server.server_address[1]}",
            ssl.create_default_context(cafile=str(ca_file)),
        )
    finally:
        server.shutdown()
        server.server_close()
