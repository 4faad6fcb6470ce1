"""Google's voice over verified TLS: gTTS's own requests, sent with the certificate checked.

gTTS 2.5's `stream()` sends with `verify=False`, so anyone on the path could swap the audio
we then publish. Here gTTS only prepares its requests (`gTTS._prepare_requests()`, private, so
the versions it is tested with are pinned), and they are sent with verification on and a
timeout, and the reply is decoded as `gTTS.stream()` decodes it.
"""

from __future__ import annotations

import base64
import re
import ssl
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import gtts
import requests
from gtts import gTTS, gTTSError

from stagewise_tools.narration.errors import EngineUnavailable, UntrustedConnection

# Keep in step with the `audio` extra in pyproject.toml.
TESTED_GTTS = ">=2.5.4,<2.6"
_LOWEST, _BELOW = (2, 5, 4), (2, 6, 0)
# gTTS's pattern for the base64 audio in a batchexecute reply (gtts/tts.py, stream()).
_AUDIO = re.compile(r'jQ1olc","\[\\"(.*)\\"]')


def require_tested_gtts(version: str | None = None) -> None:
    """Stop, in one line, on a gTTS whose private request API this module was not tested with."""
    version = gtts.__version__ if version is None else version
    found = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    number = tuple(int(part or 0) for part in found.groups()) if found else ()
    if not _LOWEST <= number < _BELOW:
        raise EngineUnavailable(
            f"gTTS {version} is untested with Stagewise's verified-TLS sender; "
            f"pip install 'gtts{TESTED_GTTS}'"
        )


def fetch_speech(
    text: str,
    *,
    lang: str,
    tld: str,
    timeout: tuple[float, float],
    ca_bundle: str | None = None,
    endpoint_url: str | None = None,
) -> bytes:
    """The MP3 Google speaks for text; certificates checked against certifi or ca_bundle.

    REQUESTS_CA_BUNDLE is honoured as requests honours it. endpoint_url sends the same requests
    to another host (tests). gTTSError on HTTP failures, as gTTS raises them;
    UntrustedConnection when the certificate does not verify.
    """
    require_tested_gtts()
    tts = gTTS(text, lang=lang, tld=tld, timeout=timeout)
    audio = bytearray()
    with requests.Session() as session:
        for prepared in tts._prepare_requests():
            if endpoint_url is not None:
                prepared.url = _rehost(str(prepared.url), endpoint_url)
            settings = session.merge_environment_settings(
                prepared.url, {}, None, ca_bundle or True, None
            )
            try:
                response = session.send(prepared, timeout=timeout, **settings)
                response.raise_for_status()
            except requests.exceptions.SSLError as err:
                reason = _verify_failure(err)
                if reason is None:
                    raise gTTSError(tts=tts) from err
                host = urlsplit(str(prepared.url)).netloc
                raise UntrustedConnection(
                    f"gTTS: TLS certificate not trusted at {host} ({reason}); nothing was "
                    "rendered (is a proxy intercepting HTTPS? REQUESTS_CA_BUNDLE adds a CA)"
                ) from err
            except requests.exceptions.HTTPError as err:
                raise gTTSError(tts=tts, response=response) from err
            except requests.exceptions.RequestException as err:
                raise gTTSError(tts=tts) from err
            audio += _decode(tts, response)
    if not audio:
        raise gTTSError("no audio in the reply from the TTS API")
    return bytes(audio)


def _decode(tts: gTTS, response: requests.Response) -> bytes:
    """The audio in one reply, read line by line exactly as gTTS 2.5's stream() reads it."""
    audio = bytearray()
    for line in response.iter_lines(chunk_size=1024):
        decoded_line = line.decode("utf-8")
        if "jQ1olc" in decoded_line:
            found = _AUDIO.search(decoded_line)
            if not found:
                raise gTTSError(tts=tts, response=response)
            audio += base64.b64decode(found.group(1).encode("ascii"))
    return bytes(audio)


def _rehost(url: str, endpoint_url: str) -> str:
    """The same path and query on another scheme and host."""
    target = urlsplit(endpoint_url)
    return urlunsplit(urlsplit(url)._replace(scheme=target.scheme, netloc=target.netloc))


def _verify_failure(err: BaseException) -> str | None:
    """Why the certificate did not verify, if that is what failed (deep in urllib3's chain)."""
    pending: list[Any] = [err]
    seen: set[int] = set()
    while pending:
        cause = pending.pop()
        if not isinstance(cause, BaseException) or id(cause) in seen:
            continue
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError):
            return str(cause.verify_message or "certificate verify failed")
        pending += [*cause.args, cause.__cause__, cause.__context__, getattr(cause, "reason", None)]
    return None
