"""Narration: espeak-ng and ffmpeg run for real, gTTS is stubbed at HTTP, S3 is moto over HTTP."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import gtts
import pytest
import requests
from botocore.config import Config

from skill.content import load_content, placeholders
from stagewise_tools.narration import cli, engines
from stagewise_tools.narration.build import BuildReport, build
from stagewise_tools.narration.engines import TRANSCODE_ARGS, EspeakEngine, GttsEngine
from stagewise_tools.narration.errors import ClipSpecError, NarrationError
from stagewise_tools.narration.manifest import MANIFEST_NAME, sha256_hex, stale_clips
from stagewise_tools.narration.mp3 import MAX_DURATION_S, check_clip
from stagewise_tools.narration.publish import CACHE_CONTROL, base_url, publish
from stagewise_tools.narration.texts import ClipText, static_clips
from stagewise_tools.narration.verified_gtts import TESTED_GTTS, require_tested_gtts
from tests.audio_fakes import (
    FakeGoogle,
    LoopbackCertificates,
    fake_google,
    google_reply,
    make_certificates,
    needs_tools,
    sine_mp3,
    text_sent,
)

COMMITTED_AUDIO = Path(__file__).resolve().parents[1] / "audio"
# moto can be slow on its first calls; the production client's timeouts are for AWS.
S3_TEST_CONFIG = Config(
    connect_timeout=2, read_timeout=10, retries={"mode": "standard", "total_max_attempts": 2}
)


def ffprobe_duration(path: Path) -> float:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return float(result.stdout)


def read_manifest(audio_dir: Path) -> dict[str, Any]:
    return json.loads((audio_dir / MANIFEST_NAME).read_text(encoding="utf-8"))


@pytest.fixture
def welcome_clips() -> list[ClipText]:
    """The two short welcome clips: real static content, quick to render."""
    return [c for c in static_clips(load_content()) if c.key.startswith("onboarding.welcome.")]


def quiet_build(
    clips: list[ClipText], audio_dir: Path, engine: Any = None, **kw: Any
) -> BuildReport:
    return build(clips, audio_dir, engine or EspeakEngine(), progress=io.StringIO(), **kw)


# --- What is narrated ------------------------------------------------------------------------


def test_only_static_content_is_narrated() -> None:
    content = load_content()
    clips = static_clips(content)
    expected = {f"stage.{s.number}.description": s.description for s in content.stages}
    welcome = content.prompts["onboarding.welcome"]
    expected |= {f"onboarding.welcome.{i}": text for i, text in enumerate(welcome)}
    assert {c.key: c.text for c in clips} == expected
    # Placeholders are where names and answers would enter: no narrated text has one.
    assert all(not placeholders(c.text) for c in clips)
    assert [c.stem for c in clips][:6] == [f"stage-{n}-description" for n in range(1, 7)]


# --- The MP3 check ---------------------------------------------------------------------------


@needs_tools
def test_a_file_made_to_spec_passes(tmp_path: Path) -> None:
    path = tmp_path / "ok.mp3"
    info = check_clip(sine_mp3(path, 3, *TRANSCODE_ARGS[:-2]))
    assert (info.mpeg_version, info.layer, info.bitrate_kbps, info.sample_rate_hz, info.mode) == (
        "2",
        3,
        48,
        24000,
        "mono",
    )
    assert info.duration_s == pytest.approx(ffprobe_duration(path), abs=0.05)


@needs_tools
def test_cd_quality_stereo_is_refused(tmp_path: Path) -> None:
    data = sine_mp3(
        tmp_path / "cd.mp3", 2, "-ac", "2", "-codec:a", "libmp3lame", "-b:a", "128k", "-ar", "44100"
    )
    with pytest.raises(ClipSpecError) as refused:
        check_clip(data, "cd.mp3")
    message = str(refused.value)
    for problem in ("MPEG-1", "128 kbps", "44100 Hz", "stereo"):
        assert problem in message


@needs_tools
def test_a_clip_over_240_seconds_is_refused(tmp_path: Path) -> None:
    data = sine_mp3(tmp_path / "long.mp3", 241, *TRANSCODE_ARGS[:-2])
    with pytest.raises(ClipSpecError, match=r"long.mp3 does not meet .*: 241\.\d s") as refused:
        check_clip(data, "long.mp3")
    assert "kbps" not in str(refused.value)  # the format is right; only the length is not


@needs_tools
def test_an_info_frame_of_another_bitrate_is_refused(tmp_path: Path) -> None:
    # ffmpeg's default Xing/Info frame is 64 kbps: the first frame would not read as 48 kbps.
    args = list(TRANSCODE_ARGS[:-2])
    del args[args.index("-write_xing") : args.index("-write_xing") + 2]
    with pytest.raises(ClipSpecError, match="64 kbps"):
        check_clip(sine_mp3(tmp_path / "xing.mp3", 2, *args))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an mp3 at all",
        b"ID3\x04\x00\x00\x00\x00\x00\x05hello",
        b"\xff\xf3\x64\xc4" + b"\0" * 20,
    ],
    ids=["empty", "text", "id3-only", "truncated-frame"],
)
def test_bytes_that_are_not_a_clip_are_refused(data: bytes) -> None:
    with pytest.raises(ClipSpecError):
        check_clip(data)


@needs_tools
def test_build_never_writes_a_clip_off_spec(tmp_path: Path, welcome_clips: list[ClipText]) -> None:
    cd_quality = ("-ac", "2", "-codec:a", "libmp3lame", "-b:a", "128k", "-ar", "44100", "-f", "mp3")
    with pytest.raises(ClipSpecError):
        quiet_build(welcome_clips, tmp_path, transcode_args=cd_quality)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- Build: only what changed ----------------------------------------------------------------


@needs_tools
def test_a_second_build_renders_nothing(tmp_path: Path, welcome_clips: list[ClipText]) -> None:
    first = quiet_build(welcome_clips, tmp_path)
    before = read_manifest(tmp_path)
    second = quiet_build(welcome_clips, tmp_path)
    assert first.rendered == [c.key for c in welcome_clips]
    assert (second.rendered, second.unchanged) == ([], first.rendered)
    assert read_manifest(tmp_path) == before
    for entry in before["clips"].values():
        audio = (tmp_path / entry["file"]).read_bytes()
        assert check_clip(audio).duration_s == pytest.approx(entry["duration_s"], abs=0.01)
        assert (entry["engine"], entry["voice"], entry["bytes"]) == ("espeak", "en-gb", len(audio))


@needs_tools
def test_changed_text_rerenders_exactly_that_clip(
    tmp_path: Path, welcome_clips: list[ClipText]
) -> None:
    quiet_build(welcome_clips, tmp_path)
    before = read_manifest(tmp_path)["clips"]
    edited = [
        dataclasses.replace(welcome_clips[0], text="Welcome to Stagewise, you two."),
        welcome_clips[1],
    ]
    report = quiet_build(edited, tmp_path)
    after = read_manifest(tmp_path)["clips"]
    first, second = (c.key for c in welcome_clips)
    assert report.rendered == [first]
    assert after[second] == before[second]
    # A new file name, so a cache holding the old URL cannot serve the old words.
    assert after[first]["file"] != before[first]["file"]
    # The folder holds exactly the manifest's clips: the superseded file is gone.
    on_disk = sorted(p.name for p in tmp_path.glob("*.mp3"))
    assert on_disk == sorted(e["file"] for e in after.values())


@needs_tools
def test_a_new_voice_rerenders_everything(tmp_path: Path, welcome_clips: list[ClipText]) -> None:
    quiet_build(welcome_clips, tmp_path)
    report = quiet_build(welcome_clips, tmp_path, EspeakEngine(words_per_minute=170))
    assert report.rendered == [c.key for c in welcome_clips]


@needs_tools
def test_force_rerenders_the_same_bytes(tmp_path: Path, welcome_clips: list[ClipText]) -> None:
    quiet_build(welcome_clips, tmp_path)
    before = read_manifest(tmp_path)
    report = quiet_build(welcome_clips, tmp_path, force=True)
    assert report.rendered == [c.key for c in welcome_clips]
    assert read_manifest(tmp_path) == before  # bitexact: same input, same file, same URL


@needs_tools
def test_clips_no_longer_in_the_content_are_dropped(
    tmp_path: Path, welcome_clips: list[ClipText]
) -> None:
    quiet_build(welcome_clips, tmp_path)
    quiet_build(welcome_clips[:1], tmp_path)
    clips = read_manifest(tmp_path)["clips"]
    assert list(clips) == [welcome_clips[0].key]
    assert [p.name for p in tmp_path.glob("*.mp3")] == [clips[welcome_clips[0].key]["file"]]


@needs_tools
def test_a_failed_manifest_write_leaves_the_old_manifest_whole(
    tmp_path: Path, welcome_clips: list[ClipText], monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet_build(welcome_clips, tmp_path)
    manifest = tmp_path / MANIFEST_NAME
    before = manifest.read_bytes()
    real_replace = os.replace

    def crash_on_manifest(src: Any, dst: Any) -> None:
        if Path(dst).name == MANIFEST_NAME:
            raise OSError(28, "No space left on device")  # after the temp file is written
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_manifest)
    edited = [dataclasses.replace(welcome_clips[0], text="Hello, and welcome."), welcome_clips[1]]
    with pytest.raises(OSError, match="No space left"):
        quiet_build(edited, tmp_path)
    assert manifest.read_bytes() == before
    assert list(tmp_path.glob(".*")) == []  # no temp file left behind
    # Still consistent: every clip the old manifest names is still there.
    for entry in json.loads(before)["clips"].values():
        assert (tmp_path / entry["file"]).read_bytes()


# --- gTTS, stubbed at its HTTP boundary ------------------------------------------------------


@dataclasses.dataclass
class SentToGoogle:
    url: str
    text: str
    timeout: Any
    verify: Any


@pytest.fixture(scope="module")
def gtts_like_mp3(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """What Google returns: about 32 kbps mono 24 kHz MP3, which the build must re-encode."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("needs ffmpeg (Debian package ffmpeg; CI installs it)")
    path = tmp_path_factory.mktemp("gtts") / "part.mp3"
    return sine_mp3(path, 0.5, "-ac", "1", "-codec:a", "libmp3lame", "-b:a", "32k", "-ar", "24000")


