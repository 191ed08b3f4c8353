"""While a fake is active, sleeping lets fake time pass instead of blocking.

:func:`patch` routes sleeping to :func:`sleep`, once for the whole process (the
first active fake that lets fake time pass calls it; the last active fake to stop
undoes it):

* ``time.sleep`` itself, and every loaded module's own ``sleep`` name bound to it
  (``from time import sleep``, imported before the fake started);
* botocore's adaptive retry token bucket, which waits for capacity on a
  ``threading.Condition`` with a real timeout and re-reads ``time.time()``: under a
  plainly frozen clock it would wait for ever. Its wait becomes a fake sleep.

:func:`sleep` looks the active fake up on every call: it sleeps on the innermost
active fake's clock if that fake lets fake time pass, and for real otherwise. So the
function stays right wherever it was copied while patched: a module imported during
a fake's life (``from time import sleep``), a default argument, an object holding
it. They all sleep for real once no fake is active, and in fake time under the next.

A sleep bound some other way before the fake started (``from time import sleep as
pause``, a default argument ``sleep=time.sleep``) still blocks for real; pass
``batchjobs_fake.clock.sleep`` there.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..active import active_fake

if TYPE_CHECKING:
    from .clock import Clock

# What sleep() does when no fake lets fake time pass: the time.sleep patch() replaced.
_real_sleep = time.sleep


def sleep(seconds: float) -> None:
    """``time.sleep`` while patched: fake time on the innermost active fake's clock if
    it lets fake time pass (``sleep=True``), else the real sleep."""
    fake = active_fake()
    if fake is not None and fake.patch_sleep:
        fake.clock.sleep(seconds)
    else:
        _real_sleep(seconds)


def patch() -> Callable[[], None]:
    """Route ``time.sleep`` and botocore's adaptive bucket to :func:`sleep`; return
    the function that undoes it."""
    global _real_sleep
    original = time.sleep
    if original is not sleep:  # else put back by someone who saved it while patched
        _real_sleep = original
    time.sleep = sleep  # type: ignore[assignment]
    modules = []
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if namespace is not None and namespace.get("sleep") is original and module is not time:
            module.sleep = sleep  # type: ignore[attr-defined]
            modules.append(module)
    restore_bucket = _patch_adaptive_bucket()

    def undo() -> None:
        time.sleep = _real_sleep
        for module in modules:
            if module.__dict__.get("sleep") is sleep:  # not rebound since
                module.sleep = _real_sleep  # type: ignore[attr-defined]
        restore_bucket()

    return undo


class _FakeBucketClock:
    """botocore's bucket ``Clock`` interface, reading and sleeping on the fake clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def current_time(self) -> float:
        return self._clock.now().timestamp()

    def sleep(self, amount: float) -> None:
        self._clock.sleep(amount)


def _patch_adaptive_bucket() -> Callable[[], None]:
    """Make botocore's adaptive token bucket wait in fake time; return the undo."""
    from botocore.retries import bucket

    original = bucket.TokenBucket._acquire

    def _acquire(bucket_self: Any, amount: int, block: bool) -> Any:
        fake = active_fake()
        if fake is None or not fake.patch_sleep:
            return original(bucket_self, amount, block)
        clock = fake.clock
        # The same algorithm as botocore's, waiting in fake time: release the
        # bucket's lock, sleep on the fake clock, refill, try again. While it runs
        # the bucket reads the fake clock, whoever patched (or ignores) time.time;
        # its own clock is back afterwards, for clients that outlive the fake.
        own_clock = bucket_self._clock
        if not isinstance(own_clock, _FakeBucketClock):  # not already in a wait
            bucket_self._clock = _FakeBucketClock(clock)
            bucket_self._last_timestamp = None  # refill from now, in fake time
        try:
            bucket_self._refill()
            if amount <= bucket_self._current_capacity or not block:
                return original(bucket_self, amount, block)
            condition = bucket_self._new_fill_rate_condition
            while (wait := bucket_self._sleep_amount(amount)) > 0:
                condition.release()
                try:
                    clock.sleep(max(wait, 0.001))  # no busy loop on rounding dust
                finally:
                    condition.acquire()
                bucket_self._refill()
            bucket_self._current_capacity -= amount
            return True
        finally:
            bucket_self._clock = own_clock

    _acquire.__wrapped__ = original  # type: ignore[attr-defined]
    bucket.TokenBucket._acquire = _acquire

    def undo() -> None:
        bucket.TokenBucket._acquire = original

    return undo
