"""While a fake is active, sleeping lets fake time pass instead of blocking.

Patched, and restored on exit:

* ``time.sleep`` itself, and every loaded module's own ``sleep`` name bound to it
  (``from time import sleep``, imported before the fake started);
* botocore's adaptive retry token bucket, which waits for capacity on a
  ``threading.Condition`` with a real timeout and re-reads ``time.time()``: under a
  plainly frozen clock it would wait for ever. Its wait becomes a fake sleep.

A sleep bound some other way (``from time import sleep as pause``, a default argument
``sleep=time.sleep``) still blocks for real; pass ``batchjobs_fake.clock.sleep``
there.
"""

from __future__ import annotations

import sys
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .clock import Clock


class _FakeBucketClock:
    """botocore's bucket ``Clock`` interface, reading and sleeping on the fake clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def current_time(self) -> float:
        return self._clock.now().timestamp()

    def sleep(self, amount: float) -> None:
        self._clock.sleep(amount)


class SleepPatch:
    """Routes ``time.sleep`` (and botocore's adaptive bucket) to a fake clock."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._original: Any = None
        self._modules: list[ModuleType] = []
        self._bucket_acquire: Any = None

    def start(self) -> None:
        """Patch; a no-op if already patched."""
        if self._original is not None:
            return
        original = self._original = time.sleep
        fake = self._clock.sleep
        time.sleep = fake  # type: ignore[assignment]
        for module in list(sys.modules.values()):
            namespace = getattr(module, "__dict__", None)
            if namespace is not None and namespace.get("sleep") is original and module is not time:
                module.sleep = fake  # type: ignore[attr-defined]
                self._modules.append(module)
        self._patch_adaptive_bucket()

    def stop(self) -> None:
        """Undo :meth:`start`."""
        if self._original is None:
            return
        time.sleep = self._original
        for module in self._modules:
            module.sleep = self._original  # type: ignore[attr-defined]
        self._modules.clear()
        if self._bucket_acquire is not None:
            sys.modules["botocore.retries.bucket"].TokenBucket._acquire = self._bucket_acquire
            self._bucket_acquire = None
        self._original = None

    def _patch_adaptive_bucket(self) -> None:
        from botocore.retries import bucket

        original = self._bucket_acquire = bucket.TokenBucket._acquire
        clock = self._clock

        fake_time = _FakeBucketClock(clock)

        def _acquire(bucket_self: Any, amount: int, block: bool) -> Any:
            # The same algorithm as botocore's, waiting in fake time: release the
            # bucket's lock, sleep on the fake clock, refill, try again. While it runs
            # the bucket reads the fake clock, whoever patched (or ignores) time.time;
            # its own clock is back afterwards, for clients that outlive the fake.
            own_clock = bucket_self._clock
            if own_clock is not fake_time:
                bucket_self._clock = fake_time
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
