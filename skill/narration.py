"""Narration of the static spoken content: clips made to Alexa's audio spec, published to S3."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TextIO
from urllib.parse import urlsplit

from skill.content import Content, load_content

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
DEFAULT_AUDIO_DIR = Path("audio")
DEFAULT_PREFIX = "audio"

# Alexa's <audio> spec (ALEXA.md, "Audio in SSML"): MPEG-2 layer III, 48 kbps, 24 kHz; one
# clip must fit in the 240 s a response may carry.
MAX_DURATION_S = 240.0
FORMAT = {
    "container": "mp3",
    "mpeg_version": "2",
    "layer": 3,
    "bitrate_kbps": 48,
    "sample_rate_hz": 24000,
    "channels": 1,
    "max_duration_s": MAX_DURATION_S,
}
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

# Objects are named by their content (see clip_file_name), so a URL never changes meaning and
# may be cached for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"
SHA256_METADATA = "sha256"


class NarrationError(Exception):
    """Why a build or publish stopped, in one line a person can act on."""


class EngineUnavailable(NarrationError):
    """The speech engine cannot be reached or run (no network, binary missing)."""


class ClipSpecError(NarrationError):
    """A rendered file does not meet Alexa's audio spec; it is never written."""


# --- What is narrated ------------------------------------------------------------------------


@dataclass(frozen=True)
class Clip:
    """One piece of static content to narrate: a content key, a file stem and the text."""

    key: str
    stem: str
    text: str


def static_clips(content: Content) -> list[Clip]:
    """The fixed narration: each stage description and each welcome variant, nothing else.

    Only content is read here: answers and names never reach this module, because Amazon
    forbids customer data in audio files and gTTS sends its text to Google.
    """
    clips = [
        Clip(
            f"stage.{stage.number}.description",
            f"stage-{stage.number}-description",
            stage.description,
        )
        for stage in content.stages
    ]
    clips += [
        Clip(f"onboarding.welcome.{index}", f"onboarding-welcome-{index}", text)
        for index, text in enumerate(content.prompts["onboarding.welcome"])
    ]
    return clips


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256, the hash used throughout the manifest."""
    return hashlib.sha256(data).hexdigest()


def clip_file_name(stem: str, audio: bytes) -> str:
    """Content-addressed name: a changed clip gets a new URL, so immutable caching stays true."""
    return f"{stem}-{sha256_hex(audio)[:12]}.mp3"


# --- Engines ---------------------------------------------------------------------------------


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
    name: ClassVar[str] = "gtts"

    @property
    def voice(self) -> str:
        return f"{self.lang}@translate.google.{self.tld}"

    def settings(self) -> dict[str, Any]:
        """What changes the sound (the timeout does not)."""
        return {"engine": self.name, "lang": self.lang, "tld": self.tld}

    def render(self, text: str, workdir: Path) -> Path:
        """Fetch the speech as MP3 from Google; EngineUnavailable when it cannot be reached."""
        # Imported here: gTTS is the optional [audio] extra, and espeak builds do not need it.
        from gtts import gTTS, gTTSError

        out = workdir / "gtts.mp3"
        try:
            with out.open("wb") as fp:
                gTTS(text, lang=self.lang, tld=self.tld, timeout=self.timeout).write_to_fp(fp)
        except gTTSError as err:
            raise EngineUnavailable(
                f"gTTS failed at translate.google.{self.tld} ({err}); check the network, "
                "or build offline with --engine espeak"
            ) from err
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
        _run(
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


def _run(command: list[str], tool: str, stdin: bytes | None = None) -> None:
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


# --- The MP3 check ---------------------------------------------------------------------------

_VERSIONS = {0b00: "2.5", 0b10: "2", 0b11: "1"}
_LAYERS = {0b01: 3, 0b10: 2, 0b11: 1}
# Layer III bitrates (kbps) by index, for MPEG-1 and for MPEG-2/2.5.
_BITRATES_L3 = {
    "1": (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    "2": (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {
    "1": (44100, 48000, 32000),
    "2": (22050, 24000, 16000),
    "2.5": (11025, 12000, 8000),
}
_MODES = ("stereo", "joint stereo", "dual channel", "mono")


@dataclass(frozen=True)
class Mp3Info:
    """What the frame headers of an MP3 file say, the first frame's format first."""

    mpeg_version: str
    layer: int
    bitrate_kbps: int
    sample_rate_hz: int
    mode: str
    frames: int
    # Byte offset of the first frame whose format differs from the first frame's, if any.
    format_changes_at: int | None = None

    @property
    def duration_s(self) -> float:
        # A layer III frame holds 1152 samples in MPEG-1 and 576 in MPEG-2/2.5.
        samples = 1152 if self.mpeg_version == "1" else 576
        return self.frames * samples / self.sample_rate_hz