@pytest.fixture
def google_tts(monkeypatch: pytest.MonkeyPatch, gtts_like_mp3: bytes) -> list[SentToGoogle]:
    """Every request gTTS makes lands here instead of on the network; returns what was sent."""
    sent: list[SentToGoogle] = []

    def send(adapter: Any, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        sent.append(
            SentToGoogle(
                str(request.url),
                text_sent(request.body or ""),
                kwargs.get("timeout"),
                kwargs.get("verify"),
            )
        )
        response = requests.Response()
        response.status_code, response.reason = 200, "OK"
        response.url, response.request = str(request.url), request
        response.raw = io.BytesIO(google_reply(gtts_like_mp3))
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    return sent


@needs_tools
def test_gtts_sends_only_static_text_with_a_timeout(
    tmp_path: Path, welcome_clips: list[ClipText], google_tts: list[SentToGoogle]
) -> None:
    report = quiet_build(welcome_clips, tmp_path, GttsEngine())
    assert report.rendered == [c.key for c in welcome_clips]
    assert google_tts, "gTTS made no request"
    for request in google_tts:
        assert urlsplit(request.url).hostname == "translate.google.co.uk"
        assert request.timeout == GttsEngine().timeout
        assert request.verify not in (False, None, "")  # certificates checked
        assert any(request.text in clip.text for clip in welcome_clips), request.text
    for entry in read_manifest(tmp_path)["clips"].values():
        assert entry["engine"] == "gtts"
        check_clip((tmp_path / entry["file"]).read_bytes())  # re-encoded from 32 to 48 kbps


@needs_tools
def test_gtts_unreachable_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_network(adapter: Any, request: requests.PreparedRequest, **kwargs: Any) -> None:
        raise requests.exceptions.ConnectionError("Name or service not known")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", no_network)
    code = cli.main(["audio", "build", "--audio-dir", str(tmp_path)])  # gtts is the default
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    failures = [line for line in err.splitlines() if line.startswith("stagewise audio build:")]
    assert len(failures) == 1
    assert "translate.google.co.uk" in failures[0] and "--engine espeak" in failures[0]
    assert list(tmp_path.iterdir()) == []


# --- gTTS over real TLS, to Google's API faked on loopback ------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> LoopbackCertificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def google_on_loopback(
    certificates: LoopbackCertificates, gtts_like_mp3: bytes, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeGoogle]:
    """`stagewise audio build` (gtts) talks to a local HTTPS server; no CA trusts it yet."""
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    for name in ("no_proxy", "NO_PROXY"):  # straight to loopback, whatever proxy is set
        monkeypatch.setenv(name, "127.0.0.1")
    with fake_google(certificates, gtts_like_mp3) as google:
        monkeypatch.setitem(engines.ENGINES, "gtts", lambda: GttsEngine(endpoint_url=google.url))
        yield google


