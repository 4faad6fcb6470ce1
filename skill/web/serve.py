"""`stagewise serve`: run the web endpoint with Werkzeug's server, for a home setup or a try-out."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys

from skill.store import StorageError

log = logging.getLogger("stagewise.web")

SKIP_VERIFICATION_FLAG = "--insecure-skip-verification"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the serve command's options to `parser`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (8080)")
    parser.add_argument(
        SKIP_VERIFICATION_FLAG,
        dest="insecure_skip_verification",
        action="store_true",
        help="accept requests without Alexa's signature, for local tools that cannot sign; "
        "allowed only with a loopback --host",
    )


def is_loopback(host: str) -> bool:
    """True only for names that cannot be reached from another machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # any other host name may resolve to a public address
        return False


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; 2 for a refused configuration, 1 if the server cannot start."""
    skip = bool(args.insecure_skip_verification)
    if skip and not is_loopback(args.host):
        print(
            f"stagewise serve: {SKIP_VERIFICATION_FLAG} is allowed only on a loopback host "
            f"(127.0.0.1, ::1, localhost), not {args.host}: anyone who reached it could act "
            "as Alexa",
            file=sys.stderr,
        )
        return 2
    # Imported here so the CLI can add these options without the [web] extra installed.
    from werkzeug.serving import make_server

    from skill.web.endpoint import create_app

    # Werkzeug would add an access line per request; the app already logs one line each.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        app = create_app(verify_requests=not skip)
        server = make_server(args.host, args.port, app, threaded=True)
    except (OSError, ValueError, StorageError) as err:
        print(f"stagewise serve: cannot start: {err}", file=sys.stderr)
        return 1
    except SystemExit:  # Werkzeug prints why it cannot bind (e.g. port in use), then exits
        return 1
    log.info(
        "serving POST http://%s:%d/alexa (Werkzeug's server; use gunicorn in production)",
        args.host,
        server.server_port,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