_Format = tuple[str, int, int, int, str]


def _frame_header(data: bytes, offset: int) -> tuple[_Format, int]:
    """Decode the 4-byte frame header at offset: the stream's format, and the frame's length."""
    if len(data) < offset + 4 or data[offset] != 0xFF or data[offset + 1] & 0xE0 != 0xE0:
        raise ClipSpecError(f"no MP3 frame at byte {offset}")
    b1, b2, b3 = data[offset + 1], data[offset + 2], data[offset + 3]
    version = _VERSIONS.get((b1 >> 3) & 0b11)
    layer = _LAYERS.get((b1 >> 1) & 0b11)
    if version is None or layer != 3:
        raise ClipSpecError(f"not an MPEG layer III frame at byte {offset}")
    bitrate_index, rate_index = b2 >> 4, (b2 >> 2) & 0b11
    if bitrate_index in (0, 15) or rate_index == 3:
        raise ClipSpecError(f"free-format or invalid frame header at byte {offset}")
    bitrate = _BITRATES_L3["1" if version == "1" else "2"][bitrate_index]
    rate = _SAMPLE_RATES[version][rate_index]
    padding = (b2 >> 1) & 1
    per_kbit = 144 if version == "1" else 72  # bytes per frame = per_kbit * bitrate / rate
    length = per_kbit * bitrate * 1000 // rate + padding
    return (version, layer, bitrate, rate, _MODES[b3 >> 6]), length


def read_mp3(data: bytes) -> Mp3Info:
    """Walk every frame after any ID3v2 tag, counting them and noting any change of format."""
    offset = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]  # syncsafe
        offset = 10 + size + (10 if data[5] & 0x10 else 0)  # footer flag
    first, _ = _frame_header(data, offset)
    frames, changes_at = 0, None
    while offset < len(data):
        if data[offset : offset + 3] == b"TAG" and len(data) - offset == 128:
            break  # an ID3v1 tag closes the file
        header, length = _frame_header(data, offset)
        if header != first and changes_at is None:
            changes_at = offset
        if offset + length > len(data):
            raise ClipSpecError(f"truncated frame at byte {offset}")
        frames += 1
        offset += length
    return Mp3Info(*first, frames=frames, format_changes_at=changes_at)


def check_clip(data: bytes, name: str = "clip") -> Mp3Info:
    """Alexa's spec, checked on the bytes; ClipSpecError lists every way a file misses it."""
    info = read_mp3(data)
    problems = []
    if info.mpeg_version != FORMAT["mpeg_version"]:
        problems.append(f"MPEG-{info.mpeg_version} (need MPEG-2)")
    if info.bitrate_kbps != FORMAT["bitrate_kbps"]:
        problems.append(f"{info.bitrate_kbps} kbps (need 48)")
    if info.sample_rate_hz != FORMAT["sample_rate_hz"]:
        problems.append(f"{info.sample_rate_hz} Hz (need 24000)")
    if info.mode != "mono":
        problems.append(f"{info.mode} (need mono)")
    if info.format_changes_at is not None:
        problems.append(f"format changes at byte {info.format_changes_at} (need constant bitrate)")
    if info.duration_s > MAX_DURATION_S:
        problems.append(f"{info.duration_s:.1f} s long (at most {MAX_DURATION_S:.0f})")
    if problems:
        raise ClipSpecError(f"{name} does not meet Alexa's audio spec: {', '.join(problems)}")
    return info


