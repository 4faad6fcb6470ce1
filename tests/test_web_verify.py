"""RequestVerifier against a generated CA: Amazon's rules, one at a time, offline."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from hypothesis import given
from hypothesis import strategies as st

from skill.web.verify import (
    CHAIN_URL_HEADER,
    SIGNATURE_HEADER,
    RequestVerifier,
    VerificationError,
    certifi_roots,
    chain_fetch_url,
    fetch_chain,
)
from tests.signing import (
    TEST_CHAIN_URL,
    TEST_SKILL_ID,
    FakeChainHost,
    TestPKI,
    alexa_event,
    encode,
)

NOW = datetime(2026, 3, 14, 20, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return TestPKI.generate(NOW)


@pytest.fixture
def s3(pki: TestPKI) -> FakeChainHost:
    host = FakeChainHost()
    host.serve(pki.signer)
    return host


@pytest.fixture
def clock() -> list[datetime]:
    """The verifier's notion of now; a test moves it by assigning clock[0]."""
    return [NOW]


@pytest.fixture
def verifier(pki: TestPKI, s3: FakeChainHost, clock: list[datetime]) -> RequestVerifier:
    return RequestVerifier(roots=[pki.root.certificate], fetch=s3, clock=lambda: clock[0])


def signed(pki: TestPKI, event: dict | None = None, url: str = TEST_CHAIN_URL):
    body = encode(event if event is not None else alexa_event(timestamp=NOW))
    return pki.signer.headers(body, url), body


def reason(verifier: RequestVerifier, headers: dict[str, str], body: bytes) -> str:
    with pytest.raises(VerificationError) as caught:
        verifier.verify(headers, body)
    text = str(caught.value)
    assert "\n" not in text
    return text


# -- the happy path ------------------------------------------------------------------


def test_a_signed_request_returns_its_event(pki: TestPKI, verifier: RequestVerifier) -> None:
    event = alexa_event(timestamp=NOW)
    headers, body = signed(pki, event)
    assert verifier.verify(headers, body) == event


def test_header_names_match_in_any_case(pki: TestPKI, verifier: RequestVerifier) -> None:
    headers, body = signed(pki)
    lowered = {name.lower(): value for name, value in headers.items()}
    assert verifier.verify(lowered, body)["request"]["type"] == "LaunchRequest"


def test_the_exact_bytes_are_checked_not_the_json(pki: TestPKI, verifier: RequestVerifier) -> None:
    headers, body = signed(pki)
    reformatted = body.replace(b",", b", ")  # same JSON, different bytes
    assert "does not match" in reason(verifier, headers, reformatted)


# -- SignatureCertChainUrl -------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "cause"),
    [
        ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "https"),
        ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem", "host"),
        ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com/echo.api/../x", "path"),
        ("https://s3.amazonaws.com/echo.api/%2e%2e/x", "path"),
        ("https://s3.amazonaws.com/echo.api/", "path"),
        ("https://s3.amazonaws.com//echo.api/echo-api-cert.pem", "path"),
        ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
        ("https://s3.amazonaws.com:80/echo.api/echo-api-cert.pem", "port"),
        ("https://s3.amazonaws.com:https/echo.api/echo-api-cert.pem", "valid URL"),
        ("s3.amazonaws.com/echo.api/echo-api-cert.pem", "https"),
    ],
)
def test_chain_urls_amazon_forbids_are_rejected(url: str, cause: str) -> None:
    with pytest.raises(VerificationError, match=cause):
        chain_fetch_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert-test.pem",
        "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
        "https://S3.AMAZONAWS.COM:443/echo.api/../echo.api/echo-api-cert-test.pem",
        "https://s3.amazonaws.com/echo.api/./sub/../echo-api-cert-test.pem",
    ],
)
def test_chain_urls_amazon_allows_are_normalised(url: str) -> None:
    assert chain_fetch_url(url) == TEST_CHAIN_URL


