"""audio/manifest.json: which clip renders which text in which voice; written atomically."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from skill.content import Content
from stagewise_tools.narration.errors import NarrationError
from stagewise_tools.narration.mp3 import FORMAT
from stagewise_tools.narration.texts import static_clips

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256, the hash used throughout the manifest."""
    return hashlib.sha256(data).hexdigest()


def clip_file_name(stem: str, audio: bytes) -> str:
    """Content-addressed name: a changed clip gets a new URL, so immutable caching stays true."""
    return f"{stem}-{sha256_hex(audio)[:12]}.mp3"


@contextmanager
def temp_beside(path: Path) -> Iterator[Path]:
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
    with temp_beside(path) as temp:
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