# --- Files and the manifest ------------------------------------------------------------------


@contextmanager
def _temp_beside(path: Path) -> Iterator[Path]:
    """A temp path in the target's directory (so os.replace is atomic), removed if left over."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    temp = Path(name)
    # mkstemp makes the file private (0600); clips and manifest are public, and are read by
    # whichever user runs the skill.
    temp.chmod(0o644)
    try:
        yield temp
    finally:
        temp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never a partial one."""
    with _temp_beside(path) as temp:
        with temp.open("wb") as fp:
            fp.write(data)
            fp.flush()
            os.fsync(fp.fileno())
        os.replace(temp, path)


def empty_manifest() -> dict[str, Any]:
    """A manifest with no clips yet."""
    return {"version": MANIFEST_VERSION, "format": dict(FORMAT), "clips": {}}


def load_manifest(path: Path) -> dict[str, Any]:
    """The manifest at path, or an empty one if there is none."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return empty_manifest()
    except (OSError, ValueError) as err:
        raise NarrationError(f"cannot read {path}: {err}; delete it to rebuild") from err
    if not isinstance(manifest, dict) or manifest.get("version") != MANIFEST_VERSION:
        raise NarrationError(f"{path} is not a version {MANIFEST_VERSION} manifest")
    return manifest


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Stable, reviewable JSON (sorted keys, one field a line), written atomically."""
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(path, text.encode("utf-8"))


def stale_clips(content: Content, manifest_path: Path, *, check_files: bool = True) -> list[str]:
    """Keys whose clip is missing or was rendered from different text: they need a build."""
    manifest = load_manifest(manifest_path)
    stale = []
    for clip in static_clips(content):
        entry = manifest["clips"].get(clip.key)
        if (
            entry is None
            or entry.get("text_sha256") != sha256_hex(clip.text.encode("utf-8"))
            or (check_files and not (manifest_path.parent / entry["file"]).is_file())
        ):
            stale.append(clip.key)
    return stale


# --- Build -----------------------------------------------------------------------------------


@dataclass
class BuildReport:
    """Which clips a build rendered and which it left as they were."""

    rendered: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# Only files that look like ours are ever deleted from the audio folder.
_CLIP_FILE = re.compile(r"^[a-z0-9-]+-[0-9a-f]{12}\.mp3$")


def _progress(out: TextIO, done: int, total: int, key: str) -> None:
    """One line that counts up on a terminal; one line per clip in a log."""
    line = f"rendering {done}/{total} {key}"
    if out.isatty():
        out.write(f"\r\x1b[K{line}" + ("\n" if done == total else ""))
    else:
        out.write(line + "\n")
    out.flush()