@given(st.text(alphabet="/.%2eEaAchopi-_x", max_size=40))
def test_an_accepted_url_never_leaves_the_echo_api_folder(path: str) -> None:
    try:
        url = chain_fetch_url(f"https://s3.amazonaws.com/{path}")
    except VerificationError:
        return
    assert url.startswith("https://s3.amazonaws.com/echo.api/")
    assert "/../" not in url and not url.endswith("/..")


def test_the_normalised_url_is_what_gets_fetched(
    pki: TestPKI, verifier: RequestVerifier, s3: FakeChainHost
) -> None:
    headers, body = signed(
        pki, url="https://S3.AMAZONAWS.COM:443/echo.api/../echo.api/echo-api-cert-test.pem"
    )
    verifier.verify(headers, body)
    assert s3.fetches == [TEST_CHAIN_URL]


# -- headers and signature ------------------------------------------------------------


@pytest.mark.parametrize("missing", [CHAIN_URL_HEADER, SIGNATURE_HEADER])
def test_a_missing_header_is_named(pki: TestPKI, verifier: RequestVerifier, missing: str) -> None:
    headers, body = signed(pki)
    del headers[missing]
    assert reason(verifier, headers, body) == f"missing {missing} header"


def test_a_signature_that_is_not_base64_is_rejected(
    pki: TestPKI, verifier: RequestVerifier
) -> None:
    headers, body = signed(pki)
    headers[SIGNATURE_HEADER] = "not*base64!"
    assert "not base64" in reason(verifier, headers, body)


def test_another_keys_signature_is_rejected(pki: TestPKI, verifier: RequestVerifier) -> None:
    headers, body = signed(pki)
    headers[SIGNATURE_HEADER] = TestPKI.generate(NOW).signer.sign(body)
    assert "does not match" in reason(verifier, headers, body)


def test_a_tampered_body_is_rejected(pki: TestPKI, verifier: RequestVerifier) -> None:
    headers, body = signed(pki)
    assert "does not match" in reason(
        verifier, headers, body.replace(b"LaunchRequest", b"SessionEndedRequest")
    )


# -- the body and its timestamp ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        ('{"request": {}}'.encode("utf-16"), "not UTF-8"),  # json.loads alone would accept it
        (b"[" * 100_000, "nests deeper than 64 levels"),
        (b'{"a":' * 65 + b"1" + b"}" * 65, "nests deeper than 64 levels"),
        (b'{"request": {"n": NaN}}', "NaN"),
        (b'{"request": {"n": -Infinity}}', "-Infinity"),
        (b'{"request": {"n": 1e999}}', "number too large"),
        (b'{"request": {"n": 1' + b"0" * 5000 + b"}}", "longer than 20 digits"),
        (b'{"request": {"type": "LaunchRequest", "name": "\\ud800"}}', "lone surrogate"),
        (b'{"request": {"\\udfff": 1}}', "lone surrogate"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"version": "1.0"}', "no request"),
        (b'{"request": {"type": "LaunchRequest"}}', "no request.timestamp"),
        (
            b'{"request": {"type": "LaunchRequest", "timestamp": 1710446400}}',
            "no request.timestamp",
        ),
        (b'{"request": {"type": "LaunchRequest", "timestamp": "yesterday"}}', "ISO 8601"),
        (b'{"request": {"type": "LaunchRequest", "timestamp": "2026-03-14"}}', "ISO 8601"),
        (b'{"request": {"type": "LaunchRequest", "timestamp": "2026-13-14T20:00:00Z"}}', "ISO"),
        (
            b'{"request": {"type": "LaunchRequest", "timestamp": "\xd9\xa2026-03-14T20:00:00Z"}}',
            "ISO",
        ),
        (b'{"request": {"timestamp": "2026-03-14T20:00:00Z"}}', "no request.type"),
        # The 500 found by fuzzing: a type that is not a string met the skill-event lookup.
        (b'{"request": {"timestamp": "2026-03-14T20:00:00Z", "type": {}}}', "no request.type"),
        (b'{"request": {"timestamp": "2026-03-14T20:00:00Z", "type": [1]}}', "no request.type"),
    ],
)
def test_bodies_without_a_readable_timestamp_are_rejected(
    pki: TestPKI, verifier: RequestVerifier, body: bytes, cause: str
) -> None:
    assert cause in reason(verifier, pki.signer.headers(body), body)


