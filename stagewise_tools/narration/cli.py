"""`stagewise audio build|publish`: the narration tooling on the command line."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from skill.content import load_content
from stagewise_tools.narration.build import build
from stagewise_tools.narration.engines import ENGINES
from stagewise_tools.narration.errors import NarrationError
from stagewise_tools.narration.manifest import MANIFEST_NAME
from stagewise_tools.narration.publish import publish, s3_client
from stagewise_tools.narration.texts import static_clips

DEFAULT_AUDIO_DIR = Path("audio")
DEFAULT_PREFIX = "audio"


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
    """`python -m stagewise_tools.narration audio build ...`: the audio commands alone."""
    parser = argparse.ArgumentParser(prog="stagewise")
    add_arguments(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))
