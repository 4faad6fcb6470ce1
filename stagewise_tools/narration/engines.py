"""The narrator voices (gTTS, espeak-ng) and the ffmpeg transcode to Alexa's clip format."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol

from stagewise_tools.narration.errors import EngineUnavailable, NarrationError
from stagewise_tools.narration.manifest import sha256_hex

# The spec's encoder settings, plus: no ID3 tag and no Xing/Info frame (ffmpeg writes the Info
# frame at 64 kbps, so the first frame would not read as 48 kbps), and bitexact so the same
# input gives the same bytes, and so the same file name, from one build to the next. Tool
# versions are left out of the settings hash on purpose: an upgrade alone re-renders nothing.
TRANSCODE_ARGS: tuple[str, ...] = (
    "-vn", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact",
    "-ac", "1", "-codec:a", "libmp3lame", "-b:a", "48k", "-ar", "24000",
    "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3",
)  # fmt: skip
SUBPROCESS_TIMEOUT_S = 120.0


class Engine(Protocol):
    """A text-to-speech engine with one fixed narrator voice."""

    @property
    def name(self) -> str: ...

    @property
    def voice(self) -> str: ...

    def settings(self) -> dict[str, Any]: ...

    def render(self, text: str, workdir: Path) -> Path: ...


@dataclass(frozen=True)
class GttsEngine:
    """Google Translate's voice, British English: distinct from Alexa's US voice."""

    lang: str = "en"
    tld: str = "co.uk"
    # (connect, read) seconds per HTTP request; gTTS waits forever by default.
    timeout: tuple[float, float] = (5.0, 30.0)
    # Certificates to trust instead of certifi's (None: certifi, or REQUESTS_CA_BUNDLE).
    ca_bundle: str | None = None
    # Another host speaking Google's API, for tests (None: https://translate.google.<tld>).
    endpoint_url: str | None = None
    name: ClassVar[str] = "gtts"

    @property
    def voice(self) -> str:
        return f"{self.lang}@translate.google.{self.tld}"

    def settings(self) -> dict[str, Any]:
        """What changes the sound (timeout, trust and endpoint do not)."""
        return {"engine": self.name, "lang": self.lang, "tld": self.tld}

    def render(self, text: str, workdir: Path) -> Path:
        """Fetch the speech as MP3 from Google over verified TLS; a failure is one line."""
        # Imported here: gTTS is the optional [audio] extra, and espeak builds do not need it.
        try:
            from gtts import gTTSError

            from stagewise_tools.narration.verified_gtts import fetch_speech
        except ImportError as err:
            raise EngineUnavailable(
                f"gTTS is not installed ({err}): pip install 'stagewise[audio]', "
                "or build offline with --engine espeak"
            ) from err

        try:
            audio = fetch_speech(
                text,
                lang=self.lang,
                tld=self.tld,
                timeout=self.timeout,
                ca_bundle=self.ca_bundle,
                endpoint_url=self.endpoint_url,
            )
        except gTTSError as err:
            raise EngineUnavailable(
                f"gTTS failed at translate.google.{self.tld} ({err}); check the network, "
                "or build offline with --engine espeak"
            ) from err
        out = workdir / "gtts.mp3"
        out.write_bytes(audio)
        return out


@dataclass(frozen=True)
class EspeakEngine:
    """espeak-ng, offline: British English at a fixed, unhurried speed."""

    espeak_voice: str = "en-gb"
    words_per_minute: int = 150
    name: ClassVar[str] = "espeak"

    @property
    def voice(self) -> str:
        return self.espeak_voice

    def settings(self) -> dict[str, Any]:
        """What changes the sound."""
        return {"engine": self.name, "voice": self.espeak_voice, "wpm": self.words_per_minute}

    def render(self, text: str, workdir: Path) -> Path:
        """Speak the text to a WAV file."""
        out = workdir / "espeak.wav"
        # Text goes in on stdin (never argv): no length limit, no option injection.
        run_tool(
            [
                "espeak-ng",
                "-v",
                self.espeak_voice,
                "-s",
                str(self.words_per_minute),
                "-b",
                "1",
                "-w",
                str(out),
                "--stdin",
            ],
            "espeak-ng",
            stdin=text.encode("utf-8"),
        )
        return out


ENGINES: dict[str, Callable[[], Engine]] = {"gtts": GttsEngine, "espeak": EspeakEngine}


def settings_sha256(engine: Engine, transcode_args: Sequence[str] = TRANSCODE_ARGS) -> str:
    """Hash of everything besides the text that changes a clip's sound."""
    settings = {**engine.settings(), "ffmpeg": list(transcode_args)}
    return sha256_hex(json.dumps(settings, sort_keys=True).encode())


def transcode(source: Path, target: Path, transcode_args: Sequence[str] = TRANSCODE_ARGS) -> None:
    """Re-encode any audio file with ffmpeg to the clip format."""
    run_tool(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(source),
            *transcode_args,
            str(target),
        ],
        "ffmpeg",
    )


def run_tool(command: list[str], tool: str, stdin: bytes | None = None) -> None:
    """Run a tool with a timeout; its failure becomes one readable line."""
    try:
        subprocess.run(
            command, input=stdin, capture_output=True, check=True, timeout=SUBPROCESS_TIMEOUT_S
        )
    except FileNotFoundError as err:
        raise EngineUnavailable(f"{tool} is not installed (apt-get install {tool})") from err
    except subprocess.TimeoutExpired as err:
        raise NarrationError(f"{tool} took longer than {SUBPROCESS_TIMEOUT_S:.0f} s") from err
    except subprocess.CalledProcessError as err:
        detail = err.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NarrationError(
            f"{tool} failed (exit {err.returncode}): {detail[-1] if detail else 'no output'}"
        ) from err