@pytest.mark.parametrize(
    ("request_type", "age", "accepted"),
    [
        ("LaunchRequest", timedelta(seconds=150), True),
        ("LaunchRequest", timedelta(seconds=-150), True),
        ("LaunchRequest", timedelta(seconds=151), False),
        ("LaunchRequest", timedelta(seconds=-151), False),
        ("IntentRequest", timedelta(minutes=50), False),
        ("AlexaSkillEvent.SkillDisabled", timedelta(minutes=50), True),
        ("AlexaSkillEvent.SkillDisabled", timedelta(minutes=61), False),
        ("AlexaSkillEvent.SkillEnabled", timedelta(seconds=3600), True),
        ("AlexaSkillEvent.SkillPermissionAccepted", timedelta(seconds=-3600), True),
        ("AlexaSkillEvent.SkillPermissionChanged", timedelta(seconds=3601), False),
        ("AlexaSkillEvent.SkillAccountLinked", timedelta(minutes=59), True),
        ("Reminders.ReminderCreated", timedelta(minutes=5), False),
    ],
)
def test_timestamp_tolerance(
    pki: TestPKI, verifier: RequestVerifier, request_type: str, age: timedelta, accepted: bool
) -> None:
    headers, body = signed(pki, alexa_event(request_type, timestamp=NOW - age))
    if accepted:
        assert verifier.verify(headers, body)["request"]["type"] == request_type
    else:
        assert "request.timestamp is" in reason(verifier, headers, body)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(
    body=st.one_of(
        st.binary(max_size=300),
        JSON.map(lambda value: json.dumps(value).encode()),
        st.fixed_dictionaries({"request": JSON, "context": JSON}).map(
            lambda v: json.dumps(v).encode()
        ),
    )
)
def test_any_signed_body_is_accepted_or_rejected_with_a_reason(pki: TestPKI, body: bytes) -> None:
    s3 = FakeChainHost()
    s3.serve(pki.signer)
    verifier = RequestVerifier(roots=[pki.root.certificate], fetch=s3, clock=lambda: NOW)
    try:
        event = verifier.verify(pki.signer.headers(body), body)
    except VerificationError as err:
        assert str(err) and "\n" not in str(err)
    else:
        assert event == json.loads(body)


def test_a_zoneless_timestamp_counts_as_utc(pki: TestPKI, verifier: RequestVerifier) -> None:
    event = alexa_event(timestamp=NOW)
    event["request"]["timestamp"] = NOW.replace(tzinfo=None).isoformat()
    headers, body = signed(pki, event)
    assert verifier.verify(headers, body) == event


@pytest.mark.parametrize(
    ("header", "value", "cause"),
    [
        (CHAIN_URL_HEADER, "http://s3.amazonaws.com/echo.api/x.pem", "https"),
        (SIGNATURE_HEADER, "not*base64!", "not base64"),
        (SIGNATURE_HEADER, "", "missing"),
    ],
)
def test_malformed_headers_are_refused_before_any_download(
    pki: TestPKI, verifier: RequestVerifier, s3: FakeChainHost, header: str, value: str, cause: str
) -> None:
    headers, body = signed(pki)
    headers[header] = value
    assert cause in reason(verifier, headers, body)
    assert s3.fetches == []


@pytest.mark.parametrize(
    "body",
    [
        b'{"request": {"timestamp": "2026-03-14T20:00:00Z", "type": {}}}',
        b'{"request": {"type": "LaunchRequest", "timestamp": "yesterday"}}',
        b"[NaN]",
        b"\xff",
    ],
)
def test_an_unsigned_body_is_never_read(
    pki: TestPKI, verifier: RequestVerifier, body: bytes
) -> None:
    """Whatever a forged body holds, the answer is about its signature, not its content."""
    headers = pki.signer.headers(b"{}")  # a real signature, over other bytes
    assert reason(verifier, headers, body) == f"{SIGNATURE_HEADER} does not match the body"


