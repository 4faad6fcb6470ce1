"""Narration tooling: render the static content as clips to Alexa's spec, and publish them.

Build-time only: a Lambda turn never imports this package. The runtime reads which clips
exist from `skill.narration_clips`, and nothing else about narration.

- `texts`: which static content is narrated (never names or answers)
- `engines`: the voices (gTTS, espeak-ng) and the transcode to the clip format
- `verified_gtts`: gTTS's requests sent with TLS certificate verification
- `mp3`: the MP3 frame reader and Alexa's audio spec check
- `manifest`: the manifest and atomic file writes; which clips are stale
- `build`: render what changed
- `publish`: upload to S3
- `cli`: `stagewise audio build|publish`
"""
