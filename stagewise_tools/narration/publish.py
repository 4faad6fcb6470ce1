"""Upload the built clips to S3, content-addressed and cached for a year."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from stagewise_tools.narration.errors import NarrationError
from stagewise_tools.narration.manifest import MANIFEST_NAME, load_manifest, sha256_hex
from stagewise_tools.narration.mp3 import check_clip

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Objects are named by their content (see manifest.clip_file_name), so a URL never changes
# meaning and may be cached for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"
SHA256_METADATA = "sha256"


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

    from skill.config import aws_region

    config = Config(
        connect_timeout=5, read_timeout=30, retries={"mode": "standard", "total_max_attempts": 3}
    )
    session = boto3.session.Session(region_name=aws_region())
    return session.client("s3", endpoint_url=endpoint_url, config=config)


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
