"""Stand-ins for narration tests: tones from ffmpeg, and Google's TTS API on loopback HTTPS."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TOOLS = ("ffmpeg", "ffprobe", "espeak-ng")
needs_tools = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in TOOLS),
    reason="needs ffmpeg and espeak-ng (Debian packages ffmpeg, espeak-ng; CI installs them)",
)


def sine_mp3(path: Path, seconds: float, *encoder: str) -> bytes:
    """A tone encoded as asked: a file of known format and length to check the checker with."""
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            *encoder,
            "-f",
            "mp3",
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path.read_bytes()


def text_sent(body: bytes | str) -> str:
    """The text a gTTS request asks Google to speak (its batchexecute form field)."""
    form = body.decode() if isinstance(body, bytes) else body
    rpc = json.loads(parse_qs(form)["f.req"][0])
    return str(json.loads(rpc[0][0][1])[0])


def google_reply(mp3: bytes) -> bytes:
    """Google Translate's batchexecute reply carrying mp3, in the shape gTTS 2.5 decodes."""
    audio = base64.b64encode(mp3).decode()
    return f')]}}\'\n\n[["wrb.fr","jQ1olc","[\\"{audio}\\"]",null,null,null,"generic"]]\n'.encode()


@dataclass(frozen=True)
class LoopbackCertificates:
    """A throwaway CA and a server certificate it signed for 127.0.0.1, as PEM files."""

    ca: Path  # the CA certificate: a bundle that trusts the server
    chain: Path  # server certificate, then the CA's
    key: Path


def make_certificates(directory: Path) -> LoopbackCertificates:
    """Mint a CA and a loopback server certificate; nothing outside this test trusts them."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Stagewise test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
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
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = LoopbackCertificates(
        directory / "ca.pem", directory / "chain.pem", directory / "key.pem"
    )
    paths.ca.write_bytes(ca_cert.public_bytes(pem))
    paths.chain.write_bytes(cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    paths.key.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@dataclass
class FakeGoogle:
    """Google's TTS endpoint on loopback HTTPS: answers every request with one canned MP3."""

    url: str
    # (path, text) of each request that got through the TLS handshake.
    sent: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def fake_google(certificates: LoopbackCertificates, mp3: bytes) -> Iterator[FakeGoogle]:
    """Serve Google's reply shape over TLS with the test certificates, until the block ends."""
    sent: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            sent.append((self.path, text_sent(body)))
            reply = google_reply(mp3)
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output clean

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.chain, certificates.key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A client that refuses the certificate fails the handshake in accept(); the server
    # drops that connection and keeps serving.
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FakeGoogle(f"https://127.0.0.1:{server.server_address[1]}", sent)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
