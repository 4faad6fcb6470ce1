"""Our own small client of the Alexa APIs (settings, reminders), within one deadline a call.

The SDK's service clients have no timeout; a skill turn has about eight seconds in all.
Each call here has one total deadline (`API_TIMEOUT_SECONDS`) for the name lookup,
connecting, the TLS handshake, sending and reading the whole reply, however slowly the
bytes come; a reply larger than `MAX_RESPONSE_BYTES` is refused unread; redirects are
never followed (the bearer token goes to the request's own HTTPS endpoint only); and
every way a call can fail ends in one of our own exception types. `OutcomeUnknown`
marks a change (create, update, delete) that was sent but whose answer was lost: it may
have been made.

Base URL and token come from the request (`context.System.apiEndpoint`/`apiAccessToken`);
`Services.alexa_api` builds a client per request, so tests and the console use a fake.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urlsplit

from skill.local_time import zone_name_valid

if TYPE_CHECKING:  # socket, ssl and http.client cost a cold start: loaded on the first call
    import http.client
    import socket
    import ssl

API_TIMEOUT_SECONDS = 1.0  # one call, all of it: a turn makes at most two
MAX_RESPONSE_BYTES = 64 * 1024  # a list of a skill's reminders is a few KB
READ_CHUNK = 8 * 1024
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
REMINDERS_PATH = "/v1/alerts/reminders"


class AlexaApiError(Exception):
    """An Alexa API call that did not work; the subclasses say why."""


class NoPermission(AlexaApiError):
    """401/403: the couple has not granted the permission, or revoked it."""


class NotFound(AlexaApiError):
    """404: the reminder (or the device setting) is not there any more."""


class Throttled(AlexaApiError):
    """429: too many calls; nothing was done, try again later."""


class Unavailable(AlexaApiError):
    """The service could not answer now (no connection, a timeout, 5xx, an unreadable reply)."""


class OutcomeUnknown(Unavailable):
    """A change was sent but its answer was lost (late, cut off, garbled, 5xx): it may be done."""


class AlexaApi(Protocol):
    """What the skill asks of Alexa; the HTTP client and the fakes both provide it."""

    def time_zone(self, device_id: str) -> str: ...

    def list_reminders(self) -> list[dict[str, Any]]: ...

    def create_reminder(self, reminder: dict[str, Any]) -> str: ...

    def update_reminder(self, alert_token: str, reminder: dict[str, Any]) -> None: ...

    def delete_reminder(self, alert_token: str) -> None: ...


AlexaApiFactory = Callable[[str, str], AlexaApi]  # (apiEndpoint, apiAccessToken) -> client


class HttpAlexaApi:
    """The Alexa APIs over HTTPS, one request per method, each within `timeout` seconds."""

    def __init__(
        self,
        endpoint: str,
        token: str,
        *,
        timeout: float = API_TIMEOUT_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.max_response_bytes = max_response_bytes

    def time_zone(self, device_id: str) -> str:
        device = quote(device_id, safe="")
        zone = self._call("GET", f"/v2/devices/{device}/settings/System.timeZone")
        if not zone_name_valid(zone):  # a 300-character name, "../etc", a zone unknown here
            raise Unavailable("the time zone setting was not a zone name")
        return str(zone)

    def list_reminders(self) -> list[dict[str, Any]]:
        """The reminders this skill made for this customer (Reminders API "get all")."""
        listed = self._call("GET", REMINDERS_PATH)
        alerts = listed.get("alerts") if isinstance(listed, dict) else None
        if not isinstance(alerts, list):
            raise Unavailable("the reminders came back unreadable")
        return [alert for alert in alerts if isinstance(alert, dict)]

    def create_reminder(self, reminder: dict[str, Any]) -> str:
        created = self._call("POST", REMINDERS_PATH, reminder)
        token = created.get("alertToken") if isinstance(created, dict) else None
        if not isinstance(token, str) or not token:
            raise OutcomeUnknown("the new reminder came back without an alert token")
        return token

    def update_reminder(self, alert_token: str, reminder: dict[str, Any]) -> None:
        self._call("PUT", f"{REMINDERS_PATH}/{quote(alert_token, safe='')}", reminder, read=False)

    def delete_reminder(self, alert_token: str) -> None:
        self._call("DELETE", f"{REMINDERS_PATH}/{quote(alert_token, safe='')}", read=False)

    # -- one exchange ----------------------------------------------------------------

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, read: bool = True
    ) -> Any:
        """Send one request and return its JSON reply (None when `read` is off or it is empty)."""
        import http.client

        where = f"{method} {_shape(path)}"
        changes = method != "GET"
        deadline = time.monotonic() + self.timeout
        host, port, request = self._request(method, path, body, where)
        sent = False
        sock: socket.socket | None = None
        try:
            sock = _connect(host, port, self.ssl_context or _default_context(), deadline)
            sock.settimeout(_left(deadline))
            sock.sendall(request)  # the whole request: its timeout bounds the total (3.5+)
            sent = True
            timed: Any = _Timed(sock, deadline)  # all HTTPResponse asks of its socket
            response = http.client.HTTPResponse(timed, method=method)
            response.begin()
            if not 200 <= response.status < 300:
                raise _error_for(response.status, where, changes)
            raw = _read_body(response, self.max_response_bytes) if read else b""
        except AlexaApiError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as err:
            # TimeoutError, ssl.SSLError and the connection errors are OSErrors;
            # IncompleteRead, BadStatusLine and RemoteDisconnected are HTTPExceptions.
            failed = OutcomeUnknown if changes and sent else Unavailable
            raise failed(f"{where} {_why(err)}") from err
        finally:
            if sock is not None:
                sock.close()
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError as err:  # not JSON, or not UTF-8 (UnicodeDecodeError)
            failed = OutcomeUnknown if changes else Unavailable
            raise failed(f"{where} answered with no JSON") from err

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None, where: str
    ) -> tuple[str, int, bytes]:
        """Host, port and the request's bytes; only an https:// endpoint gets our token."""
        try:
            parts = urlsplit(self.endpoint)
            port = parts.port or 443
        except ValueError as err:
            raise Unavailable(f"{where}: the API endpoint is not a URL") from err
        host = parts.hostname or ""
        if parts.scheme != "https" or not host or parts.username or parts.password:
            raise Unavailable(f"{where}: the API endpoint is not a plain https:// URL")
        if any(c in self.token for c in "\r\n") or not self.token.isascii():
            raise Unavailable(f"{where}: the API token cannot go in a header")
        data = json.dumps(body).encode() if body is not None else b""
        lines = [
            f"{method} {parts.path.rstrip('/')}{path} HTTP/1.1",
            f"Host: {parts.netloc}",
            f"Authorization: Bearer {self.token}",
            "Accept: application/json",
            "Connection: close",
        ]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
        return host, port, ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + data


