"""``batchjobs-fake serve``: the fake as a local HTTP server, for clients in any language.

Also ``python -m pytest_batchjobs serve``. The first line of standard output is
``batchjobs-fake serving on http://HOST:PORT`` (flushed at once, so a parent process
can read the endpoint); the server runs until SIGINT or SIGTERM, then finishes the
calls in progress, closes its connections and exits 0.

The fake's clock is frozen at ``--start`` for the server's life; a client moves it
with ``POST /_batchjobs/clock/advance``.

A server may run for days: its journal keeps the newest ``--journal-limit`` calls
and its pagination records the newest ``--pagination-limit`` sequences (10,000 of
each by default), it stores at most ``--job-limit`` jobs (1,000,000 by default), a
connection silent for ``--idle-timeout`` seconds is closed, a request not read whole
within ``--request-timeout`` seconds is answered 408, and at most
``--max-connections`` are served at once (the others wait for a slot).
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType

from .options import ROWS, FakeOptions, plain
from .transports.server import (
    DEFAULT_HOST,
    DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_STALL_SECONDS,
)
from .transports.server.control.limits import DEFAULT_JOB_LIMIT

PROG = "batchjobs-fake"
# The journal of a pytest fake keeps every call (assertions read them); a server's
# keeps the newest 10,000, about 4 MB: a server that answers calls for days stays flat.
DEFAULT_JOURNAL_LIMIT = 10_000
# Likewise its pagination records (pagination.sequences): the newest 10,000 sequences.
DEFAULT_PAGINATION_LIMIT = 10_000


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


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < math.inf:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def _limit(text: str) -> int | None:
    if text.lower() == "none":
        return None
    return _positive(text)


def _add_fake_options(serve: argparse.ArgumentParser) -> None:
    """A flag for every option of the table the server takes (``--max-page-size N``)."""
    for name, row in ROWS.items():
        if row.cli is None:
            continue
        flag = "--" + name.replace("_", "-")
        shown = plain(row.with_default()).replace("%", "%%")
        if row.choices:
            serve.add_argument(flag, choices=row.choices, default=argparse.SUPPRESS, help=shown)
        elif not row.cli:  # a flag without a value: true when given
            serve.add_argument(flag, action="store_true", default=argparse.SUPPRESS, help=shown)
        else:
            serve.add_argument(
                flag, type=_reader(name), metavar=row.cli, default=argparse.SUPPRESS, help=shown
            )


def _reader(name: str) -> Callable[[str], object]:
    """The table's reader of ``name``, in argparse's terms."""

    def read(text: str) -> object:
        try:
            return ROWS[name].read(name, text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return read


def fake_options(arguments: argparse.Namespace, **fixed: object) -> FakeOptions:
    """The options given as flags, and the ``fixed`` ones the server sets itself; the
    others at the table's defaults."""
    given = {name: getattr(arguments, name) for name in ROWS if name in arguments}
    return FakeOptions.of(**given, **fixed)


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
    _add_fake_options(serve)
    serve.add_argument(
        "--stall-seconds",
        type=_seconds,
        default=DEFAULT_STALL_SECONDS,
        help="how long a read_timeout fault holds a connection at most (default %(default)s)",
    )
    serve.add_argument(
        "--idle-timeout",
        type=_positive_seconds,
        default=DEFAULT_IDLE_TIMEOUT,
        metavar="SECONDS",
        help="close a connection silent this long, between requests or in the middle of "
        "one; clients reconnect for their next call (default %(default)s)",
    )
    serve.add_argument(
        "--request-timeout",
        type=_positive_seconds,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="answer 408 and close the connection when a request's head and body have "
        "not arrived whole this long after its first byte (default %(default)s)",
    )
    serve.add_argument(
        "--max-connections",
        type=_positive,
        default=DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="serve at most N connections at once, a thread each; more wait for a slot, "
        "and kept-alive connections resting between requests are closed to make room "
        "(default %(default)s)",
    )
    serve.add_argument(
        "--journal-limit",
        type=_limit,
        default=DEFAULT_JOURNAL_LIMIT,
        metavar="N",
        help="keep the newest N calls in the journal (GET /_batchjobs/calls), or 'none' "
        "for every call; older calls are dropped (default %(default)s)",
    )
    serve.add_argument(
        "--pagination-limit",
        type=_limit,
        default=DEFAULT_PAGINATION_LIMIT,
        metavar="N",
        help="keep the newest N pagination sequences (GET /_batchjobs/pagination/sequences), "
        "or 'none' for every one; older sequences are dropped, their tokens still work "
        "(default %(default)s)",
    )
    serve.add_argument(
        "--job-limit",
        type=_limit,
        default=DEFAULT_JOB_LIMIT,
        metavar="N",
        help="store at most N jobs, every kind and region together: a factory request "
        "(POST /_batchjobs/{kind}/jobs) that would store more is refused with a 400; "
        "'none' for no bound. Each job holds about 2.3 KB (default %(default)s)",
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

    # Nothing in this process should sleep in fake time, nor be stopped for it.
    fake = BatchJobsFake(**fake_options(options, sleep=False, horizon=None).keywords())
    fake.journal.limit = options.journal_limit
    fake.pagination.limit = options.pagination_limit
    server = FakeServer(
        fake,
        options.host,
        options.port,
        allow_remote=options.allow_remote,
        stall_seconds=options.stall_seconds,
        idle_timeout=options.idle_timeout,
        request_timeout=options.request_timeout,
        max_connections=options.max_connections,
        job_limit=options.job_limit,
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