def build_failures(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("stagewise audio build:")]


@needs_tools
def test_an_untrusted_certificate_fails_the_build_in_one_line(
    tmp_path: Path, google_on_loopback: FakeGoogle, capsys: pytest.CaptureFixture[str]
) -> None:
    audio_dir = tmp_path / "audio"
    code = cli.main(["audio", "build", "--audio-dir", str(audio_dir)])
    err = capsys.readouterr().err
    host = urlsplit(google_on_loopback.url).netloc
    assert code == 1
    assert "Traceback" not in err
    [failure] = build_failures(err)
    assert failure.startswith(f"stagewise audio build: gTTS: TLS certificate not trusted at {host}")
    assert "self-signed certificate in certificate chain" in failure
    assert list(audio_dir.iterdir()) == []  # no clip, no manifest
    assert google_on_loopback.sent == []  # the handshake failed before any text was sent


@needs_tools
def test_a_trusted_certificate_renders_google_audio(
    tmp_path: Path,
    google_on_loopback: FakeGoogle,
    certificates: LoopbackCertificates,
    gtts_like_mp3: bytes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificates.ca))
    audio_dir = tmp_path / "audio"
    assert cli.main(["audio", "build", "--audio-dir", str(audio_dir)]) == 0
    assert "8 rendered, 0 unchanged" in capsys.readouterr().out
    clips = static_clips(load_content())
    # Requests took gTTS's path, and carried only static content.
    paths = {path for path, _ in google_on_loopback.sent}
    assert paths == {"/_/TranslateWebserverUi/data/batchexecute"}
    for _, text in google_on_loopback.sent:
        assert any(text in clip.text for clip in clips), text
    # Each clip is the canned reply once per text part, decoded and re-encoded to spec: a
    # part lost or doubled would change the total by a whole part, more than the tolerance
    # (the re-encode may add one 24 ms frame per clip).
    (tmp_path / "part.mp3").write_bytes(gtts_like_mp3)
    part_s = ffprobe_duration(tmp_path / "part.mp3")
    manifest = read_manifest(audio_dir)["clips"]
    durations = [
        check_clip((audio_dir / e["file"]).read_bytes()).duration_s for e in manifest.values()
    ]
    assert sum(durations) == pytest.approx(
        part_s * len(google_on_loopback.sent), abs=0.05 * len(manifest)
    )
    assert {e["engine"] for e in manifest.values()} == {"gtts"}