def transcode(source: Path, target: Path, transcode_args: Sequence[str] = TRANSCODE_ARGS) -> None:
    """Re-encode any audio file with ffmpeg to the clip format."""
    _run(
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


def build(
    clips: Sequence[Clip],
    audio_dir: Path,
    engine: Engine,
    *,
    force: bool = False,
    transcode_args: Sequence[str] = TRANSCODE_ARGS,
    progress: TextIO | None = None,
) -> BuildReport:
    """Render the clips whose text or voice settings changed (all with force); keep the rest.

    The manifest is rewritten after each clip, so an interrupted build keeps what it finished,
    and a superseded file is deleted only once the manifest no longer names it.
    """
    audio_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = audio_dir / MANIFEST_NAME
    manifest = load_manifest(manifest_path)
    manifest["format"] = dict(FORMAT)
    settings_hash = settings_sha256(engine, transcode_args)
    report = BuildReport()
    todo = []
    for clip in clips:
        entry = manifest["clips"].get(clip.key)
        current = (
            entry is not None
            and entry.get("text_sha256") == sha256_hex(clip.text.encode("utf-8"))
            and entry.get("settings_sha256") == settings_hash
            and (audio_dir / entry["file"]).is_file()
        )
        if current and not force:
            report.unchanged.append(clip.key)
        else:
            todo.append(clip)
    out = progress if progress is not None else sys.stderr
    try:
        for done, clip in enumerate(todo, start=1):
            _progress(out, done, len(todo), clip.key)
            manifest["clips"][clip.key] = _render_clip(
                clip, audio_dir, engine, transcode_args, settings_hash
            )
            write_manifest(manifest_path, manifest)
            report.rendered.append(clip.key)
    finally:
        if out.isatty() and len(report.rendered) < len(todo):
            out.write("\n")  # end the counter's line, so an error prints on a line of its own
    # Keys no longer in the content leave the manifest; then files nothing names go.
    wanted = {clip.key for clip in clips}
    manifest["clips"] = {k: v for k, v in manifest["clips"].items() if k in wanted}
    write_manifest(manifest_path, manifest)
    named = {entry["file"] for entry in manifest["clips"].values()}
    for path in audio_dir.iterdir():
        if _CLIP_FILE.match(path.name) and path.name not in named:
            path.unlink()
    return report


def _render_clip(
    clip: Clip, audio_dir: Path, engine: Engine, transcode_args: Sequence[str], settings_hash: str
) -> dict[str, Any]:
    """Speak, transcode, check, then move into place; a failing file is never written."""
    with tempfile.TemporaryDirectory(prefix="stagewise-audio-") as work:
        raw = engine.render(clip.text, Path(work))
        with _temp_beside(audio_dir / f"{clip.stem}.mp3") as encoded:
            transcode(raw, encoded, transcode_args)
            audio = encoded.read_bytes()
            info = check_clip(audio, clip.key)
            name = clip_file_name(clip.stem, audio)
            os.replace(encoded, audio_dir / name)
    return {
        "file": name,
        "text_sha256": sha256_hex(clip.text.encode("utf-8")),
        "settings_sha256": settings_hash,
        "audio_sha256": sha256_hex(audio),
        "engine": engine.name,
        "voice": engine.voice,
        "duration_s": round(info.duration_s, 2),
        "bytes": len(audio),
    }


# --- Publish ---------------------------------------------------------------------------------


@dataclass
class PublishReport:
    """Where the clips now live, and which objects this run wrote."""

    base_url: str
    uploaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def s3_client(endpoint_url: str | None = None) -> S3Client:
    """An S3 client from the usual AWS chain, with explicit timeouts and bounded retries."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=5, read_timeout=30, retries={"mode": "standard", "total_max_attempts": 3}
    )
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)


def base_url(s3: S3Client, bucket: str, prefix: str) -> str:
    """The URL the skill prefixes to a clip's file name (no trailing slash)."""
    endpoint = s3.meta.endpoint_url
    host = urlsplit(endpoint).hostname or ""
    if host == "amazonaws.com" or host.endswith(".amazonaws.com"):
        root = f"https://{bucket}.s3.amazonaws.com"
    else:  # a local or other S3-compatible server: path-style, as boto3 addresses it there
        root = f"{endpoint.rstrip('/')}/{bucket}"
    return f"{root}/{prefix}" if prefix else root


def publish(audio_dir: Path, bucket: str, prefix: str, s3: S3Client) -> PublishReport:
    """Upload the manifest's clips whose bytes S3 does not already hold; return the base URL."""
    from botocore.exceptions import BotoCoreError, ClientError

    prefix = prefix.strip("/")
    manifest = load_manifest(audio_dir / MANIFEST_NAME)
    if not manifest["clips"]:
        raise NarrationError(
            f"no clips in {audio_dir / MANIFEST_NAME}; run `stagewise audio build`"
        )
    report = PublishReport(base_url=base_url(s3, bucket, prefix))
    for key, entry in sorted(manifest["clips"].items()):
        path = audio_dir / entry["file"]
        try:
            audio = path.read_bytes()
        except OSError as err:
            raise NarrationError(f"{path}: {err.strerror}; run `stagewise audio build`") from err
        digest = sha256_hex(audio)
        if digest != entry.get("audio_sha256"):
            raise NarrationError(f"{path} differs from the manifest; run `stagewise audio build`")
        check_clip(audio, key)  # never publish a file Alexa would refuse
        object_key = f"{prefix}/{entry['file']}" if prefix else entry["file"]
        try:
            # A SHA-256 in the object's metadata, not the ETag: the ETag is not an MD5 under
            # SSE-KMS or multipart uploads.
            if _stored_sha256(s3, bucket, object_key) == digest:
                report.unchanged.append(entry["file"])
                continue
            s3.put_object(
                Bucket=bucket,
                Key=object_key,
                Body=audio,
                ContentType="audio/mpeg",
                CacheControl=CACHE_CONTROL,
                Metadata={SHA256_METADATA: digest},
            )
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "unknown")
            raise NarrationError(f"S3 refused {object_key} in bucket {bucket}: {code}") from err
        except BotoCoreError as err:
            raise NarrationError(f"cannot reach S3: {err}") from err
        report.uploaded.append(entry["file"])
    return report