def _left(deadline: float) -> float:
    """Seconds left before the deadline; a TimeoutError once there are none."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the call's deadline passed")
    return left


def _connect(host: str, port: int, context: ssl.SSLContext, deadline: float) -> ssl.SSLSocket:
    """A TLS connection made within the deadline: the name looked up, each address tried
    while time is left, the handshake (its timeout is its total, since Python 3.5)."""
    import socket

    failure: OSError = TimeoutError("no address for the API endpoint")
    for family, kind, proto, _, address in _resolve(host, port, deadline):
        raw = socket.socket(family, kind, proto)
        try:
            raw.settimeout(_left(deadline))
            raw.connect(address)
            raw.settimeout(_left(deadline))
            return context.wrap_socket(raw, server_hostname=host)
        except OSError as err:
            raw.close()
            if isinstance(err, TimeoutError):
                raise
            failure = err
        except BaseException:
            raw.close()
            raise
    raise failure


def _resolve(host: str, port: int, deadline: float) -> list[Any]:
    """The endpoint's addresses, within the deadline.

    getaddrinfo takes no timeout (a stuck resolver can hold it for many seconds), so it
    runs in a daemon thread that is left behind if it does not answer in time.
    """
    import socket
    import threading

    found: list[Any] = []
    failed: list[OSError] = []

    def look_up() -> None:
        try:
            found.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as err:
            failed.append(err)

    worker = threading.Thread(target=look_up, name="alexa-api-lookup", daemon=True)
    worker.start()
    worker.join(_left(deadline))
    if worker.is_alive():
        raise TimeoutError("the endpoint's name lookup timed out")
    if failed:
        raise failed[0]
    return found


_contexts: list[ssl.SSLContext] = []


def _default_context() -> ssl.SSLContext:
    """The system's trust store with hostname checks, made once per container."""
    if not _contexts:
        import ssl

        _contexts.append(ssl.create_default_context())
    return _contexts[0]


class _TimedReader(io.RawIOBase):
    """A socket's bytes, each read given only what is left of the call's deadline.

    A per-read timeout alone lets a reply trickled a byte at a time run on for ever.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.sock.settimeout(_left(self.deadline))
        return self.sock.recv_into(buffer)


class _Timed:
    """What http.client.HTTPResponse needs of a socket: a file that keeps the deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock = sock
        self.deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_TimedReader(self.sock, self.deadline))


class TooLarge(ValueError):
    """A reply over the size bound: read no further."""


def _why(err: Exception) -> str:
    """A failure in a few words for logs (never a token or a body)."""
    if isinstance(err, TimeoutError):
        return "timed out"
    return str(err) if isinstance(err, TooLarge) else type(err).__name__


def _read_body(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The whole body, in chunks, refusing more than `limit` bytes or one cut short."""
    import http.client

    declared = response.length  # None when chunked or read to the end
    if declared is not None and declared > limit:
        raise TooLarge(f"answered with {declared} bytes, over {limit}")
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = response.read(min(READ_CHUNK, limit + 1 - total))
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise TooLarge(f"answered with over {limit} bytes")
        chunks.append(chunk)
    if response.length:  # http.client does not raise when a Content-Length read runs short
        raise http.client.IncompleteRead(b"".join(chunks), response.length)
    return b"".join(chunks)


def _error_for(status: int, where: str, changes: bool) -> AlexaApiError:
    """Our error for an HTTP status; a 5xx to a change leaves its outcome unknown."""
    said = f"{where} answered {status}"
    if status in (401, 403):
        return NoPermission(said)
    if status == 404:
        return NotFound(said)
    if status == 429:
        return Throttled(said)
    if 300 <= status < 400:
        return Unavailable(f"{said}: redirects are not followed")
    if status >= 500 and changes:
        return OutcomeUnknown(said)
    return Unavailable(said)


def _shape(path: str) -> str:
    """The path without IDs or tokens, for error messages and logs."""
    parts = path.split("/")
    return "/".join("…" if len(part) > 24 else part for part in parts)


def http_alexa_api(endpoint: str, token: str) -> AlexaApi:
    """The production factory: the real Alexa APIs with the default deadline."""
    return HttpAlexaApi(endpoint, token)
