"""Issue 5, item 6: the size of the Lambda bundle.

Measures: what `stagewise package` (through lambda/build.sh) puts in the Lambda bundle (the
`skill` runtime package and the dependencies a turn imports that the Lambda runtime lacks),
unzipped with bytecode counted apart, and the deployment zip Lambda is given (issue 14's
target); the build is removed afterwards. Against: nothing (the baseline has no bundle);
the largest distributions are named, and a miss says which package costs most.
Target: the zip ≤ 5 MB.
"""

from __future__ import annotations

import shutil
import zipfile
from collections import Counter
from pathlib import Path

from bench.driver import BenchError
from bench.harness import REPO, Bench
from bench.processes import run_bounded
from bench.report import BUNDLE_MB, Row

ITEM = 6
TIMEOUT_S = 600
# Dependencies the Lambda Python runtime provides: the packager leaves them out (counted
# here so a regression that ships them again shows).
RUNTIME_PROVIDED = {"urllib3", "python-dateutil", "jmespath", "six", "boto3", "botocore"}
WHY_PACKAGE = {
    "ask-sdk-model": "generated classes for every Alexa API, which ask-sdk-core imports",
    "ask-sdk-core": "the SDK itself",
    "tzdata": "the zone database, for a Lambda runtime without one",
    "skill": "the runtime, most of it the safety encoder's 8-bit weights (issue 19)",
    "numpy": "the safety encoder's forward pass (issue 19)",
}


def sizes_by_distribution(root: Path) -> tuple[int, Counter[str], int]:
    """Bytes under `root` (bytecode apart), bytes per distribution, and the bytecode's bytes.

    build.sh compiles bytecode because Lambda cannot write it at run time; it is reported
    on its own so the package sizes compare with what pip installs.
    """
    owner: dict[Path, str] = {}
    for record in root.glob("*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0].replace("_", "-").lower()
        for line in record.read_text().splitlines():
            if line:
                owner[(root / line.split(",")[0]).resolve()] = name
    total, sizes, bytecode = 0, Counter[str](), 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            if path.suffix == ".pyc":
                bytecode += size
                continue
            total += size
            sizes[owner.get(path.resolve(), path.relative_to(root).parts[0])] += size
    return total, sizes, bytecode


def zipped_size(root: Path, target: Path) -> int:
    """The size of the deployment zip Lambda would be given."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                bundle.write(path, path.relative_to(root))
    return target.stat().st_size


def measure(bench: Bench) -> list[Row]:
    """lambda/build.sh's output: measured, then removed."""
    build = REPO / "lambda" / "build"
    try:
        code, _stdout, stderr = run_bounded(
            ["bash", str(REPO / "lambda" / "build.sh")], bench.clean_env, timeout=TIMEOUT_S
        )
        if code != 0:
            tail = (stderr.strip().splitlines() or ["no output"])[-1]
            raise BenchError(f"lambda/build.sh exited {code}: {tail}")
        total, sizes, bytecode = sizes_by_distribution(build)
        zipped = zipped_size(build, bench.work / "bundle.zip")
    finally:
        shutil.rmtree(build, ignore_errors=True)
    mb = total / 1_000_000
    largest = sizes.most_common(5)
    provided = sum(v for k, v in sizes.items() if k in RUNTIME_PROVIDED)
    bench.results["bundle"] = {
        "bytes": total,
        "mb": round(mb, 2),
        "zipped_bytes": zipped,
        "bytecode_bytes": bytecode,
        "largest": {k: v for k, v in largest},
        "runtime_provided_bytes": provided,
        "target_mb": BUNDLE_MB,
    }
    zipped_mb = zipped / 1_000_000
    met = zipped_mb <= BUNDLE_MB
    top = ", ".join(f"{k} {v / 1_000_000:.1f}" for k, v in largest)
    note = f"largest (MB): {top}"
    if not met:
        head, head_bytes = largest[0]
        why = WHY_PACKAGE.get(head, "")
        note = (
            f"zip over by {zipped_mb - BUNDLE_MB:.1f} MB: "
            f"{head} alone is {head_bytes / 1_000_000:.1f} MB unzipped"
            + (f" ({why})" if why else "")
            + f"; {provided / 1_000_000:.1f} MB is what the Lambda runtime provides. "
            + note
        )
    return [
        Row(
            ITEM,
            "bundle: stagewise package (turn modules + deps Lambda lacks), zipped",
            f"{zipped_mb:.1f} MB zipped ({mb:.1f} MB unzipped "
            f"+{bytecode / 1_000_000:.1f} MB bytecode)",
            "—",
            target=f"≤ {BUNDLE_MB:.0f} MB",
            met=met,
            note=note,
        )
    ]
