"""botocore's adaptive retry token bucket, and aiobotocore's async one, waiting for
capacity in fake time.

Both buckets wait on a condition with a real timeout and re-read their ``_clock``
(``time.time()`` underneath): under a plainly frozen clock they would wait for ever,
and under a moving one for real. While a fake lets fake time pass, their ``_acquire``
runs botocore's own algorithm (release the bucket's condition, sleep, refill, try
again) with the bucket reading the fake clock and the sleep a fake one. The bucket's
own clock is back afterwards, for clients that outlive the fake.

* :func:`patch_botocore_bucket`: ``botocore.retries.bucket.TokenBucket``, patched with
  ``time.sleep`` by :mod:`.sleep_patch`;
* :func:`async_acquire_in_fake_time`: the wrapper the aiobotocore transport puts on
  ``AsyncTokenBucket._acquire`` (called holding the bucket's condition).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..active import active_fake
from ..patching.patches import Patches

if TYPE_CHECKING:
    from .clock import Clock

# Never sleep less than this while waiting: no busy loop on rounding dust.
_SHORTEST_WAIT = 0.001


class _FakeBucketClock:
    """botocore's bucket ``Clock`` interface, reading and sleeping on the fake clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def current_time(self) -> float:
        return self._clock.now().timestamp()

    def sleep(self, amount: float) -> None:
        self._clock.sleep(amount)


@contextlib.contextmanager
def _reading(bucket: Any, clock: Clock) -> Iterator[None]:
    """``bucket`` reading ``clock`` inside, refilled from now in fake time; its own
    clock back afterwards (a wait inside a wait keeps the outer one's)."""
    own_clock = bucket._clock
    if not isinstance(own_clock, _FakeBucketClock):
        bucket._clock = _FakeBucketClock(clock)
        bucket._last_timestamp = None
    try:
        yield
    finally:
        bucket._clock = own_clock


def patch_botocore_bucket() -> Callable[[], None]:
    """Make botocore's adaptive token bucket wait in fake time; return the undo."""
    from botocore.retries import bucket

    patches = Patches()
    patches.apply(bucket.TokenBucket, "_acquire", acquire_in_fake_time)
    return patches.undo


def acquire_in_fake_time(original: Callable[..., Any]) -> Callable[..., Any]:
    """``TokenBucket._acquire`` waiting for capacity in fake time: the bucket refills by
    the fake clock, which a frozen clock never moves, and waits with a real timeout."""

    @functools.wraps(original)
    def _acquire(bucket_self: Any, amount: int, block: bool) -> Any:
        fake = active_fake()
        if fake is None or not fake.patch_sleep:
            return original(bucket_self, amount, block)
        clock = fake.clock
        with _reading(bucket_self, clock):
            bucket_self._refill()
            if amount <= bucket_self._current_capacity or not block:
                return original(bucket_self, amount, block)
            condition = bucket_self._new_fill_rate_condition
            while (wait := bucket_self._sleep_amount(amount)) > 0:
                condition.release()
                try:
                    clock.sleep(max(wait, _SHORTEST_WAIT))
                finally:
                    condition.acquire()
                bucket_self._refill()
            bucket_self._current_capacity -= amount
            return True

    return _acquire


def async_acquire_in_fake_time(original: Callable[..., Any]) -> Callable[..., Any]:
    """``AsyncTokenBucket._acquire`` waiting for capacity in fake time, as the sync
    bucket's patch does, without blocking the event loop."""

    @functools.wraps(original)
    async def _acquire(bucket: Any, amount: int, block: bool) -> Any:
        fake = active_fake()
        if fake is None or not fake.patch_sleep:
            return await original(bucket, amount, block)
        clock = fake.clock
        with _reading(bucket, clock):
            bucket._refill()
            if amount <= bucket._current_capacity or not block:
                return await original(bucket, amount, block)
            condition = bucket._new_fill_rate_condition
            while (wait := bucket._sleep_amount(amount)) > 0:
                condition.release()  # as a wait on the condition would, for set_max_rate
                try:
                    await _sleep_without_blocking(condition, clock, max(wait, _SHORTEST_WAIT))
                finally:
                    await condition.acquire()
                bucket._refill()
            bucket._current_capacity -= amount
            return True

    return _acquire


async def _sleep_without_blocking(condition: Any, clock: Clock, seconds: float) -> None:
    """Let ``seconds`` of fake time pass without blocking the event loop: the clock's
    sleep, in a worker thread, overlapping other sleepers' as threads' sleeps do
    (anyio's worker thread for the anyio bucket, which may run on trio)."""
    import asyncio

    if isinstance(condition, asyncio.Condition):
        await asyncio.to_thread(clock.sleep, seconds)
    else:
        import anyio.to_thread

        await anyio.to_thread.run_sync(clock.sleep, seconds)
