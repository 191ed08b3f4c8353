"""Which fake is active now: the one thing every transport looks up on each request.

The stack holds, for each active fake, the fake itself (as the sleeping patch reads
it: its clock, whether it lets fake time pass) and its core (as the transports see it:
:class:`~pytest_batchjobs.core.contract.Core`). It knows no fake class, so the
transports' hooks, installed when pytest loads the plugin, import nothing else.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:
    import random

    from .core.contract import Core
    from .time.clock import Clock

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "FAKEBATCHJOBSKEY0000",
    "AWS_SECRET_ACCESS_KEY": "fake-batchjobs-secret",
    "AWS_SESSION_TOKEN": "fake-batchjobs-session",
}


class ActiveFake(Protocol):
    """An active fake, as sleeping sees it."""

    @property
    def clock(self) -> Clock: ...

    @property
    def patch_sleep(self) -> bool: ...

    @property
    def loop_time(self) -> bool: ...

    _retry_jitter: random.Random  # botocore's retry backoff draws from it (seeded)


class _Entry(NamedTuple):
    fake: ActiveFake
    core: Core


_stack: list[_Entry] = []
_lock = threading.Lock()


def active_fake() -> ActiveFake | None:
    """The innermost active fake, if any."""
    return _stack[-1].fake if _stack else None


def active_core() -> Core | None:
    """The core of the innermost active fake, if any: what a transport answers with."""
    return _stack[-1].core if _stack else None


def push(fake: ActiveFake, core: Core) -> None:
    """Make ``fake`` (answering with ``core``) the active one."""
    with _lock:
        _stack.append(_Entry(fake, core))


def pop(fake: ActiveFake) -> None:
    """``fake`` is no longer active."""
    with _lock:
        for entry in _stack:
            if entry.fake is fake:
                _stack.remove(entry)
                return