@needs_tools
def test_a_ca_bundle_given_to_the_engine_is_trusted(
    tmp_path: Path,
    google_on_loopback: FakeGoogle,
    certificates: LoopbackCertificates,
    welcome_clips: list[ClipText],
) -> None:
    engine = GttsEngine(ca_bundle=str(certificates.ca), endpoint_url=google_on_loopback.url)
    report = quiet_build(welcome_clips, tmp_path, engine)
    assert report.rendered == [c.key for c in welcome_clips]
    assert google_on_loopback.sent


@pytest.mark.parametrize("version", ["2.5.3", "2.6.0", "3.0", "2.5", "unknown"])
def test_an_untested_gtts_version_stops_before_any_request(
    tmp_path: Path,
    version: str,
    google_on_loopback: FakeGoogle,
    certificates: LoopbackCertificates,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificates.ca))
    monkeypatch.setattr(gtts, "__version__", version)
    assert cli.main(["audio", "build", "--audio-dir", str(tmp_path)]) == 1
    [failure] = build_failures(capsys.readouterr().err)
    assert f"gTTS {version} is untested" in failure and f"gtts{TESTED_GTTS}" in failure
    assert google_on_loopback.sent == []


@pytest.mark.parametrize("version", ["2.5.4", "2.5.10"])
def test_tested_gtts_versions_are_accepted(version: str) -> None:
    require_tested_gtts(version)


