"""Child process of the cold-start benchmark: import one Lambda module, answer one request.

    python bench/cold_child.py MODULE.py EVENT.json [PATH ...]

Prints one JSON line: import and first-request times measured here (interpreter start-up
is the same for both and is left out), as wall time and as this process's CPU time, and
the process's peak resident memory. PATHs go in front of sys.path before the clock starts
(an unzipped bundle run under `python -I -S`, where PYTHONPATH is ignored). Kept apart from
bench/cold_start.py, and on the standard library only, so that nothing the benchmark
imports is already loaded when the clock starts.
"""

from __future__ import annotations

import importlib.util
import json
import resource
import sys
import time
from pathlib import Path


def peak_rss_kb() -> int:
    """This process's peak resident memory in kB.

    Linux keeps ru_maxrss across exec, so a child of a large parent reports at least the
    parent's peak; VmHWM belongs to the address space exec made, so it is the child's own.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def main(module_path: str, event_path: str, *paths: str) -> int:
    """Import the module, answer the event, print the figures as JSON."""
    sys.path[:0] = list(paths)
    event = json.loads(Path(event_path).read_text())  # read before the clock starts
    started, cpu_started = time.perf_counter(), time.process_time()
    spec = importlib.util.spec_from_file_location("lambda_function", module_path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    imported, cpu_imported = time.perf_counter(), time.process_time()
    response = module.lambda_handler(event, None)
    answered, cpu_answered = time.perf_counter(), time.process_time()
    figures = {
        "import_ms": (imported - started) * 1000,
        "first_request_ms": (answered - imported) * 1000,
        "total_ms": (answered - started) * 1000,
        # CPU time: what the function is billed for, and what a busy machine disturbs least
        # (the wait on DynamoDB and on other processes is not in it).
        "import_cpu_ms": (cpu_imported - cpu_started) * 1000,
        "first_request_cpu_ms": (cpu_answered - cpu_imported) * 1000,
        "total_cpu_ms": (cpu_answered - cpu_started) * 1000,
        "max_rss_kb": peak_rss_kb(),
        "ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "spoke": "outputSpeech" in response.get("response", {}),
        "python": "{}.{}".format(*sys.version_info[:2]),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
