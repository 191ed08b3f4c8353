"""``batchjobs-fake serve``: the fake as a local HTTP server, for clients in any language.

Also ``python -m pytest_batchjobs serve``. The first line of standard output is
``batchjobs-fake serving on http://HOST:PORT`` (flushed at once, so a parent process
can read the endpoint); the server runs until SIGINT or SIGTERM, then finishes the
calls in progress, closes its connections and exits 0.

The fake's clock is frozen at ``--start`` for the server's life; a client moves it
with ``POST /_batchjobs/clock/advance``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .services.base import DEFAULT_ACCOUNT
from .time.drivers import BACKENDS
from .transports.server import DEFAULT_HOST, DEFAULT_STALL_SECONDS

PROG = "batchjobs-fake"


def _instant(text: str) -> _dt.datetime:
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 instant; write it like 2024-01-01T09:00:00Z"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"a port is an integer from 0 to 65535, got {text!r}")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text!r}")
    return value


def _account(text: str) -> str:
    if len(text) != 12 or not text.isdigit():
        raise argparse.ArgumentTypeError(f"an AWS account id is 12 digits, got {text!r}")
    return text


def parser() -> argparse.ArgumentParser:
    """The command line: ``batchjobs-fake serve [options]``."""
    root = argparse.ArgumentParser(
        prog=PROG,
        description="Fake Amazon Personalize batch inference jobs and Amazon Bedrock model "
        "invocation jobs, in memory.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="serve both APIs and the control API over HTTP",
        description="Serve both APIs (and the control API under /_batchjobs/) over HTTP "
        "until SIGINT or SIGTERM. Prints 'batchjobs-fake serving on URL' first.",
    )
    serve.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default %(default)s)")
    serve.add_argument(
        "--port", type=_port, default=0, help="port to bind; 0 picks a free one (default)"
    )
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the server has no authentication)",
    )
    serve.add_argument(
        "--start",
        type=_instant,
        help="the instant the frozen clock starts at (ISO 8601; default 2024-01-01T09:00:00Z)",
    )
    serve.add_argument(
        "--clock-backend", choices=BACKENDS, default="auto", help="how time is frozen"
    )
    serve.add_argument("--max-page-size", type=_positive, help="the most items any list page holds")
    serve.add_argument("--account", type=_account, default=DEFAULT_ACCOUNT, help="account id")
    serve.add_argument("--seed", type=int, help="seed of the job factory (default: random)")
    serve.add_argument(
        "--stall-seconds",
        type=_seconds,
        default=DEFAULT_STALL_SECONDS,
        help="how long a read_timeout fault holds a connection at most (default %(default)s)",
    )
    serve.add_argument(
        "--validate-outputs",
        action="store_true",
        help="check every response against botocore's output shape",
    )
    serve.add_argument("--verbose", "-v", action="store_true", help="log requests to stderr")
    return root


def serve(options: argparse.Namespace) -> int:
    """Run the server until SIGINT or SIGTERM."""
    from .fake import BatchJobsFake
    from .transports.server import FakeServer, check_host

    try:
        check_host(options.host, options.allow_remote)
    except ValueError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    fake = BatchJobsFake(
        start=options.start,
        clock_backend=options.clock_backend,
        account=options.account,
        max_page_size=options.max_page_size,
        validate_outputs=options.validate_outputs,
        sleep=False,  # nothing in this process should sleep in fake time
        horizon=None,
        seed=options.seed,
    )
    server = FakeServer(
        fake,
        options.host,
        options.port,
        allow_remote=options.allow_remote,
        stall_seconds=options.stall_seconds,
        log=sys.stderr if options.verbose else None,
    )
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    fake.start()
    try:
        try:
            server.start()
        except OSError as error:
            print(
                f"{PROG}: error: cannot bind {options.host}:{options.port}: {error}",
                file=sys.stderr,
            )
            return 1
        print(f"{PROG} serving on {server.endpoint_url}", flush=True)
        while not stopping.wait(0.5):
            pass
        server.stop()
    finally:
        fake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    for failure in server.errors + server.control.errors:
        print(failure, file=sys.stderr)
    print(f"{PROG} stopped", file=sys.stderr, flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """The ``batchjobs-fake`` console script."""
    options = parser().parse_args(argv)
    return serve(options)
