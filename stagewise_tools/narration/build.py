"""Render the clips whose text or voice changed, to spec, and keep the manifest in step."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from stagewise_tools.narration.engines import TRANSCODE_ARGS, Engine, settings_sha256, transcode
from stagewise_tools.narration.manifest import (
    MANIFEST_NAME,
    clip_file_name,
    load_manifest,
    sha256_hex,
    temp_beside,
    write_manifest,
)
from stagewise_tools.narration.mp3 import FORMAT, check_clip
from stagewise_tools.narration.texts import ClipText


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


def build(
    clips: Sequence[ClipText],
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
    clip: ClipText,
    audio_dir: Path,
    engine: Engine,
    transcode_args: Sequence[str],
    settings_hash: str,
) -> dict[str, Any]:
    """Speak, transcode, check, then move into place; a failing file is never written."""
    with tempfile.TemporaryDirectory(prefix="stagewise-audio-") as work:
        raw = engine.render(clip.text, Path(work))
        with temp_beside(audio_dir / f"{clip.stem}.mp3") as encoded:
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
