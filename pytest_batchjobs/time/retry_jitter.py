"""botocore's retry backoff jitter drawn from the active fake's seed.

botocore (and aiobotocore, which uses botocore's backoff) waits a random share of its
exponential backoff before each retry, drawn from the ``random`` module's shared
generator: the legacy mode in ``botocore.retryhandler.delay_exponential``, the standard
and adaptive modes through ``ExponentialBackoff``'s ``random`` argument, whose default
is bound when botocore is imported. Under a fake those waits are fake time, so an
unseeded jitter moves the clock by different amounts from run to run, and a poller's
view of a job may differ: a test with throttling would pass or fail by chance.

While a fake is active both draw from the innermost active fake's own generator,
seeded with the fake's seed (again on every reset): a seed given again replays the
same waits. Clients made before the fake keep the generator they were made with.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ..active import active_fake
from ..patching.patches import Patches


class _Jitter:
    """Stands in for the ``random`` module in ``botocore.retryhandler`` and for the
    default ``random`` function of ``ExponentialBackoff``."""

    def random(self) -> float:
        fake = active_fake()
        return (fake._retry_jitter if fake is not None else _shared).random()


_shared = random.Random()  # what draws when no fake is active (botocore's own, unseeded)
_JITTER = _Jitter()


def patch() -> Callable[[], None]:
    """Route botocore's jitter draws to the active fake's generator; return the undo."""
    import botocore.retryhandler as legacy
    from botocore.retries.standard import ExponentialBackoff

    patches = Patches()
    if getattr(legacy, "random", None) is random:
        patches.apply(legacy, "random", lambda _: _JITTER)
    defaults = ExponentialBackoff.__init__.__defaults__ or ()
    if random.random in defaults:  # a bound method: equal, not identical
        at = defaults.index(random.random)
        patches.apply(
            ExponentialBackoff.__init__,
            "__defaults__",
            lambda given: (*given[:at], _JITTER.random, *given[at + 1 :]),
        )
    return patches.undo


def patched() -> bool:
    """Whether both botocore draws go through the fake (a test holds botocore to it)."""
    import botocore.retryhandler as legacy
    from botocore.retries.standard import ExponentialBackoff

    defaults = ExponentialBackoff.__init__.__defaults__ or ()
    return legacy.random is _JITTER and _JITTER.random in defaults
