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

The loaded modules are not all read again at every start: only those loaded (or
replaced) since the last start are, and those found holding the original ``sleep``
then are checked again (:class:`_Holders`). A module whose ``sleep`` was rebound to
``time.sleep`` after it was read (``mod.sleep = time.sleep`` while no fake was
active) is not seen: it is one of the cases below.

A sleep bound some other way before the fake started (``from time import sleep as
pause``, a default argument ``sleep=time.sleep``) still blocks for real; pass
``batchjobs_fake.clock.sleep`` there.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

from ..active import active_fake
from ..patching.patches import Patches
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


class _Holders:
    """The loaded modules whose own ``sleep`` is ``time.sleep``, found incrementally.

    It keeps a copy of ``sys.modules`` as it last read it, and the modules it found.
    When ``sys.modules`` still equals that copy (the same modules under the same names:
    one comparison in C), nothing is read again; else only the entries that are new or
    replaced are, and the modules found that were removed are let go. When
    ``time.sleep`` is another function than the one it looked for, it reads them all
    again. Reading 900 modules took a third of a fake's start; the comparison costs a
    tenth of that.
    """

    def __init__(self) -> None:
        self._read: dict[str, Any] = {}
        self._found: list[tuple[str, ModuleType]] = []
        self._original: Callable[[float], None] | None = None

    def of(self, original: Callable[[float], None]) -> list[ModuleType]:
        """The loaded modules (other than ``time``) whose ``sleep`` is ``original``."""
        modules = sys.modules
        if original is not self._original:
            self._found = _holding(original, list(modules.items()))
            self._original, self._read = original, dict(modules)
        elif modules != self._read:  # identical values compare equal without __eq__
            read = self._read
            entries = list(modules.items())
            fresh = [(name, module) for name, module in entries if read.get(name) is not module]
            kept = [(name, module) for name, module in self._found if modules.get(name) is module]
            self._found = kept + _holding(original, fresh)
            self._read = dict(entries)
        return [module for _, module in self._found if module.__dict__.get("sleep") is original]


def _holding(
    original: Callable[[float], None], entries: list[tuple[str, Any]]
) -> list[tuple[str, ModuleType]]:
    """The entries of ``sys.modules`` (other than ``time``) whose module's ``sleep`` is
    ``original``."""
    found = []
    for name, module in entries:
        namespace = getattr(module, "__dict__", None)
        if namespace is not None and namespace.get("sleep") is original and module is not time:
            found.append((name, module))
    return found


_holders = _Holders()


def patch() -> Callable[[], None]:
    """Route ``time.sleep`` and botocore's adaptive bucket to :func:`sleep`; return
    the function that undoes it."""
    global _real_sleep
    if time.sleep is sleep:  # put back by someone who saved it while patched
        time.sleep = _real_sleep
    original = _real_sleep = time.sleep
    patches = Patches()
    patches.apply(time, "sleep", lambda _: sleep)
    for module in _holders.of(original):
        patches.apply(module, "sleep", lambda _: sleep, if_unchanged=True)
    restore_bucket = token_bucket.patch_botocore_bucket()

    def undo() -> None:
        try:
            patches.undo()
        finally:
            restore_bucket()

    return undo