# --- Publish, to a local S3 over HTTP --------------------------------------------------------


@pytest.fixture
def s3(moto_endpoint: str) -> Any:
    return boto3.session.Session(region_name="us-east-1").client(
        "s3", endpoint_url=moto_endpoint, config=S3_TEST_CONFIG
    )


@pytest.fixture
def bucket(s3: Any) -> str:
    """A bucket set up as the README says: anyone may read objects (Alexa fetches anonymously)."""
    name = f"stagewise-audio-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read))
    return name


@pytest.fixture
def built(tmp_path: Path, welcome_clips: list[ClipText]) -> Path:
    quiet_build(welcome_clips, tmp_path / "audio")
    return tmp_path / "audio"


def count_puts(s3: Any) -> list[str]:
    """One entry per PutObject request this client actually sends."""
    puts: list[str] = []
    s3.meta.events.register("before-call.s3.PutObject", lambda **kw: puts.append(kw["model"].name))
    return puts


@needs_tools
def test_publish_uploads_only_what_s3_lacks(
    built: Path, s3: Any, bucket: str, welcome_clips: list[ClipText], moto_endpoint: str
) -> None:
    files = sorted(e["file"] for e in read_manifest(built)["clips"].values())
    puts = count_puts(s3)

    first = publish(built, bucket, "narration", s3)
    assert first.base_url == f"{moto_endpoint}/{bucket}/narration"
    assert (sorted(first.uploaded), first.unchanged, len(puts)) == (files, [], len(files))
    for name in files:
        served = requests.get(f"{first.base_url}/{name}", timeout=10)
        assert served.status_code == 200
        assert served.headers["Content-Type"] == "audio/mpeg"
        assert served.content == (built / name).read_bytes()
        head = s3.head_object(Bucket=bucket, Key=f"narration/{name}")
        assert head["CacheControl"] == CACHE_CONTROL

    second = publish(built, bucket, "narration", s3)
    assert (second.uploaded, sorted(second.unchanged), len(puts)) == ([], files, len(files))

    quiet_build(
        [dataclasses.replace(welcome_clips[0], text="Welcome back."), welcome_clips[1]], built
    )
    third = publish(built, bucket, "narration", s3)
    assert third.uploaded == [read_manifest(built)["clips"][welcome_clips[0].key]["file"]]