@pytest.mark.parametrize("value", [b"https://s3.amazonaws.com/echo.api/x.pem", 42, None])
def test_a_header_that_is_not_text_is_refused(
    pki: TestPKI, verifier: RequestVerifier, value: object
) -> None:
    headers: dict = dict(signed(pki)[0])
    body = signed(pki)[1]
    headers[CHAIN_URL_HEADER] = value
    headers[7] = "a name that is not text"
    expected = "missing" if value is None else "is not text"
    assert expected in reason(verifier, headers, body)


# -- the skill id -------------------------------------------------------------------------


def test_another_skills_request_is_rejected_when_a_skill_id_is_set(
    pki: TestPKI, s3: FakeChainHost
) -> None:
    verifier = RequestVerifier(
        roots=[pki.root.certificate], fetch=s3, clock=lambda: NOW, skill_id=TEST_SKILL_ID
    )
    ours = signed(pki, alexa_event(timestamp=NOW))
    theirs = signed(pki, alexa_event(timestamp=NOW, skill_id="amzn1.ask.skill.someone-else"))
    assert verifier.verify(*ours)["request"]["type"] == "LaunchRequest"
    assert reason(verifier, *theirs) == "request is for another skill"


def test_a_skill_event_is_matched_by_its_context(pki: TestPKI, s3: FakeChainHost) -> None:
    verifier = RequestVerifier(
        roots=[pki.root.certificate], fetch=s3, clock=lambda: NOW, skill_id=TEST_SKILL_ID
    )
    event = alexa_event("AlexaSkillEvent.SkillEnabled", timestamp=NOW)
    assert "session" not in event
    assert verifier.verify(*signed(pki, event)) == event


# -- the certificate chain ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("leaf_options", "cause"),
    [
        ({"valid_from": timedelta(days=-30), "valid_until": timedelta(seconds=-1)}, "expired"),
        ({"valid_from": timedelta(minutes=5), "valid_until": timedelta(days=30)}, "not yet valid"),
        ({"dns_names": ["echo-api.amazon.com.evil.example"]}, "not for echo-api.amazon.com"),
        ({"dns_names": ["www.amazon.com", "*.amazon.com"]}, "not for echo-api.amazon.com"),
        ({"digital_signature": False}, "digital signatures"),
    ],
)
def test_a_bad_signing_certificate_is_rejected(
    pki: TestPKI, verifier: RequestVerifier, s3: FakeChainHost, leaf_options: dict, cause: str
) -> None:
    s3.serve(pki.signer_with(now=NOW, **leaf_options))
    assert cause in reason(verifier, *signed(pki))


def test_a_chain_to_an_untrusted_root_is_rejected(
    verifier: RequestVerifier, s3: FakeChainHost
) -> None:
    stranger = TestPKI.generate(NOW)  # same shape, same names, not in the trust store
    s3.serve(stranger.signer)
    body = encode(alexa_event(timestamp=NOW))
    assert "not trusted" in reason(verifier, stranger.signer.headers(body), body)


def test_a_chain_without_its_intermediate_is_rejected(
    pki: TestPKI, verifier: RequestVerifier, s3: FakeChainHost
) -> None:
    s3.chains[TEST_CHAIN_URL] = pki.signer.chain_pem().split(b"-----END CERTIFICATE-----")[0] + (
        b"-----END CERTIFICATE-----\n"
    )
    assert len(x509.load_pem_x509_certificates(s3.chains[TEST_CHAIN_URL])) == 1
    assert "not trusted" in reason(verifier, *signed(pki))


def test_a_download_that_is_not_pem_is_rejected(
    pki: TestPKI, verifier: RequestVerifier, s3: FakeChainHost
) -> None:
    s3.chains[TEST_CHAIN_URL] = b"<html>AccessDenied</html>"
    assert "not PEM" in reason(verifier, *signed(pki))


