"""Bounded load check of the web endpoint on loopback: gunicorn, verification on, chain cached.

Sends pre-signed Alexa requests with `wrk` (Debian's package: a C load generator, so the
figure is the server's, not the generator's) at a fixed concurrency to the real skill behind
gunicorn, then the same load to a bare Flask app that verifies each request the same way
(skill.web.verify.RequestVerifier) and answers a constant response, and to a trivial Flask
app that verifies nothing, all under the same gunicorn settings; prints the figures and the
ratios as JSON. Every request is checked once with Python first (a 200 with speech); exits 1
if any request failed. A benchmark, not a timed test: the figures go to the benchmark report;
only "zero errors" is a verdict.

    python bench/web_load.py            # 10 s of load per app at concurrency 16
    python bench/web_load.py --quick    # 3 s per app, for CI
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: measure this checkout, not an installed copy

import requests  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from flask import Flask, Response, request  # noqa: E402

from skill.web.endpoint import create_app  # noqa: E402
from skill.web.verify import RequestVerifier, VerificationError  # noqa: E402
from tests.signing import (  # noqa: E402
    TEST_CHAIN_URL,
    TEST_SKILL_ID,
    TEST_USER_ID,
    FakeChainHost,
    TestPKI,
    alexa_event,
    encode,
)

PKI_DIR_ENV = "STAGEWISE_BENCH_PKI"
HOUSEHOLDS = 50  # requests spread over this many users, as a small deployment would see
ROUND_SECONDS = 1  # each app's load comes in rounds this long, alternated


# -- the two apps gunicorn serves (imported by gunicorn in its workers) ----------------------


def _bench_verifier() -> RequestVerifier:
    """The verifier both apps use: the bench CA as root, the chain served offline."""
    pki_dir = Path(os.environ[PKI_DIR_ENV])
    root = x509.load_pem_x509_certificate((pki_dir / "root.pem").read_bytes())
    s3 = FakeChainHost()  # offline stand-in for S3; the verifier still caches what it returns
    s3.chains[TEST_CHAIN_URL] = (pki_dir / "chain.pem").read_bytes()
    return RequestVerifier(roots=[root], fetch=s3, skill_id=os.environ["STAGEWISE_SKILL_ID"])


def signed_app() -> Flask:
    """Gunicorn factory: the real skill from the environment, verifying against the bench CA."""
    return create_app(verifier=_bench_verifier())


def verified_app() -> Flask:
    """Gunicorn factory: the floor, a bare Flask app verifying requests as the skill does."""
    verifier = _bench_verifier()
    app = Flask(__name__)
    answer = json.dumps(
        {
            "version": "1.0",
            "response": {
                "outputSpeech": {"type": "SSML", "ssml": "<speak>Hello.</speak>"},
                "shouldEndSession": True,
            },
        }
    )

    @app.post("/alexa")
    def alexa() -> Response:
        try:
            verifier.verify(dict(request.headers.items()), request.get_data())
        except VerificationError as err:
            return Response(str(err), status=400, mimetype="text/plain")
        return Response(answer, mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", mimetype="text/plain")

    return app


class SqliteProfiles:
    """The bare skill's table here: its one call, GetItem of the profile, is a SELECT by key
    on a SQLite file, as Stagewise reads its own profile from its SQLite store.

    The load's launches come from households neither skill has met, so it finds nothing
    (help makes no call).
    """

    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False)
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS items "
                "(pk TEXT, sk TEXT, item TEXT, PRIMARY KEY (pk, sk))"
            )

    def get_item(self, **request: Any) -> dict[str, Any]:
        key = request["Key"]
        with self._lock:
            row = self._db.execute(
                "SELECT item FROM items WHERE pk = ? AND sk = ?", (key["pk"]["S"], key["sk"]["S"])
            ).fetchone()
        return {"Item": json.loads(row[0])} if row else {}


def baseline_app() -> Flask:
    """Gunicorn factory: the floor, the bare ask-sdk-core skill (bench/baseline.py) behind a
    bare Flask app that verifies requests as the skill's endpoint does."""
    from bench.baseline import build_lambda_handler

    verifier = _bench_verifier()
    profiles = SqliteProfiles(Path(os.environ[PKI_DIR_ENV]) / "baseline.db")
    handler = build_lambda_handler(profiles, "items")
    app = Flask(__name__)

    @app.post("/alexa")
    def alexa() -> Response:
        try:
            event = verifier.verify(dict(request.headers.items()), request.get_data())
        except VerificationError as err:
            return Response(str(err), status=400, mimetype="text/plain")
        return Response(json.dumps(handler(event, None)), mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", mimetype="text/plain")

    return app


def trivial_app() -> Flask:
    """Gunicorn factory: a constant Alexa response, the floor the real endpoint is compared to."""
    app = Flask(__name__)
    answer = json.dumps(
        {
            "version": "1.0",
            "response": {
                "outputSpeech": {"type": "SSML", "ssml": "<speak>Hello.</speak>"},
                "shouldEndSession": True,
            },
        }
    )

    @app.post("/alexa")
    def alexa() -> Response:
        return Response(answer, mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok\n", mimetype="text/plain")

    return app


# -- running gunicorn -------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSettings:
    """How gunicorn runs, identical for both apps so the ratio compares only the apps."""

    workers: int
    threads: int

    def command(self, factory: str, port: int) -> list[str]:
        """The gunicorn command line serving `factory` on loopback `port`."""
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--worker-class",
            "gthread",
            "--timeout",
            "30",
            "--log-level",
            "warning",
            factory,
        ]


class Gunicorn:
    """A gunicorn subprocess on a free loopback port, stopped on exit."""

    def __init__(self, settings: ServerSettings, factory: str, env: dict[str, str], log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_path = log
        self._log = log.open("w")
        self._process = subprocess.Popen(
            settings.command(factory, self.port),
            cwd=REPO,  # gunicorn imports the factory's module from here
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        """The gunicorn master's process id (its workers are its children)."""
        return self._process.pid

    def __enter__(self) -> Gunicorn:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError(f"gunicorn not up after 60 s:\n{self.log_tail()}")

    def __exit__(self, *exc: object) -> None:
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=15)
        self._log.close()

    def log_tail(self, lines: int = 30) -> str:
        """The end of gunicorn's output, to show when something failed."""
        self._log.flush()
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])


