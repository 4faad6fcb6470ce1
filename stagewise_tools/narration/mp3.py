"""Alexa's audio spec, checked on an MP3 file's bytes by walking its frame headers."""

from __future__ import annotations

from dataclasses import dataclass

from stagewise_tools.narration.errors import ClipSpecError

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
