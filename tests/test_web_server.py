"""The Flask endpoint over HTTP: what Alexa and its certification see, status by status."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from skill.app import Reply, Stagewise, apology_envelope, build_skill, handle_event
from skill.config import Settings
from skill.store.sqlite import SqliteStore
from skill.web import serve, verify
from skill.web.endpoint import create_app
from skill.web.verify import CHAIN_URL_HEADER, SIGNATURE_HEADER, RequestVerifier
from tests.conversation import Couple
from tests.signing import (
    PKI_DIR_ENV,
    TEST_CHAIN_URL,
    TEST_SKILL_ID,
    FakeChainHost,
    Signer,
    TestPKI,
    alexa_event,
    encode,
    write_public_pki,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def pki() -> TestPKI:
    return TestPKI.generate()


@pytest.fixture(scope="session")
def stranger() -> TestPKI:
    """A look-alike PKI whose root nobody trusts."""
    return TestPKI.generate()


@pytest.fixture
def s3(pki: TestPKI) -> FakeChainHost:
    host = FakeChainHost()
    host.serve(pki.signer)
    return host


def new_skill(
    tmp_path: Path, name: str = "t.db", skill_id: str | None = TEST_SKILL_ID
) -> Stagewise:
    store_path = tmp_path / name
    return build_skill(
        Settings(store_url=f"sqlite:///{store_path}", skill_id=skill_id),
        store=SqliteStore(store_path),
    )


@pytest.fixture
def skill_app(tmp_path: Path) -> Stagewise:
    return new_skill(tmp_path)


@pytest.fixture
def web(pki: TestPKI, s3: FakeChainHost, skill_app: Stagewise) -> Flask:
    verifier = RequestVerifier(roots=[pki.root.certificate], fetch=s3, skill_id=TEST_SKILL_ID)
    return create_app(app=skill_app, verifier=verifier)


@pytest.fixture
def client(web: Flask) -> FlaskClient:
    return web.test_client()


def post(client: FlaskClient, body: bytes, headers: dict[str, str]) -> Any:
    return client.post("/alexa", data=body, headers=headers)


# -- what Alexa gets ----------------------------------------------------------------------


def test_a_signed_launch_gets_the_skills_answer(
    client: FlaskClient, pki: TestPKI, tmp_path: Path
) -> None:
    event = alexa_event()
    body = encode(event)
    response = post(client, body, pki.signer.headers(body))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    answer = response.get_json()
    assert answer["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    # The same skill, fresh, answering the same event directly: the web layer adds nothing.
    assert answer == handle_event(new_skill(tmp_path, "twin.db"), event)


def test_a_disabled_skill_event_fifty_minutes_late_is_accepted(
    client: FlaskClient, pki: TestPKI
) -> None:
    event = alexa_event(
        "AlexaSkillEvent.SkillDisabled",
        timestamp=datetime.now(UTC) - timedelta(minutes=50),
        request={"body": {"userInformationPersistenceStatus": "NOT_PERSISTED"}},
    )
    body = encode(event)
    response = post(client, body, pki.signer.headers(body))
    assert response.status_code == 200
    assert response.get_json()["version"] == "1.0"


def test_a_crashing_skill_still_answers_200_with_an_apology(
    pki: TestPKI, s3: FakeChainHost, skill_app: Stagewise, caplog: pytest.LogCaptureFixture
) -> None:
    class BrokenSkill:
        def invoke(self, **kwargs: Any) -> Any:
            raise RuntimeError("the answer was: secret words")

    broken = Stagewise(skill=BrokenSkill(), services=skill_app.services)  # type: ignore[arg-type]
    verifier = RequestVerifier(roots=[pki.root.certificate], fetch=s3)
    body = encode(alexa_event())
    with caplog.at_level(logging.INFO, logger="stagewise.web"):
        response = post(
            create_app(app=broken, verifier=verifier).test_client(), body, pki.signer.headers(body)
        )
    assert response.status_code == 200
    assert response.get_json()["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert response.get_json()["response"]["shouldEndSession"] is True
    assert "RuntimeError" in caplog.text
    assert "secret words" not in caplog.text


def test_an_answer_that_is_not_json_becomes_the_apology(
    pki: TestPKI,
    s3: FakeChainHost,
    skill_app: Stagewise,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """skill.app.reply already cleans its answers; the endpoint still never sends NaN."""
    import skill.web.endpoint as web_app

    nan = Reply({"version": "1.0", "x": math.nan})
    monkeypatch.setattr(web_app, "reply", lambda *_a, **_k: nan)
    verifier = RequestVerifier(roots=[pki.root.certificate], fetch=s3)
    body = encode(alexa_event())
    with caplog.at_level(logging.INFO, logger="stagewise.web"):
        response = post(
            create_app(app=skill_app, verifier=verifier).test_client(),
            body,
            pki.signer.headers(body),
        )
    assert response.status_code == 200
    answer = json.loads(response.text, parse_constant=lambda name: pytest.fail(name))
    assert answer == apology_envelope()
    assert "skill answer is not JSON: ValueError" in caplog.text


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok\n")


# -- what certification's forgeries get ------------------------------------------------------

Forgery = Callable[[TestPKI, TestPKI, FakeChainHost], tuple[dict[str, str], bytes]]


def _signed(signer: Signer, event: dict[str, Any] | None = None, url: str = TEST_CHAIN_URL):
    body = encode(event or alexa_event())
    return signer.headers(body, url), body


def _without(header: str) -> Forgery:
    def forge(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
        headers, body = _signed(pki.signer)
        del headers[header]
        return headers, body

    return forge


def _chain_url(url: str) -> Forgery:
    def forge(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
        s3.serve(pki.signer, url)  # served, so only the URL rule can reject it
        return _signed(pki.signer, url=url)

    return forge


def _leaf(**options: Any) -> Forgery:
    def forge(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
        signer = pki.signer_with(**options)
        return _signed(signer, url=s3.serve(signer, "https://s3.amazonaws.com/echo.api/forged.pem"))

    return forge


def _bad_signature(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
    headers, body = _signed(pki.signer)
    headers[SIGNATURE_HEADER] = stranger.signer.sign(body)
    return headers, body


def _tampered_body(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
    headers, body = _signed(pki.signer)
    return headers, body.replace(b"LaunchRequest", b"SessionEndedRequest")


def _untrusted_root(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
    url = s3.serve(stranger.signer, "https://s3.amazonaws.com/echo.api/stranger.pem")
    return _signed(stranger.signer, url=url)


def _aged(request_type: str, age: timedelta) -> Forgery:
    def forge(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
        return _signed(pki.signer, alexa_event(request_type, timestamp=datetime.now(UTC) - age))

    return forge


def _foreign_skill(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
    return _signed(pki.signer, alexa_event(skill_id="amzn1.ask.skill.someone-else"))


def _raw(body: bytes) -> Forgery:
    def forge(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
        return pki.signer.headers(body), body  # correctly signed: only the content is wrong

    return forge


def _stamp(body: bytes) -> bytes:
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return body.replace(b'"request": {', b'"request": {"timestamp": "%s", ' % stamp)


def _stamped(body: bytes) -> Forgery:
    """A hand-written, correctly signed body, stamped with the time when the test runs
    (not when the module was collected: a slow suite would otherwise age it past 150 s)."""

    def forge(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
        stamped = _stamp(body)
        return pki.signer.headers(stamped), stamped

    return forge


def _unreachable_chain(pki: TestPKI, stranger: TestPKI, s3: FakeChainHost):
    return _signed(pki.signer, url="https://s3.amazonaws.com/echo.api/missing.pem")


FORGERIES: dict[str, tuple[Forgery, str]] = {
    "no chain url header": (_without(CHAIN_URL_HEADER), f"missing {CHAIN_URL_HEADER}"),
    "no signature header": (_without(SIGNATURE_HEADER), f"missing {SIGNATURE_HEADER}"),
    "http": (_chain_url("http://s3.amazonaws.com/echo.api/echo-api-cert.pem"), "https"),
    "other host": (_chain_url("https://notamazon.com/echo.api/echo-api-cert.pem"), "host"),
    "path case": (_chain_url("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem"), "path"),
    "path escape": (_chain_url("https://s3.amazonaws.com/echo.api/../x"), "path"),
    "port 563": (_chain_url("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem"), "port"),
    "bad signature": (_bad_signature, "does not match"),
    "tampered body": (_tampered_body, "does not match"),
    "expired cert": (
        _leaf(valid_from=timedelta(days=-30), valid_until=timedelta(days=-1)),
        "expired",
    ),
    "wrong SAN": (_leaf(dns_names=["www.example.com"]), "not for echo-api.amazon.com"),
    "untrusted root": (_untrusted_root, "not trusted"),
    "stale timestamp": (_aged("LaunchRequest", timedelta(seconds=151)), "timestamp"),
    "future timestamp": (_aged("LaunchRequest", timedelta(seconds=-151)), "timestamp"),
    "skill event 61 min": (
        _aged("AlexaSkillEvent.SkillDisabled", timedelta(minutes=61)),
        "timestamp",
    ),
    "foreign skill id": (_foreign_skill, "another skill"),
    "chain unreachable": (_unreachable_chain, "cannot fetch"),
    # Issue 13's unauthenticated 500: a non-string type reached the timestamp check unsigned.
    "type {} with any signature": (
        lambda pki, stranger, s3: (
            pki.signer.headers(b"{}"),
            _stamp(b'{"request": {"type": {}}}'),
        ),
        "does not match",
    ),
    "type {} signed": (_stamped(b'{"request": {"type": {}}}'), "no request.type string"),
    "NaN": (_stamped(b'{"request": {"type": "LaunchRequest", "x": NaN}}'), "NaN"),
    "not utf-8": (_raw(b'{"request": "\xff"}'), "not UTF-8"),
    "lone surrogate": (_raw(b'{"session": {"user": {"userId": "\\ud800"}}}'), "surrogate"),
    "deep": (_raw(b'{"a":' * 100 + b"1" + b"}" * 100), "nests deeper than 64 levels"),
    "not json": (_raw(b"hello"), "not JSON"),
    "json array": (_raw(b"[]"), "not a JSON object"),
    "no application id": (
        _stamped(b'{"request": {"type": "LaunchRequest"}}'),
        "applicationId",
    ),
    "unknown request type": (  # parse_envelope's reason
        _stamped(
            b'{"context": {"System": {"application": {"applicationId": "%s"}}},'
            b' "request": {"type": "NoSuchRequest"}}' % TEST_SKILL_ID.encode()
        ),
        "envelope",
    ),
}


@pytest.mark.parametrize(("forge", "cause"), FORGERIES.values(), ids=FORGERIES.keys())
def test_forgeries_get_400_with_a_one_line_reason(
    client: FlaskClient,
    pki: TestPKI,
    stranger: TestPKI,
    s3: FakeChainHost,
    forge: Forgery,
    cause: str,
) -> None:
    headers, body = forge(pki, stranger, s3)
    response = post(client, body, headers)
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert cause in response.text
    assert response.text.count("\n") == 1 and "Traceback" not in response.text


def test_the_path_escape_that_stays_inside_is_accepted(client: FlaskClient, pki: TestPKI) -> None:
    headers, body = _signed(
        pki.signer, url="https://S3.AMAZONAWS.COM:443/echo.api/../echo.api/echo-api-cert-test.pem"
    )
    assert post(client, body, headers).status_code == 200


def test_a_body_over_128_kb_gets_413(client: FlaskClient, pki: TestPKI) -> None:
    event = alexa_event()
    event["padding"] = "x" * (200 * 1024)
    body = encode(event)
    response = post(client, body, pki.signer.headers(body))
    assert response.status_code == 413
    assert "131072 bytes" in response.text


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/alexa"), ("PUT", "/alexa"), ("POST", "/healthz")]
)
def test_a_wrong_method_gets_405(client: FlaskClient, method: str, path: str) -> None:
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.mimetype == "text/plain"
    assert "Allow" in response.headers


def test_an_unknown_path_gets_404_in_plain_text(client: FlaskClient) -> None:
    response = client.get("/admin")
    assert (response.status_code, response.mimetype) == (404, "text/plain")


def test_the_chain_is_fetched_once_for_many_requests(
    client: FlaskClient, pki: TestPKI, s3: FakeChainHost
) -> None:
    for _ in range(20):
        headers, body = _signed(pki.signer)
        assert post(client, body, headers).status_code == 200
    assert s3.fetches == [TEST_CHAIN_URL]


def test_one_log_line_per_request_without_personal_data(
    client: FlaskClient, pki: TestPKI, caplog: pytest.LogCaptureFixture
) -> None:
    event = alexa_event(
        "IntentRequest",
        user_id="amzn1.ask.account.PRIVATE-USER",
        request={
            "intent": {
                "name": "AnswerIntent",
                "confirmationStatus": "NONE",
                "slots": {"answer": {"name": "answer", "value": "my secret answer"}},
            }
        },
    )
    body = encode(event)
    with caplog.at_level(logging.INFO, logger="stagewise.web"):
        response = post(client, body, pki.signer.headers(body))
        rejected = post(client, body + b" ", pki.signer.headers(body))
    assert (response.status_code, rejected.status_code) == (200, 400)
    lines = [r.getMessage() for r in caplog.records if r.name == "stagewise.web"]
    assert len(lines) == 2
    assert "type=IntentRequest intent=AnswerIntent status=200" in lines[0]
    assert "status=400" in lines[1] and "latency_ms=" in lines[1]
    assert "secret" not in caplog.text and "PRIVATE-USER" not in caplog.text


def test_forged_names_do_not_reach_the_log(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"request": {"type": "Launch\\nFAKE status=200", "intent": {"name": "x y"}}}'
    with caplog.at_level(logging.INFO, logger="stagewise.web"):
        assert client.post("/alexa", data=body).status_code == 400
    assert "type=- intent=- status=400" in caplog.text


# -- switching verification off ------------------------------------------------------------


def test_unverified_mode_answers_unsigned_requests_and_warns(
    skill_app: Stagewise, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="stagewise.web"):
        client = create_app(app=skill_app, verify_requests=False).test_client()
    assert "verification is OFF" in caplog.text
    assert client.post("/alexa", data=encode(alexa_event())).status_code == 200
    assert client.post("/alexa", data=b"{").status_code == 400
    # Without verification the skill itself still refuses another skill's requests.
    foreign = encode(alexa_event(skill_id="amzn1.ask.skill.someone-else"))
    response = client.post("/alexa", data=foreign)
    assert (response.status_code, response.text) == (400, "request is for another skill\n")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback


def test_serve_refuses_to_skip_verification_off_loopback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    args = parser.parse_args(["--host", "0.0.0.0", "--insecure-skip-verification"])
    assert serve.run(args) == 2
    assert (
        "--insecure-skip-verification is allowed only on a loopback host" in capsys.readouterr().err
    )


def test_serve_reports_a_busy_port(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STAGEWISE_STORE", f"sqlite:///{tmp_path / 'busy.db'}")
    parser = argparse.ArgumentParser()
    serve.add_arguments(parser)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        args = parser.parse_args(["--port", str(taken.getsockname()[1])])
        assert serve.run(args) == 1
    assert "in use" in capsys.readouterr().err


def test_the_production_factory_builds_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pki: TestPKI, s3: FakeChainHost
) -> None:
    monkeypatch.setenv("STAGEWISE_STORE", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("STAGEWISE_SKILL_ID", TEST_SKILL_ID)
    # The default trust store and fetcher, swapped at their source: no network here.
    monkeypatch.setattr(verify, "fetch_chain", s3)
    monkeypatch.setattr(verify, "certifi_roots", lambda: [pki.root.certificate])
    client = create_app().test_client()
    assert client.get("/healthz").status_code == 200
    headers, body = _signed(pki.signer, alexa_event(skill_id="amzn1.ask.skill.someone-else"))
    response = client.post("/alexa", data=body, headers=headers)
    assert (response.status_code, response.text) == (400, "request is for another skill\n")
    assert post(client, *reversed(_signed(pki.signer))).status_code == 200


# -- real servers on loopback ------------------------------------------------------------------


@contextlib.contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Run `app` on a real loopback socket (Werkzeug's threaded server) and yield its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def live_url(web: Flask) -> Iterator[str]:
    with serving(web) as url:
        yield url


def test_a_real_server_answers_signed_and_refuses_forged(live_url: str, pki: TestPKI) -> None:
    with requests.Session() as session:
        headers, body = _signed(pki.signer)
        signed = session.post(f"{live_url}/alexa", data=body, headers=headers, timeout=10)
        forged = session.post(
            f"{live_url}/alexa", data=body.replace(b"1.0", b"2.0"), headers=headers, timeout=10
        )
        wrong_method = session.get(f"{live_url}/alexa", timeout=10)
    assert signed.status_code == 200
    assert signed.json()["response"]["outputSpeech"]["ssml"].startswith("<speak>")
    assert (forged.status_code, forged.text) == (400, "Signature-256 does not match the body\n")
    assert wrong_method.status_code == 405


@pytest.mark.parametrize(("size", "status"), [(1024, 400), (1025, 413)])
def test_the_limit_is_exact(skill_app: Stagewise, size: int, status: int) -> None:
    client = create_app(app=skill_app, verify_requests=False, max_body=1024).test_client()
    assert client.post("/alexa", data=b"x" * size).status_code == status


def test_a_chunked_body_over_the_limit_gets_413(
    pki: TestPKI, s3: FakeChainHost, skill_app: Stagewise
) -> None:
    verifier = RequestVerifier(roots=[pki.root.certificate], fetch=s3)
    with serving(create_app(app=skill_app, verifier=verifier, max_body=1024)) as url:
        # A generator body is sent chunked, without Content-Length: the limit must still hold.
        chunks = iter([b"{", b" " * 8192, b"}"])
        response = requests.post(f"{url}/alexa", data=chunks, timeout=10)
    assert response.status_code == 413


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_runs_unverified_on_loopback_until_interrupted(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "STAGEWISE_STORE": f"sqlite:///{tmp_path / 'serve.db'}",
        "PYTHONPATH": str(REPO),
    }
    env.pop("STAGEWISE_SKILL_ID", None)
    # A shell without job control starts background commands with SIGINT ignored, and a
    # child inherits that (CI run as `.ci/run &` did: the server never saw the interrupt).
    # An operator's terminal delivers Ctrl-C, so the script starts as a terminal would.
    script = (
        "import argparse, signal, sys\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from skill.web import serve\n"
        "parser = argparse.ArgumentParser(); serve.add_arguments(parser)\n"
        "sys.exit(serve.run(parser.parse_args(sys.argv[1:])))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, "--port", str(port), "--insecure-skip-verification"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{url}/healthz", process)
        response = requests.post(f"{url}/alexa", data=encode(alexa_event()), timeout=10)
        assert response.status_code == 200
        assert response.json()["response"]["outputSpeech"]["ssml"].startswith("<speak>")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert process.returncode == 0
    assert "verification is OFF" in stderr
    assert stderr.count("alexa type=LaunchRequest intent=- status=200") == 1
    assert "/alexa HTTP/1.1" not in stderr  # no second, Werkzeug-style line for the request


def _wait_until_up(url: str, process: subprocess.Popen[str], limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited early: {process.communicate(timeout=5)[1]}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # bound, workers still booting
            time.sleep(0.05)
    pytest.fail(f"server not up after {limit} s")


# -- gunicorn as the README runs it ------------------------------------------------------------


def readme_gunicorn_command() -> list[str]:
    """The production gunicorn command exactly as the README's self-hosting section gives it."""
    section = (REPO / "README.md").read_text().split("## Self-hosting", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    lines = [block for block in blocks if "gunicorn " in block]
    assert len(lines) == 1, "the README should give one gunicorn command"
    command = lines[0].split("gunicorn ", 1)[1].replace("\\\n", " ")
    return ["gunicorn", *shlex.split(command)]


# Broken chunked uploads, byte for byte: gunicorn's reader raised an error Flask turned into 500.
HEAD = (
    b"POST /alexa HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)
BROKEN_CHUNKED = {
    "chunk size not hex": (HEAD + b"ZZ\r\n{}\r\n0\r\n\r\n", "InvalidChunkSize"),
    "chunk without CRLF": (HEAD + b"2\r\n{}XX0\r\n\r\n", "ChunkMissingTerminator"),
    "client gone midway": (HEAD + b"10\r\n{}", "ClientDisconnected"),
}


def _raw_exchange(port: int, data: bytes) -> tuple[int, bytes]:
    """Send raw bytes, half-close, and return the status and body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def test_the_readme_gunicorn_command_serves_signed_requests_and_refuses_broken_uploads(
    tmp_path: Path, pki: TestPKI
) -> None:
    command = readme_gunicorn_command()
    assert command[-1] == "skill.web.endpoint:create_app()"
    for flag in ("--timeout", "--graceful-timeout", "--keep-alive", "--limit-request-line"):
        assert flag in command
    port = _free_port()
    # Same flags; only the address and the factory change (to trust the test CA, offline).
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[-1] = "tests.signing:app_trusting_test_pki()"
    write_public_pki(pki, tmp_path / "pki")
    env = {
        **os.environ,
        "STAGEWISE_STORE": f"sqlite:///{tmp_path / 'gunicorn.db'}",
        "STAGEWISE_SKILL_ID": TEST_SKILL_ID,
        PKI_DIR_ENV: str(tmp_path / "pki"),
        "PYTHONPATH": str(REPO),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", *command], cwd=REPO, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
        headers, body = _signed(pki.signer)
        signed = requests.post(
            f"http://127.0.0.1:{port}/alexa", data=body, headers=headers, timeout=10
        )
        assert signed.status_code == 200
        assert signed.json()["response"]["outputSpeech"]["ssml"].startswith("<speak>")
        for data, cause in BROKEN_CHUNKED.values():
            status, reason = _raw_exchange(port, data)
            assert (status, reason) == (400, f"the body could not be read: {cause}\n".encode())
        long_line = b"POST /alexa?" + b"x" * 2000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
        assert _raw_exchange(port, long_line)[0] == 414  # --limit-request-line, before the app
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    assert "status=500" not in stderr and "Traceback" not in stderr


# -- what the logs hold --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "store_name",
    [
        "sqlite",
        "dynamo",  # botocore logs request bodies at DEBUG: skill.logs filters them out
    ],
)
def test_a_whole_signed_conversation_at_debug_logs_no_names_answers_or_user_id(
    pki: TestPKI,
    s3: FakeChainHost,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
    store_name: str,
) -> None:
    """Launch, names, two answers and a recap through a real server, every logger at DEBUG."""
    store = request.getfixturevalue(f"{store_name}_store")
    skill_app = build_skill(Settings(store_url="unused://", skill_id=TEST_SKILL_ID), store=store)
    user_id = "amzn1.ask.account.PRIVATE-LOGTEST-7731"
    markers = ["Zanthia", "Quillon", "marmalade", "tangerine"]
    verifier = RequestVerifier(roots=[pki.root.certificate], fetch=s3, skill_id=TEST_SKILL_ID)
    web_app = create_app(app=skill_app, verifier=verifier)
    caplog.set_level(logging.DEBUG)
    for name in [None, *logging.root.manager.loggerDict]:  # werkzeug, botocore: whatever exists
        caplog.set_level(logging.DEBUG, logger=name)
    statuses: list[int] = []
    with serving(web_app) as url, requests.Session() as session:

        def over_http(event: dict[str, Any]) -> dict[str, Any]:
            body = encode(event)
            response = session.post(
                f"{url}/alexa", data=body, headers=pki.signer.headers(body), timeout=10
            )
            statuses.append(response.status_code)
            return dict(response.json())

        couple = Couple(skill_app, user_id=user_id, now=datetime.now(UTC), handler=over_http)
        couple.device.skill_id = TEST_SKILL_ID
        couple.onboard(first="zanthia", second="quillon")
        first = couple.answer("a marmalade sunrise")
        second = couple.answer("tangerine dreams")
        couple.later(seconds=1)
        recap = couple.intent("RecapIntent", new_session=True)
    assert statuses == [200] * 7
    # The conversation really carried the words, so their absence from the log means something.
    assert "Zanthia" in first.text and "Quillon" in second.text
    assert "marmalade" in recap.text and "tangerine" in recap.text
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    logging.getLogger("tests.probe").debug("debug capture is on")
    assert "debug capture is on" in caplog.text  # DEBUG really was on
    assert "POST /alexa" in caplog.text  # werkzeug's access line: the server's own logger ran
    for secret in [*markers, "PRIVATE-LOGTEST-7731"]:
        assert secret.lower() not in logged.lower(), f"{secret} reached the log"