@needs_tools
def test_publish_command_prints_the_base_url(
    built: Path, bucket: str, moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(
        [
            "audio",
            "publish",
            "--bucket",
            bucket,
            "--audio-dir",
            str(built),
            "--endpoint-url",
            moto_endpoint,
        ]
    )
    out = capsys.readouterr()
    assert code == 0
    assert out.out == f"{moto_endpoint}/{bucket}/audio\n"
    assert "2 uploaded, 0 unchanged" in out.err


@needs_tools
def test_publish_to_a_missing_bucket_says_which(built: Path, s3: Any) -> None:
    with pytest.raises(NarrationError, match="NoSuchBucket"):
        publish(built, "no-such-bucket-here", "audio", s3)


@needs_tools
def test_publish_refuses_a_file_the_manifest_does_not_describe(
    built: Path, s3: Any, bucket: str
) -> None:
    entry = next(iter(read_manifest(built)["clips"].values()))
    (built / entry["file"]).write_bytes(b"\xff\xf3\x64\xc4")
    with pytest.raises(NarrationError, match="differs from the manifest"):
        publish(built, bucket, "audio", s3)


@pytest.mark.parametrize(
    ("region", "prefix", "expected"),
    [
        ("us-east-1", "audio", "https://clips.s3.amazonaws.com/audio"),
        ("eu-west-1", "/v1/audio/", "https://clips.s3.amazonaws.com/v1/audio"),
        ("us-east-1", "", "https://clips.s3.amazonaws.com"),
    ],
)
def test_base_url_on_aws_is_https_virtual_host(
    aws_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    region: str,
    prefix: str,
    expected: str,
) -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.session.Session(region_name=region).client("s3")
    assert base_url(client, "clips", prefix.strip("/")) == expected


# --- The committed clips ---------------------------------------------------------------------


def test_committed_clips_match_the_content() -> None:
    stale = stale_clips(load_content(), COMMITTED_AUDIO / MANIFEST_NAME)
    assert stale == [], (
        f"narration is stale for {stale}: run `stagewise audio build --engine espeak` "
        "(or gtts) and commit audio/"
    )


def test_stale_clips_notices_an_edited_description() -> None:
    content = load_content()
    stage = content.stages[2]._replace(description="A new description.")
    edited = content._replace(stages=(*content.stages[:2], stage, *content.stages[3:]))
    assert stale_clips(edited, COMMITTED_AUDIO / MANIFEST_NAME) == ["stage.3.description"]


def test_committed_clips_meet_alexas_spec_in_one_voice() -> None:
    manifest = read_manifest(COMMITTED_AUDIO)
    entries = manifest["clips"].values()
    assert len({e["settings_sha256"] for e in entries}) == 1, "clips from more than one voice"
    for key, entry in manifest["clips"].items():
        audio = (COMMITTED_AUDIO / entry["file"]).read_bytes()
        assert sha256_hex(audio) == entry["audio_sha256"], key
        info = check_clip(audio, key)
        assert info.duration_s == pytest.approx(entry["duration_s"], abs=0.01)
    assert sorted(p.name for p in COMMITTED_AUDIO.glob("*.mp3")) == sorted(
        e["file"] for e in entries
    )


@needs_tools
def test_full_offline_build_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a new user runs with no internet: six stage clips and the welcome, to spec."""
    assert cli.main(["audio", "build", "--engine", "espeak", "--audio-dir", str(tmp_path)]) == 0
    assert "8 rendered, 0 unchanged" in capsys.readouterr().out
    clips = read_manifest(tmp_path)["clips"]
    committed = read_manifest(COMMITTED_AUDIO)["clips"]
    assert sorted(clips) == sorted(c.key for c in static_clips(load_content()))
    for key, entry in clips.items():
        path = tmp_path / entry["file"]
        info = check_clip(path.read_bytes(), key)
        assert 0 < info.duration_s <= MAX_DURATION_S
        assert info.duration_s == pytest.approx(ffprobe_duration(path), abs=0.05)
        assert entry["text_sha256"] == committed[key]["text_sha256"]
        if committed[key]["engine"] == "espeak":
            assert entry["settings_sha256"] == committed[key]["settings_sha256"]
