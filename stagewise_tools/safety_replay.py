"""What the phrase rules said about each validation batch before they were tuned on it.

    python -m stagewise_tools.safety_replay    # rewrite tests/data/safety_rules_before.json

Each batch of tests/data/safety_validation.tsv was measured with the rules as they stood
before any tuning on it, and only the figures were kept. This replays those rules from git
(the tree just before the batch's tuning: `BEFORE`) on the batch's rows, and keeps each
row's verdict: "." kept, "r" flagged by a rule that decides alone, "s" by signals together.
The figures it gives match those on each batch's comment line (batch 4 by one row: a
phrasing edited later). With them, cross-validation can measure the rules and the model
together honestly (stagewise_tools.safety_cv): the rules, like the model, never saw the
batch they are measured on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from stagewise_tools.safety_model import DATA, VALIDATION_SET, read_rows

REPLAYED = DATA / "safety_rules_before.json"
# The commit whose tree holds the rules before tuning on each batch: batches 1-7 were tuned
# in the commit that added them (so its parent), batches 8-17 were committed before tuning,
# and batches 18-26 (written blind, measured once) were measured before any tuning on them
# (18-20 were first tuned on, by rules, after batch 26).
BEFORE = {
    1: "81ed6a4^",
    2: "6297de0^",
    3: "da89fb9^",
    4: "05b0712^",
    5: "a6a96d7^",
    6: "d702846^",
    7: "a08cd29^",
    8: "c7103ad",
    9: "fdc8247",
    10: "e65e7e3",
    11: "301df2b",
    12: "42d9583",
    13: "92a6ed0",
    14: "f62ff5c",
    15: "ed6a93c",
    16: "bd7ccde",
    17: "877df03",
    18: "ddc75a6",  # batches 18-20: the rules as that branch began, before any tuning on them
    19: "ddc75a6",
    20: "ddc75a6",
    21: "0b18da9",  # batches 21-23 (written blind, measured once): the rules as main stood
    22: "0b18da9",
    23: "0b18da9",
    24: "4450f31",  # batches 24-26 (written blind, measured once): the rules as main stood
    25: "4450f31",
    26: "4450f31",
    27: "b53f1f7",  # batches 27-29 (written blind, measured once): the rules as main stood
    28: "b53f1f7",
    29: "b53f1f7",
    30: "bdd01ba",  # batches 30-31 (written blind, measured once): the rules after batches 27-29
    31: "bdd01ba",
    32: "65902ee",  # batches 32-33 (written blind, measured once): the rules after batches 30-31
    33: "65902ee",
    34: "531c8a6",  # batches 34-36 (written blind, measured once): the rules after batches 32-33
    35: "531c8a6",
    36: "531c8a6",
    37: "9bc3645",  # batches 37-38 (written blind, measured once): the rules after batches 34-36
    38: "9bc3645",
    39: "41fa6f4",  # batches 39-40 (written blind, measured once): after 37-38 and the review
    40: "41fa6f4",
    41: "ad9858c",
    42: "ad9858c",
    43: "d2bcc30",
    44: "d2bcc30",
    45: "a9c728b",  # batches 45 and 46: measured once with the encoder in, no rule tuned on them
    46: "a9c728b",
    47: "f369d4e",  # batches 47 and 48: measured once with the encoder in, no rule tuned on them
    48: "f369d4e",
    49: "4ea1e37",  # batches 49-52 (written blind, measured once before any tuning on them;
    50: "5a9e208",  # 51 and 52 were then tuned on, by rules): the rules they were measured with
    51: "8f174ed",
    52: "44cf2f5",
}
# Run inside the old tree: one verdict a row ("locale<TAB>text" lines on stdin). The rules
# alone: in a tree with the model (batches 21-23), without it, as in the trees before it.
VERDICTS = """
import os
import sys
from skill.content import content_for
from skill.safety import concern
if os.path.exists("skill/safety/model.py"):
    from skill.safety.check import by_rules, prepare, rules_for
    def concern(text, content):
        rules = rules_for(content.locale)
        return by_rules(prepare(text, rules), rules)
out = []
for line in sys.stdin.read().splitlines():
    locale, text = line.split("\\t", 1)
    found = concern(text, content_for(locale))
    out.append("." if found is None else "s" if " + " in found.rule else "r")
print("".join(out))
"""


def verdicts(revision: str, lines: list[str], repository: Path) -> str:
    """Each row's verdict from the rules in `revision`'s tree."""
    archive = subprocess.run(
        ["git", "-C", str(repository), "archive", revision, "skill"],
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryDirectory() as tree:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
        done = subprocess.run(
            [sys.executable, "-c", VERDICTS],
            input="\n".join(lines),
            capture_output=True,
            text=True,
            check=True,
            cwd=tree,
            env={**os.environ, "PYTHONPATH": tree},
        )
    found = done.stdout.strip()
    if len(found) != len(lines):
        raise RuntimeError(f"{revision}: {len(found)} verdicts for {len(lines)} rows")
    return found


def replay(repository: Path = DATA.parents[1]) -> dict[str, str]:
    """Every batch's verdicts, in row order, by batch number."""
    rows = read_rows(VALIDATION_SET, first_batch=1)
    return {
        str(batch): verdicts(
            revision,
            [f"{r.locale}\t{r.text}" for r in rows if r.batch == batch],
            repository,
        )
        for batch, revision in BEFORE.items()
    }


def main() -> int:
    found = replay()
    REPLAYED.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    print(f"{REPLAYED}: {len(found)} batches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
