"""What the process has only one of while any fake is active: dummy credentials in the
environment, the transports in place, the sleep patch, asyncio's loop time; all undone
when the last stops."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import ExitStack

from .active import DUMMY_CREDENTIALS
from .time import loop_patch, retry_jitter, sleep_patch
from .wire.facts import DEFAULT_REGION

_CLEARED_ENV = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN")


class Shared:
    """What the process has only one of, changed while any fake is active.

    Fakes may start and stop in any order (start A, start B, stop A, stop B). The
    first to start saves the environment and puts dummy credentials in it, and puts
    the transports in place; the first that lets fake time pass patches
    ``time.sleep``; asyncio's loops keep their time on the patched clock of
    :mod:`~pytest_batchjobs.time.loop_patch` (whatever the options: no frozen clock may
    hang a loop), following the innermost fake that lets loop time pass; a fake that
    froze the clock leaves the freeze in place when it stops, for the fakes started
    after it read their time from it. All of that is undone when the last active fake
    stops, in reverse order, each step even if an earlier one raised. So no fake ever
    takes another's patch for an original.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()  # one start or stop at a time, in the process
        self._until_last = ExitStack()
        self._sleep_patched = False

    def first_started(self) -> None:
        """The first active fake starts: dummy credentials, loop time, the transports.
        If a step fails, the caller undoes the steps before it with
        :meth:`last_stopped`."""
        from .transports import registry

        self.until_last(_patch_env())
        self.until_last(loop_patch.patch())
        self.until_last(retry_jitter.patch())
        self.until_last(registry.deactivate)
        registry.activate()

    def patch_sleep(self) -> None:
        """A fake that lets fake time pass has started: patch sleeping, if not yet."""
        if not self._sleep_patched:
            self.until_last(sleep_patch.patch())
            self._sleep_patched = True

    def innermost_changed(self) -> None:
        """A fake was pushed on or popped off the active stack: loop time follows the
        innermost one's clock if it lets loop time pass, else real time."""
        loop_patch.sync()

    def until_last(self, undo: Callable[[], None]) -> None:
        """Call ``undo()`` when the last active fake stops."""
        self._until_last.callback(undo)

    def last_stopped(self) -> None:
        """No fake is active any more: undo everything, the last change first."""
        self._sleep_patched = False
        self._until_last.close()


SHARED = Shared()


def dummy_environment() -> dict[str, str | None]:
    """What the first fake to start changes in ``os.environ`` now: dummy credentials,
    no profile, and a region if there is none (``None`` removes a variable)."""
    changes: dict[str, str | None] = {**DUMMY_CREDENTIALS}
    changes.update(dict.fromkeys(_CLEARED_ENV))
    if not os.environ.get("AWS_DEFAULT_REGION"):  # botocore reads no other variable
        changes["AWS_DEFAULT_REGION"] = DEFAULT_REGION
    return changes


def _patch_env() -> Callable[[], None]:
    """Dummy credentials and a region in ``os.environ``; return what puts back the
    values they replaced."""
    changes = dummy_environment()
    saved = {name: os.environ.get(name) for name in changes}
    _set_env(changes)
    return lambda: _set_env(saved)


def _set_env(values: dict[str, str | None]) -> None:
    """Set each variable to its value; ``None`` removes it."""
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
