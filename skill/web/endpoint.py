"""The self-hosted endpoint: a Flask app that verifies Alexa's requests and answers with the skill.

Production: `gunicorn 'skill.web.endpoint:create_app()'` builds everything from the environment.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from skill.app import (
    ForeignSkillError,
    MalformedRequestError,
    Reply,
    Stagewise,
    apology_envelope,
    build_skill,
    parse_envelope,
    reply,
)
from skill.privacy import where
from skill.web.verify import RequestVerifier, VerificationError, load_event

log = logging.getLogger("stagewise.web")

MAX_BODY = 128 * 1024
# Request type and intent come from an unverified body when a request is rejected:
# only names shaped like Alexa's reach the log, so nobody can forge log lines.
_LOGGABLE_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,80}")


def create_app(
    *,
    app: Stagewise | None = None,
    verifier: RequestVerifier | None = None,
    verify_requests: bool = True,
    max_body: int = MAX_BODY,
) -> Flask:
    """Serve POST /alexa and GET /healthz; with no arguments, build the skill from the environment.

    `verify_requests=False` accepts unsigned requests; only `stagewise serve` on a
    loopback address should ask for that (see skill.web.serve).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    skill_app = app if app is not None else build_skill()
    if not verify_requests:
        verifier = None
        log.warning("request verification is OFF: anyone who can reach this port can act as Alexa")
    elif verifier is None:
        verifier = RequestVerifier(skill_id=skill_app.services.settings.skill_id)

    web = Flask(__name__)
    # Werkzeug refuses a larger Content-Length with 413 before reading; a chunked body it
    # silently cuts at the limit instead, so read one byte more and check the length ourselves.
    web.config["MAX_CONTENT_LENGTH"] = max_body + 1

    @web.post("/alexa")
    def alexa() -> Response:
        started = time.perf_counter()
        event: dict[str, Any] = {}
        # Every step that reads the request raises only the errors caught below, in this
        # order: the body's bytes, its signature, its JSON, then the envelope's shape.
        try:
            raw_body = _read_body(max_body)
            headers = dict(request.headers.items())
            event = verifier.verify(headers, raw_body) if verifier else load_event(raw_body)
            envelope = parse_envelope(event)  # a malformed body is the client's 400
            answer = _answer(skill_app, event, envelope)
        except RequestEntityTooLarge:
            return _finish(event, 413, f"body larger than {max_body} bytes", started)
        except (
            UnreadableBodyError,
            VerificationError,
            MalformedRequestError,
            ForeignSkillError,
        ) as err:
            return _finish(event, 400, str(err), started)
        response = Response(_to_json(skill_app, answer), status=200, mimetype="application/json")
        return _finish(event, 200, "ok", started, response)

    @web.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", mimetype="text/plain")

    @web.errorhandler(HTTPException)
    def plain_http_error(err: HTTPException) -> Response:
        # Werkzeug's default pages are HTML; clients here are machines and curl.
        status = err.code or 500
        headers = [(k, v) for k, v in err.get_headers() if k.lower() == "allow"]
        return _plain(status, err.description or err.name, headers)

    @web.errorhandler(Exception)
    def internal_error(err: Exception) -> Response:
        log.error("unhandled %s", where(err))
        return _plain(500, "internal error")

    return web


class UnreadableBodyError(Exception):
    """The body never fully arrived (a broken chunked upload, a client gone midway)."""


def _read_body(max_body: int) -> bytes:
    """The raw body, at most `max_body` bytes, or 413, or UnreadableBodyError.

    Each server's reader raises its own errors on a broken upload (gunicorn: InvalidChunkSize,
    ChunkMissingTerminator, NoMoreData; Werkzeug: ClientDisconnected), with no common base
    class and nothing importable without that server: whatever reading the client's bytes
    raises is the client's 400, not the 500 it would be if it escaped.
    """
    try:
        raw_body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise
    except Exception as err:
        raise UnreadableBodyError(f"the body could not be read: {type(err).__name__}") from err
    if len(raw_body) > max_body:
        raise RequestEntityTooLarge()
    return raw_body


def _answer(skill_app: Stagewise, event: dict[str, Any], envelope: RequestEnvelope) -> Reply:
    """The skill's response; a crash still answers 200 with an apology, as Alexa expects."""
    try:
        return reply(skill_app, event, envelope)
    except ForeignSkillError:
        raise
    except Exception as err:  # the skill's own exception handlers failed: last resort
        log.error("skill failed: %s", where(err))
        return Reply(apology_envelope())


def _to_json(skill_app: Stagewise, answer: Reply) -> str:
    """The answer as strict JSON (encoded once: skill.app measured it so); one that cannot be
    (NaN, odd types) becomes the apology."""
    try:
        return answer.json()
    except (TypeError, ValueError) as err:
        log.error("skill answer is not JSON: %s", where(err))
        return json.dumps(apology_envelope(), allow_nan=False)


def _finish(
    event: dict[str, Any],
    status: int,
    outcome: str,
    started: float,
    response: Response | None = None,
) -> Response:
    """Log the request's one line, then send the response (a plain-text reason if none)."""
    body = event.get("request")
    request_part: dict[str, Any] = body if isinstance(body, dict) else {}
    intent = request_part.get("intent")
    log.info(
        # The outcome goes last: it is free text, everything before it is key=token.
        "alexa type=%s intent=%s status=%d latency_ms=%.1f outcome=%s",
        _loggable(request_part.get("type")),
        _loggable(intent.get("name") if isinstance(intent, dict) else None),
        status,
        (time.perf_counter() - started) * 1000,
        outcome,
    )
    return response if response is not None else _plain(status, outcome)


def _plain(status: int, reason: str, headers: list[tuple[str, str]] | None = None) -> Response:
    one_line = " ".join(reason.split())
    return Response(one_line + "\n", status=status, mimetype="text/plain", headers=headers)


def _loggable(name: Any) -> str:
    return name if isinstance(name, str) and _LOGGABLE_NAME.fullmatch(name) else "-"