def server_cpu_s(pid: int) -> float:
    """CPU seconds used so far by a process and its children (gunicorn and its workers), from
    /proc: what the server spent, whatever the load generator and the machine did meanwhile."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(path: Path) -> list[str]:
        return path.read_text().rsplit(")", 1)[1].split()

    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = stat(entry / "stat")
        except OSError:  # gone meanwhile
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1]: the parent's pid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- the load -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signed:
    """One request ready to send: body and headers, signed before the clock starts."""

    body: bytes
    headers: dict[str, str]


def signed_requests(pki: TestPKI, count: int) -> list[Signed]:
    """`count` distinct requests (launches and help) from a spread of households."""
    requests_: list[Signed] = []
    for n in range(count):
        user = f"{TEST_USER_ID}-{n % HOUSEHOLDS}"
        if n % 2:
            event = alexa_event(
                "IntentRequest",
                user_id=user,
                request={"intent": {"name": "AMAZON.HelpIntent", "confirmationStatus": "NONE"}},
            )
        else:
            event = alexa_event(user_id=user)
        body = encode(event)
        requests_.append(Signed(body, pki.signer.headers(body)))
    return requests_


def check_each(url: str, load: list[Signed], concurrency: int) -> dict[str, Any]:
    """Send every request once with Python: each must be a 200 that speaks.

    Also the warm-up: each worker downloads and validates the chain once, outside the figures.
    """
    local = threading.local()

    def send(item: Signed) -> str | None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        try:
            response = local.session.post(
                f"{url}/alexa", data=item.body, headers=item.headers, timeout=10
            )
            if response.status_code != 200:
                return f"{response.status_code} {response.text.strip()[:120]}"
            if "outputSpeech" not in response.json().get("response", {}):
                return "200 without outputSpeech"
            return None
        except (requests.RequestException, ValueError) as err:
            return type(err).__name__

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        errors = [error for error in pool.map(send, load) if error]
    return {"requests": len(load), "errors": len(errors), "error_samples": sorted(set(errors))[:5]}


def lua_string(data: bytes) -> str:
    """A Lua string literal of these exact bytes (printable ASCII kept, the rest escaped)."""
    out = []
    for byte in data:
        char = chr(byte)
        if 32 <= byte < 127 and char not in '"\\':
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


# wrk runs `request` for each request it sends and `done` once at the end (wrk's scripting
# API); done prints the summary as one JSON line.
WRK_SCRIPT = """
local requests = {{}}
{requests}
local index = 0
request = function()
  index = index % #requests + 1
  return requests[index]
