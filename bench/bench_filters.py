"""Filtered list pages at 100,000 stored jobs, against the unfiltered page; and what
moving the clock and resetting cost at that size.

Run from the repository root (about a minute)::

    .venv/bin/python bench/bench_filters.py

One store of 100,000 Bedrock jobs (one a minute back from the frozen now, as
``bench_core.py`` fills its list rows), and real boto3 calls, in interleaved rounds
against the unfiltered first page of the same store:

* a time-range page (``submitTimeAfter`` / ``submitTimeBefore`` around jobs half-way
  down the store, a full page and a token): the store bisects to the range. Target
  <= 2, as the page rows.
* a time range that matches nothing (after the newest job): target <= 2.
* ``statusEquals`` that matches nothing, and one that fills a page: the jobs past
  their last transition are kept by final status, so the page reads those of its
  status and the live ones. Target <= 2.
* ``nameContains`` that matches nothing: not indexed (a substring), so the page reads
  every job: reported, no target.

Then, in a fake of 100,000 factory jobs (the factory's status mix): ``clock.advance``
by an hour, and ``reset()``, each timed once (reported; the issue measured 0.8 s and
7 s at 1,000,000).
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from collections.abc import Callable
from typing import Any

from bench_core import (
    LARGE_JOBS,
    LARGE_REGION,
    LIST_TARGET,
    PAGE,
    Comparison,
    bedrock_client,
    fill,
    interleaved,
    table,
)
from bench_factory import MIX

from pytest_batchjobs import BatchJobsFake, fake_batchjobs


def page_call(client: Any, full: bool, **query: Any) -> Callable[[], object]:
    """One ``maxResults=100`` page call, checked once to be full (or empty)."""

    def call() -> object:
        return client.list_model_invocation_jobs(maxResults=PAGE, **query)

    answer = call()
    assert isinstance(answer, dict)
    found = len(answer["invocationJobSummaries"])
    if found != (PAGE if full else 0):
        raise SystemExit(f"a benchmarked page of {query} has {found} jobs")
    return call


def bench_filtered(rounds: int, repeat: int) -> list[Comparison]:
    """Each filtered page against the unfiltered first page, one store."""
    with fake_batchjobs() as fake:
        now = fake.clock.now()
        fill(fake, LARGE_REGION, LARGE_JOBS, now)
        client = bedrock_client(LARGE_REGION)
        gc.collect()
        gc.freeze()
        unfiltered = page_call(client, full=True)
        middle = now - dt.timedelta(minutes=LARGE_JOBS // 2)
        cases: list[tuple[str, bool, dict[str, Any], float]] = [
            (
                "submitTime range, mid-store (a full page)",
                True,
                {
                    "submitTimeAfter": middle - dt.timedelta(minutes=500),
                    "submitTimeBefore": middle,
                },
                LIST_TARGET,
            ),
            (
                "submitTimeAfter past the newest (no match)",
                False,
                {"submitTimeAfter": now + dt.timedelta(days=1)},
                LIST_TARGET,
            ),
            ("statusEquals, no match", False, {"statusEquals": "Stopping"}, LIST_TARGET),
            (
                "statusEquals=Completed (a full page)",
                True,
                {"statusEquals": "Completed"},
                LIST_TARGET,
            ),
            ("nameContains, no match (not indexed)", False, {"nameContains": "nomatch"}, 0),
        ]
        rows = []
        for label, full, query, target in cases:
            filtered = page_call(client, full, **query)
            # The scans take a while a call: fewer repeats, so the rounds stay short.
            times = repeat if target else 1
            cand, base = interleaved(filtered, unfiltered, rounds=rounds, repeat=times)
            rows.append(
                Comparison(
                    f"ListModelInvocationJobs at {LARGE_JOBS:,} jobs: {label}",
                    "filtered page",
                    "unfiltered first page",
                    target or float("inf"),
                    cand,
                    base,
                )
            )
        gc.unfreeze()
    return rows


def clock_and_reset() -> tuple[float, float, float]:
    """Seconds for 100,000 factory jobs, an hour's ``advance`` over them, a ``reset``."""
    fake = BatchJobsFake(seed=1)
    fake.start()
    try:
        started = time.perf_counter()
        fake.bedrock.add_jobs(LARGE_JOBS, status=MIX)
        made = time.perf_counter() - started
        started = time.perf_counter()
        fake.clock.advance(hours=1)
        advanced = time.perf_counter() - started
        started = time.perf_counter()
        fake.reset()
        reset = time.perf_counter() - started
    finally:
        fake.stop()
    return made, advanced, reset


def main() -> int:
    rows = bench_filtered(rounds=7, repeat=5)
    print(table(rows))
    made, advanced, reset = clock_and_reset()
    print(
        f"\n{LARGE_JOBS:,} factory jobs: made in {made:.2f} s; clock.advance(hours=1) "
        f"{advanced * 1000:,.0f} ms; reset() {reset * 1000:,.0f} ms"
    )
    return 0 if all(row.median_ratio <= row.target for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
