"""What EventBridge events cost when many jobs move on at once.

Run from the repository root::

    .venv/bin/python bench/bench_events.py

10,000 factory jobs (``Scheduled``) pass two transitions each in one ``advance()``.
The baseline, measured in the same run in interleaved rounds: the same advance with
the fake's event log switched off (its ``emit`` a no-op). Rows, as ratios to it:

1. events kept (the default: an event is recorded, built only when someone reads it);
2. events kept, then ``batchjobs_fake.events`` read once (every event built and copied).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from pytest_batchjobs import fake_batchjobs
from pytest_batchjobs.events.log import EventLog

JOBS = 10_000
ROUNDS = 5


def advance(*, emit: bool, read: bool) -> float:
    original: Any = EventLog.emit
    if not emit:
        EventLog.emit = lambda *args, **kwargs: None  # type: ignore[method-assign]
    try:
        with fake_batchjobs(seed=1) as fake:
            fake.bedrock.add_jobs(JOBS, status="Scheduled")
            started = time.perf_counter()
            fake.clock.advance(hours=3)
            if read:
                assert len(fake.events) == 2 * JOBS
            return time.perf_counter() - started
    finally:
        EventLog.emit = original  # type: ignore[method-assign]


def main() -> None:
    ratios: dict[str, list[float]] = {"kept": [], "kept and read": []}
    for _ in range(ROUNDS):
        base = advance(emit=False, read=False)
        ratios["kept"].append(advance(emit=True, read=False) / base)
        ratios["kept and read"].append(advance(emit=True, read=True) / base)
    print(f"{JOBS} jobs, {2 * JOBS} transitions in one advance(); median of {ROUNDS} rounds")
    print("| events | time / no events |")
    print("| --- | --- |")
    for name, values in ratios.items():
        print(f"| {name} | {statistics.median(values):.2f} |")


if __name__ == "__main__":
    main()
