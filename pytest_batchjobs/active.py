"""Which fake is active now: the one thing every transport looks up on each request.

Kept apart from :mod:`pytest_batchjobs.fake` so that the transports' hooks, installed
when pytest loads the plugin, import nothing else.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fake import BatchJobsFake

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "FAKEBATCHJOBSKEY0000",
    "AWS_SECRET_ACCESS_KEY": "fake-batchjobs-secret",
    "AWS_SESSION_TOKEN": "fake-batchjobs-session",
}

_stack: list[BatchJobsFake] = []
_lock = threading.Lock()


def active_fake() -> BatchJobsFake | None:
    """The innermost active fake, if any."""
    return _stack[-1] if _stack else None


def push(fake: BatchJobsFake) -> None:
    """Make ``fake`` the active one."""
    with _lock:
        _stack.append(fake)


def pop(fake: BatchJobsFake) -> None:
    """``fake`` is no longer active."""
    with _lock:
        if fake in _stack:
            _stack.remove(fake)
