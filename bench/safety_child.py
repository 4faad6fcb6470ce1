"""Child process of the safety-check benchmark: import the check, check answers.

    python bench/safety_child.py shipped|words

Prints one JSON line: the CPU time of importing the check and checking a first answer (what
the first answer of a Lambda container pays), the median and p99 of a check after it, and
the process's peak resident memory. "words" sets the word model's share of p(danger) to 1,
so the encoder is never read: the check before it.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import replace

from cold_child import peak_rss_kb  # type: ignore[import-not-found]  # run as a script

# Ordinary answers of 5 to 80 words, as Alexa hands them over (none of them a couple's).
ANSWERS = [
    "we walked by the river and talked about the kids",
    "the way you laugh at your own jokes before you get to the end",
    "honestly i think it was when you made tea without asking after my long shift "
    "and sat with me while i complained about the rota",
    " ".join(["last summer at the lake you taught me to skip stones and i was useless"] * 5),
]


def main(kind: str) -> int:
    started = time.process_time()
    from skill.content import content_for
    from skill.safety import check

    content = content_for("en-US")
    if kind == "words":
        model = replace(check.model_for(content.locale), words_share=1.0)
        check.model_for = lambda locale: model  # type: ignore[assignment]
    check.concern("we cooked together and put on a record", content)
    first = (time.process_time() - started) * 1000
    timings = []
    for _ in range(25):
        for answer in ANSWERS:
            began = time.perf_counter()
            check.concern(answer, content)
            timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    figures = {
        "first_ms": first,
        "check_ms": statistics.median(timings),
        "check_p99_ms": timings[int(len(timings) * 0.99) - 1],
        "rss_mb": peak_rss_kb() / 1024,
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
