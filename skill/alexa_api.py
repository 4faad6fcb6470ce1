"""Our own small client of the Alexa APIs (settings, reminders), with an explicit timeout.

The SDK's service clients have no timeout; a skill turn has about eight seconds in all,
so every call here gives up after about a second and says why in our own exception types.
Base URL and token come from the request (`context.System.apiEndpoint`/`apiAccessToken`);
`Services.alexa_api` builds a client per request, so tests and the console use a fake.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:  # urllib.request and ssl cost a cold start ~50 ms: loaded on first call
    import ssl

API_TIMEOUT_SECONDS = 1.0
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"


class AlexaApiError(Exception):
    """An Alexa API call that did not work; the subclasses say why."""


class NoPermission(AlexaApiError):
    """401/403: the couple has not granted the permission, or revoked it."""


class NotFound(AlexaApiError):
    """404: the reminder (or the device setting) is not there any more."""


class Throttled(AlexaApiError):
    """429: too many calls; try again later."""


class Unavailable(AlexaApiError):
    """5xx, a timeout, or no connection: the service could not answer now."""


class AlexaApi(Protocol):
    """What the skill asks of Alexa; the HTTP client and the fakes both provide it."""

    def time_zone(self, device_id: str) -> str: ...

    def create_reminder(self, reminder: dict[str, Any]) -> str: ...

    def get_reminder(self, alert_token: str) -> dict[str, Any]: ...

    def update_reminder(self, alert_token: str, reminder: dict[str, Any]) -> None: ...

    def delete_reminder(self, alert_token: str) -> None: ...


AlexaApiFactory = Callable[[str, str], AlexaApi]  # (apiEndpoint, apiAccessToken) -> client


class HttpAlexaApi:
    """The Alexa APIs over HTTPS, one call per method, each within `timeout` seconds."""

    def __init__(
        self,
        endpoint: str,
        token: str,
        *,
        timeout: float = API_TIMEOUT_SECONDS,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.ssl_context = ssl_context

    def time_zone(self, device_id: str) -> str:
        device = quote(device_id, safe="")
        zone = self._call("GET", f"/v2/devices/{device}/settings/System.timeZone")
        if not isinstance(zone, str) or not zone:
            raise Unavailable("the time zone setting was not a name")
        return zone

    def create_reminder(self, reminder: dict[str, Any]) -> str:
        created = self._call("POST", "/v1/alerts/reminders", reminder)
        token = created.get("alertToken") if isinstance(created, dict) else None
        if not isinstance(token, str) or not token:
            raise Unavailable("the new reminder came back without an alert token")
        return token

    def get_reminder(self, alert_token: str) -> dict[str, Any]:
        found = self._call("GET", f"/v1/alerts/reminders/{quote(alert_token, safe='')}")
        if not isinstance(found, dict):
            raise Unavailable("the reminder came back unreadable")
        return found

    def update_reminder(self, alert_token: str, reminder: dict[str, Any]) -> None:
        self._call("PUT", f"/v1/alerts/reminders/{quote(alert_token, safe='')}", reminder)

    def delete_reminder(self, alert_token: str) -> None:
        self._call("DELETE", f"/v1/alerts/reminders/{quote(alert_token, safe='')}")

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.endpoint + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(
                request, timeout=self.timeout, context=self.ssl_context
            ) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise _error_for(err.code, method, path) from None
        except TimeoutError as err:
            raise Unavailable(f"{method} {_shape(path)} timed out") from err
        except (urllib.error.URLError, OSError) as err:
            raise Unavailable(f"{method} {_shape(path)} failed: {type(err).__name__}") from err
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError as err:
            raise Unavailable(f"{method} {_shape(path)} answered with no JSON") from err


def _error_for(status: int, method: str, path: str) -> AlexaApiError:
    where = f"{method} {_shape(path)} answered {status}"
    if status in (401, 403):
        return NoPermission(where)
    if status == 404:
        return NotFound(where)
    if status == 429:
        return Throttled(where)
    return Unavailable(where)


def _shape(path: str) -> str:
    """The path without IDs or tokens, for error messages and logs."""
    parts = path.split("/")
    return "/".join("…" if len(part) > 24 else part for part in parts)


def http_alexa_api(endpoint: str, token: str) -> AlexaApi:
    """The production factory: the real Alexa APIs with the default timeout."""
    return HttpAlexaApi(endpoint, token)