end
done = function(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {{"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,'
    .. '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def run_wrk(
    url: str, load: list[Signed], concurrency: int, seconds: int, script: Path
) -> dict[str, Any]:
    """`wrk` for `seconds` at `concurrency`, cycling through the signed requests."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk; .ci/run does)")
    lines = []
    for item in load:
        headers = ", ".join(
            f"[{lua_string(k.encode())}] = {lua_string(v.encode())}"
            for k, v in item.headers.items()
        )
        lines.append(
            f'requests[#requests + 1] = wrk.format("POST", "/alexa", {{{headers}}}, '
            f"{lua_string(item.body)})"
        )
    script.write_text(WRK_SCRIPT.format(requests="\n".join(lines)))
    threads = min(2, concurrency)
    done = subprocess.run(
        [
            wrk,
            "-t",
            str(threads),
            "-c",
            str(concurrency),
            "-d",
            f"{seconds:g}s",
            "-s",
            str(script),
            f"{url}/alexa",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    found = [line for line in done.stdout.splitlines() if line.startswith("WRK_JSON ")]
    if done.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-300:]}")
    raw = json.loads(found[-1].removeprefix("WRK_JSON "))
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "generator": f"wrk, {threads} threads",
        "requests": raw["requests"],
        "errors": errors,
        "error_counts": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout")},
        "seconds": round(raw["duration_us"] / 1e6, 3),
        "requests_per_s": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "latency_ms": {
            "p50": round(raw["p50_us"] / 1000, 2),
            "p99": round(raw["p99_us"] / 1000, 2),
            "max": round(raw["max_us"] / 1000, 2),
        },
    }


def load_in_rounds(
    servers: dict[str, Gunicorn], pki: TestPKI, concurrency: int, seconds: float, work: Path
) -> dict[str, dict[str, Any]]:
    """Each app's share of `seconds` of load, in rounds alternating which app goes first.

    All the servers run throughout (an idle one costs nothing), so a change in what else the
    machine is doing falls on every app alike rather than on whichever ran then.
    """
    each = ROUND_SECONDS  # wrk takes whole seconds
    rounds = max(3, round(seconds / each))
    names = list(servers)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    checked: dict[str, dict[str, Any]] = {}
    for number in range(rounds):
        # Signed just before each round: request.timestamp must stay within 150 s.
        load = signed_requests(pki, 2 * HOUSEHOLDS)
        for name in names if number % 2 == 0 else names[::-1]:
            url = servers[name].url
            if name not in checked:
                checked[name] = check_each(url, load, concurrency)
            script = work / f"{name}-{number}.lua"
            before = server_cpu_s(servers[name].pid)
            run = run_wrk(url, load, concurrency, each, script)
            run["server_cpu_s"] = server_cpu_s(servers[name].pid) - before
            runs[name].append(run)
    figures: dict[str, dict[str, Any]] = {}
    for name in names:
        done = runs[name]
        total, spent = sum(r["requests"] for r in done), sum(r["seconds"] for r in done)
        figures[name] = {
            "generator": done[0]["generator"],
            "rounds": len(done),
            "requests": total,
            "errors": sum(r["errors"] for r in done),
            "seconds": round(spent, 3),
            "requests_per_s": round(total / spent, 1),
            "requests_per_s_each_round": [r["requests_per_s"] for r in done],
            "server_cpu_us_per_request": round(
                sum(r["server_cpu_s"] for r in done) / total * 1e6, 1
            ),
            # The median round's percentiles (wrk reports each run's own distribution).
            "latency_ms": {
                k: statistics.median(r["latency_ms"][k] for r in done) for k in ("p50", "p99")
            },
            "checked": checked[name],
            "warm_up_errors": checked[name]["errors"],
        }
        if figures[name]["errors"] or checked[name]["errors"]:
            figures[name]["server_log_tail"] = servers[name].log_tail()
    return figures


def main(argv: list[str] | None = None) -> int:
    """Load each app in turn and print the figures; 1 if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="of load per app")
    parser.add_argument("--quick", action="store_true", help="3 s per app, for CI")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    seconds = 3.0 if args.quick else args.seconds

    settings = ServerSettings(workers=args.workers, threads=args.threads)
    with tempfile.TemporaryDirectory(prefix="stagewise-bench-") as tmp:
        work = Path(tmp)
        pki = TestPKI.generate()
        (work / "root.pem").write_bytes(
            pki.root.certificate.public_bytes(serialization.Encoding.PEM)
        )
        (work / "chain.pem").write_bytes(pki.signer.chain_pem())
        env = {
            **os.environ,
            PKI_DIR_ENV: str(work),
            "STAGEWISE_STORE": f"sqlite:///{work / 'bench.db'}",
            "STAGEWISE_SKILL_ID": TEST_SKILL_ID,
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        }
        apps = {
            "skill": "bench.web_load:signed_app()",
            "baseline": "bench.web_load:baseline_app()",
            "verified": "bench.web_load:verified_app()",
            "trivial": "bench.web_load:trivial_app()",
        }
        with ExitStack() as running:
            servers = {
                name: running.enter_context(Gunicorn(settings, factory, env, work / f"{name}.log"))
                for name, factory in apps.items()
            }
            figures = load_in_rounds(servers, pki, args.concurrency, seconds, work)

    report = {
        "benchmark": "web endpoint on loopback (issues 3 and 21)",
        "generator": "wrk",
        "verification": "on (generated test CA, chain cached per worker)",
        "store": "sqlite",
        "concurrency": args.concurrency,
        "seconds_per_app": seconds,
        "gunicorn": {"workers": settings.workers, "threads": settings.threads, "class": "gthread"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        **figures,
        # The median over rounds of the skill's throughput over the bare skill's in the round
        # beside it: what else the machine does changes from second to second, and falls on
        # both of a pair alike.
        "skill_to_baseline_throughput": round(
            statistics.median(
                ours / theirs
                for ours, theirs in zip(
                    figures["skill"]["requests_per_s_each_round"],
                    figures["baseline"]["requests_per_s_each_round"],
                    strict=True,
                )
            ),
            3,
        ),
        "skill_to_baseline_throughput_overall": round(
            figures["skill"]["requests_per_s"] / figures["baseline"]["requests_per_s"], 3
        ),
        "skill_to_verified_throughput": round(
            figures["skill"]["requests_per_s"] / figures["verified"]["requests_per_s"], 3
        ),
        "skill_to_trivial_throughput": round(
            figures["skill"]["requests_per_s"] / figures["trivial"]["requests_per_s"], 3
        ),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    failed = any(figures[name]["errors"] or figures[name]["warm_up_errors"] for name in figures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
