"""While a fake is active, sleeping lets fake time pass instead of blocking.

:func:`patch` routes sleeping to :func:`sleep`, once for the whole process (the
first active fake that lets fake time pass calls it; the last active fake to stop
undoes it):

* ``time.sleep`` itself, and every loaded module's own ``sleep`` name bound to it
  (``from time import sleep``, imported before the fake started);
* botocore's adaptive retry token bucket, which waits for capacity with a real
  timeout and would wait for ever under a frozen clock
  (:mod:`.token_bucket`: its wait becomes a fake sleep).

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

from ..active import active_fake
from . import token_bucket

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
    restore_bucket = token_bucket.patch_botocore_bucket()

    def undo() -> None:
        time.sleep = _real_sleep
        for module in modules:
            if module.__dict__.get("sleep") is sleep:  # not rebound since
                module.sleep = _real_sleep  # type: ignore[attr-defined]
        restore_bucket()

    return undo