@pytest.mark.parametrize("failure", [TimeoutError("timed out"), OSError("unreachable")])
def test_a_failed_download_is_rejected(pki: TestPKI, failure: Exception) -> None:
    def failing_fetch(url: str) -> bytes:
        raise failure

    verifier = RequestVerifier(roots=[pki.root.certificate], fetch=failing_fetch, clock=lambda: NOW)
    text = reason(verifier, *signed(pki))
    assert text == f"cannot fetch the certificate chain: {type(failure).__name__}"


# -- the cache ------------------------------------------------------------------------------


def test_the_chain_is_downloaded_once_for_many_requests(
    pki: TestPKI, verifier: RequestVerifier, s3: FakeChainHost
) -> None:
    for _ in range(50):
        verifier.verify(*signed(pki, alexa_event(timestamp=NOW)))
    assert s3.fetches == [TEST_CHAIN_URL]


def test_a_failed_validation_is_not_cached(
    pki: TestPKI, verifier: RequestVerifier, s3: FakeChainHost
) -> None:
    s3.chains[TEST_CHAIN_URL] = b"garbage"
    reason(verifier, *signed(pki))
    s3.serve(pki.signer)  # S3 recovers
    assert verifier.verify(*signed(pki))["request"]["type"] == "LaunchRequest"
    assert len(s3.fetches) == 2


def test_a_cached_chain_expires_with_its_certificate(
    pki: TestPKI, verifier: RequestVerifier, s3: FakeChainHost, clock: list[datetime]
) -> None:
    short_lived = pki.signer_with(now=NOW, valid_until=timedelta(minutes=10))
    s3.serve(short_lived)
    verifier.verify(*signed(pki))
    clock[0] = NOW + timedelta(minutes=11)
    late = alexa_event(timestamp=clock[0])
    assert "expired" in reason(verifier, *signed(pki, late))
    assert len(s3.fetches) == 2  # looked again instead of trusting the stale entry


def test_the_cache_is_bounded(pki: TestPKI, s3: FakeChainHost) -> None:
    urls = [
        s3.serve(pki.signer, f"https://s3.amazonaws.com/echo.api/cert-{n}.pem") for n in range(3)
    ]
    verifier = RequestVerifier(
        roots=[pki.root.certificate], fetch=s3, clock=lambda: NOW, cache_size=2
    )
    for url in urls + urls:
        verifier.verify(*signed(pki, url=url))
    assert s3.fetches == urls + urls  # three URLs cycling through two slots: every one evicted


# -- the defaults: certifi and the HTTPS fetcher -----------------------------------------


def test_certifi_supplies_amazons_root() -> None:
    names = {root.subject.rfc4514_string() for root in certifi_roots()}
    assert "CN=Amazon Root CA 1,O=Amazon,C=US" in names


def test_the_default_trust_store_rejects_the_test_ca(pki: TestPKI, s3: FakeChainHost) -> None:
    verifier = RequestVerifier(fetch=s3, clock=lambda: NOW)
    assert "not trusted" in reason(verifier, *signed(pki))


class _ChainHandler(http.server.BaseHTTPRequestHandler):
    """A local stand-in for S3 with the ways it can misbehave."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/chain")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.0)
        body = b"x" * (200 * 1024) if self.path == "/huge" else b"PEM"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the fetcher hangs up on /huge and /slow on purpose: a broken pipe is expected


@pytest.fixture
def local_host() -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _ChainHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_default_fetcher_downloads(local_host: str) -> None:
    assert fetch_chain(f"{local_host}/chain") == b"PEM"


@pytest.mark.parametrize(
    ("path", "error"),
    [("/redirect", OSError), ("/huge", ValueError), ("/slow", TimeoutError)],
)
def test_the_default_fetcher_refuses(local_host: str, path: str, error: type[Exception]) -> None:
    started = time.monotonic()
    with pytest.raises(error):
        fetch_chain(f"{local_host}{path}", timeout=0.2)
    assert time.monotonic() - started < 0.9
