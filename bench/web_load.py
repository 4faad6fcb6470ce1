"""Bounded load check of the web endpoint on loopback: gunicorn, verification on, chain cached.

Sends pre-signed Alexa requests at a fixed concurrency to the real skill behind gunicorn,
then the same load to a trivial Flask app under the same gunicorn settings, and prints
both figures and their ratio as JSON. Exits 1 if any request failed. A benchmark, not a
timed test: the figures go to the benchmark report; only "zero errors" is a verdict.

    python bench/web_load.py            # 2,000 requests at concurrency 16
    python bench/web_load.py --quick    # 200 requests, for CI
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: measure this checkout, not an installed copy

import requests  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from flask import Flask, Response  # noqa: E402

from skill.web.app import create_app  # noqa: E402
from skill.web.verify import RequestVerifier  # noqa: E402
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


# -- the two apps gunicorn serves (imported by gunicorn in its workers) ----------------------


def signed_app() -> Flask:
    """Gunicorn factory: the real skill from the environment, verifying against the bench CA."""
    pki_dir = Path(os.environ[PKI_DIR_ENV])
    root = x509.load_pem_x509_certificate((pki_dir / "root.pem").read_bytes())
    s3 = FakeChainHost()  # offline stand-in for S3; the verifier still caches what it returns
    s3.chains[TEST_CHAIN_URL] = (pki_dir / "chain.pem").read_bytes()
    verifier = RequestVerifier(roots=[root], fetch=s3, skill_id=os.environ["STAGEWISE_SKILL_ID"])
    return create_app(verifier=verifier)


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


def run_load(url: str, load: list[Signed], concurrency: int) -> dict[str, Any]:
    """Send every request, `concurrency` at a time; count errors and time each one."""
    local = threading.local()

    def send(item: Signed) -> tuple[float, str | None]:
        if not hasattr(local, "session"):
            local.session = requests.Session()  # keep-alive per thread, as Alexa's pool would
        started = time.perf_counter()
        try:
            response = local.session.post(
                f"{url}/alexa", data=item.body, headers=item.headers, timeout=10
            )
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                return elapsed, f"{response.status_code} {response.text.strip()[:120]}"
            if "outputSpeech" not in response.json().get("response", {}):
                return elapsed, "200 without outputSpeech"
            return elapsed, None
        except (requests.RequestException, ValueError) as err:
            return time.perf_counter() - started, type(err).__name__

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(send, load))
    wall = time.perf_counter() - started
    latencies = sorted(elapsed * 1000 for elapsed, _ in results)
    errors = [error for _, error in results if error]
    return {
        "requests": len(load),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "seconds": round(wall, 3),
        "requests_per_s": round(len(load) / wall, 1),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 2),
            "p99": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
            "max": round(latencies[-1], 2),
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Run both loads and print the figures; 1 if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="200 requests, for CI")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    count = 200 if args.quick else args.requests

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
        figures: dict[str, Any] = {}
        for name, factory in (
            ("skill", "bench.web_load:signed_app()"),
            ("trivial", "bench.web_load:trivial_app()"),
        ):
            # Signed just before each run: request.timestamp must stay within 150 s.
            warm_up, load = signed_requests(pki, 4 * args.concurrency), signed_requests(pki, count)
            with Gunicorn(settings, factory, env, work / f"{name}.log") as server:
                # Each worker downloads and validates the chain once; keep that out of the figures.
                warm = run_load(server.url, warm_up, args.concurrency)
                figures[name] = run_load(server.url, load, args.concurrency)
                figures[name]["warm_up_errors"] = warm["errors"]
                if figures[name]["errors"] or warm["errors"]:
                    figures[name]["server_log_tail"] = server.log_tail()

    report = {
        "benchmark": "web endpoint on loopback (issue 3)",
        "verification": "on (generated test CA, chain cached per worker)",
        "store": "sqlite",
        "concurrency": args.concurrency,
        "gunicorn": {"workers": settings.workers, "threads": settings.threads, "class": "gthread"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        **figures,
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
