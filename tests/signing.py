"""A generated CA that signs requests the way Alexa does: test support, no network.

Used by tests/test_web_*.py and bench/web_load.py (which puts the repository root on
sys.path), never by anything under skill/: it is tooling, not product. To send a
correctly signed request to your own server, build `RequestVerifier` with
`roots=[authority.certificate]` and a fetcher that returns `signer.chain_pem()`.
Nothing here is trusted in production: the generated root is never in certifi.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.web.verify import CHAIN_URL_HEADER, SIGNATURE_HEADER, SIGNING_NAME

TEST_CHAIN_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
TEST_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
TEST_USER_ID = "amzn1.ask.account.TESTUSER"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Stagewise Test PKI"),
        ]
    )


def new_signing_key() -> rsa.RSAPrivateKey:
    """An RSA key like Alexa's (PKCS#1 v1.5 needs RSA); 2048 bits, so generate it once."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Authority:
    """A certificate authority: its key and certificate (EC, because only the leaf must be RSA)."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def root(cls, common_name: str, *, now: datetime) -> Authority:
        """A self-signed root valid for ten years around `now`."""
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name(common_name)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=365))
            .not_valid_after(now + timedelta(days=9 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        return cls(key=key, certificate=certificate)

    def intermediate(self, common_name: str, *, now: datetime) -> Authority:
        """A CA under this one, as Amazon's chain has."""
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            self._builder(_name(common_name), key.public_key())
            .not_valid_before(now - timedelta(days=30))
            .not_valid_after(now + timedelta(days=5 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        return Authority(key=key, certificate=certificate)

    def issue_signing_certificate(
        self,
        key: rsa.RSAPrivateKey,
        *,
        now: datetime,
        dns_names: Sequence[str] = (SIGNING_NAME,),
        valid_from: timedelta = timedelta(days=-1),
        valid_until: timedelta = timedelta(days=90),
        digital_signature: bool = True,
    ) -> x509.Certificate:
        """A leaf like echo-api.amazon.com's; the keyword arguments make the broken variants."""
        return (
            self._builder(_name(dns_names[0] if dns_names else "no-san"), key.public_key())
            .not_valid_before(now + valid_from)
            .not_valid_after(now + valid_until)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=digital_signature,
                    content_commitment=False,
                    key_encipherment=True,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(
                x509.SubjectAlternativeName([x509.DNSName(name) for name in dns_names]), False
            )
            .sign(self.key, hashes.SHA256())
        )

    def _builder(self, subject: x509.Name, public_key: Any) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), False
            )
        )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Signer:
    """Signs bodies as Alexa does: a leaf key plus the PEM chain its URL would serve."""

    key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]  # leaf first, as Amazon serves it

    def chain_pem(self) -> bytes:
        """The chain as the SignatureCertChainUrl would return it."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in self.chain)

    def sign(self, body: bytes) -> str:
        """The Signature-256 header value for these exact bytes."""
        signature = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def headers(self, body: bytes, chain_url: str = TEST_CHAIN_URL) -> dict[str, str]:
        """The headers Alexa would send with this body."""
        return {
            "Content-Type": "application/json; charset=utf-8",
            CHAIN_URL_HEADER: chain_url,
            SIGNATURE_HEADER: self.sign(body),
        }


@dataclass(frozen=True)
class TestPKI:
    """A root, an intermediate and a signer under them, generated once."""

    __test__ = False  # a dataclass, not a pytest test class

    root: Authority
    intermediate: Authority
    signer: Signer

    @classmethod
    def generate(cls, now: datetime | None = None) -> TestPKI:
        """Generate the whole PKI (about a tenth of a second, most of it the RSA key)."""
        now = now or datetime.now(UTC)
        root = Authority.root("Stagewise Test Root", now=now)
        intermediate = root.intermediate("Stagewise Test Intermediate", now=now)
        key = new_signing_key()
        leaf = intermediate.issue_signing_certificate(key, now=now)
        return cls(root, intermediate, Signer(key, (leaf, intermediate.certificate)))

    def signer_with(self, **leaf_options: Any) -> Signer:
        """A signer whose leaf differs (expired, wrong name...), reusing the RSA key."""
        now = leaf_options.pop("now", datetime.now(UTC))
        leaf = self.intermediate.issue_signing_certificate(self.signer.key, now=now, **leaf_options)
        return Signer(self.signer.key, (leaf, self.intermediate.certificate))


class FakeChainHost:
    """Stands in for Amazon's S3: serves PEM chains by URL and records every download."""

    def __init__(self) -> None:
        self.chains: dict[str, bytes] = {}
        self.fetches: list[str] = []

    def serve(self, signer: Signer, url: str = TEST_CHAIN_URL) -> str:
        """Publish `signer`'s chain at `url` and return the URL."""
        self.chains[url] = signer.chain_pem()
        return url

    def __call__(self, url: str) -> bytes:
        self.fetches.append(url)
        try:
            return self.chains[url]
        except KeyError:
            raise FileNotFoundError(f"no chain at {url}") from None


def alexa_event(
    request_type: str = "LaunchRequest",
    *,
    timestamp: datetime | None = None,
    skill_id: str = TEST_SKILL_ID,
    user_id: str = TEST_USER_ID,
    request: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A sparse but complete Alexa request envelope; skill events come without a session."""
    moment = (timestamp or datetime.now(UTC)).astimezone(UTC)
    system = {
        "application": {"applicationId": skill_id},
        "user": {"userId": user_id},
        "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
        "apiEndpoint": "https://api.amazonalexa.com",
    }
    event: dict[str, Any] = {
        "version": "1.0",
        "context": {"System": system},
        "request": {
            "type": request_type,
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "locale": "en-US",
            **(request or {}),
        },
    }
    if not request_type.startswith("AlexaSkillEvent."):
        event["session"] = {
            "new": True,
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": {"applicationId": skill_id},
            "user": {"userId": user_id},
            "attributes": {},
        }
    return event


def encode(event: dict[str, Any]) -> bytes:
    """The body bytes as Alexa would send them (signatures cover these exact bytes)."""
    return json.dumps(event, separators=(",", ":")).encode("utf-8")


# Where a server in another process (gunicorn under test) finds the PKI's public half.
PKI_DIR_ENV = "STAGEWISE_TEST_PKI_DIR"


def write_public_pki(pki: TestPKI, directory: Path) -> None:
    """Write the root (to trust) and the chain (to serve) for `app_trusting_test_pki`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "root.pem").write_bytes(
        pki.root.certificate.public_bytes(serialization.Encoding.PEM)
    )
    (directory / "chain.pem").write_bytes(pki.signer.chain_pem())


def app_trusting_test_pki() -> Any:
    """The production app, built from the environment, but trusting the test PKI in
    $STAGEWISE_TEST_PKI_DIR and serving its chain instead of downloading Amazon's.

    For `gunicorn 'tests.signing:app_trusting_test_pki()'` in tests: no network.
    """
    from skill.app import build_skill
    from skill.web.endpoint import create_app
    from skill.web.verify import RequestVerifier

    directory = Path(os.environ[PKI_DIR_ENV])
    root = x509.load_pem_x509_certificate((directory / "root.pem").read_bytes())
    chain = (directory / "chain.pem").read_bytes()
    skill_app = build_skill()
    verifier = RequestVerifier(
        roots=[root],
        fetch=lambda url: chain,
        skill_id=skill_app.services.settings.skill_id,
    )
    return create_app(app=skill_app, verifier=verifier)