def _stored_sha256(s3: S3Client, bucket: str, key: str) -> str | None:
    """The content hash recorded on an existing object, or None if there is no object."""
    from botocore.exceptions import ClientError

    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return head.get("Metadata", {}).get(SHA256_METADATA)


# --- Command line ----------------------------------------------------------------------------


def add_arguments(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `audio build` and `audio publish` on the stagewise command."""
    audio = subparsers.add_parser("audio", help="build and publish narration clips")
    commands = audio.add_subparsers(dest="audio_command", required=True)

    build_cmd = commands.add_parser("build", help="render changed narration clips into audio/")
    build_cmd.add_argument(
        "--engine",
        choices=sorted(ENGINES),
        default="gtts",
        help="gtts (needs the internet; default) or espeak (offline)",
    )
    build_cmd.add_argument("--force", action="store_true", help="re-render every clip")
    build_cmd.add_argument(
        "--audio-dir",
        type=Path,
        default=DEFAULT_AUDIO_DIR,
        help="where clips and manifest.json live (default: ./audio)",
    )
    build_cmd.set_defaults(func=main_build)

    publish_cmd = commands.add_parser("publish", help="upload changed clips to S3")
    publish_cmd.add_argument("--bucket", required=True)
    publish_cmd.add_argument(
        "--prefix",
        default=DEFAULT_PREFIX,
        help=f"key prefix in the bucket (default: {DEFAULT_PREFIX})",
    )
    publish_cmd.add_argument(
        "--audio-dir",
        type=Path,
        default=DEFAULT_AUDIO_DIR,
        help="where clips and manifest.json live (default: ./audio)",
    )
    publish_cmd.add_argument(
        "--endpoint-url", help="an S3-compatible server instead of AWS (local testing)"
    )
    publish_cmd.set_defaults(func=main_publish)


def main_build(args: argparse.Namespace) -> int:
    """`stagewise audio build`: 0 when every clip is current, 1 with one line on failure."""
    if shutil.which("ffmpeg") is None:
        return _fail("build", "ffmpeg is not installed (Debian: apt-get install ffmpeg)")
    try:
        clips = static_clips(load_content())
        report = build(clips, args.audio_dir, ENGINES[args.engine](), force=args.force)
    except NarrationError as err:
        return _fail("build", str(err))
    print(
        f"{len(report.rendered)} rendered, {len(report.unchanged)} unchanged: "
        f"{args.audio_dir / MANIFEST_NAME}"
    )
    return 0


def main_publish(args: argparse.Namespace) -> int:
    """`stagewise audio publish`: prints the base URL for STAGEWISE_AUDIO_BASE_URL."""
    from botocore.exceptions import BotoCoreError

    try:
        report = publish(args.audio_dir, args.bucket, args.prefix, s3_client(args.endpoint_url))
    except NarrationError as err:
        return _fail("publish", str(err))
    except BotoCoreError as err:  # e.g. no credentials, raised before any request
        return _fail("publish", f"cannot use S3: {err}")
    print(f"{len(report.uploaded)} uploaded, {len(report.unchanged)} unchanged", file=sys.stderr)
    print(report.base_url)
    return 0


def _fail(command: str, message: str) -> int:
    print(f"stagewise audio {command}: {message}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m skill.narration audio build ...`, the same commands without skill.cli."""
    parser = argparse.ArgumentParser(prog="stagewise")
    add_arguments(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
