"""Tell the test's user, at once, of a thread sleeping in real time under the fake.

The watch (:mod:`pytest_batchjobs.time.real_sleep`) reports from its own thread, while
the test may still be hanging, so what it found reaches the user three ways:

* at once on the terminal: written to the stderr that pytest's capture saved, not to
  the captured one (a warning from another thread would wait for the session's end);
* in the test's report, as a section of its own: a test that fails, on a
  pytest-timeout too, shows it below its failure;
* as a :class:`~pytest_batchjobs.time.real_sleep.BatchJobsRealSleepWarning` when the
  fixture is torn down, at the sleeping line: it is in the warnings summary, and is an
  error where warnings are (``filterwarnings = error``).
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING

from ..time.real_sleep import BatchJobsRealSleepWarning, RealSleep, Watch, watch

if TYPE_CHECKING:
    import pytest

    from ..fake import BatchJobsFake

SECTION = "pytest-batchjobs real sleep"


class RealSleepNotice:
    """The watch over one test's fake, and what it found."""

    def __init__(self, fake: BatchJobsFake, item: pytest.Item) -> None:
        self._item = item
        self.found: list[RealSleep] = []
        # A fake that does not patch time.sleep (sleep=False) means to sleep for real.
        self._watch: Watch | None = watch(fake.clock.now, self._tell) if fake.patch_sleep else None

    def stop(self) -> None:
        """Stop watching (before the fake stops)."""
        if self._watch is not None:
            self._watch.stop()

    def warn(self) -> None:
        """Warn of each real sleep found, at its line (in the test's thread, so pytest's
        warning capture and filters apply)."""
        for found in self.found:
            warnings.warn_explicit(
                BatchJobsRealSleepWarning(found.message()),
                BatchJobsRealSleepWarning,
                found.where.filename,
                found.where.lineno,
            )

    def _tell(self, found: RealSleep) -> None:
        """From the watcher's thread: on the terminal now, and in the test's report."""
        self.found.append(found)
        message = found.message()
        os.write(_terminal_fd(self._item.config), f"\n{message}\n".encode())
        self._item.add_report_section("call", SECTION, message)


def _terminal_fd(config: pytest.Config) -> int:
    """The file descriptor of the terminal's stderr, past pytest's capture.

    Under ``--capture=fd`` (pytest's default) descriptor 2 goes to a temporary file
    during a test; pytest keeps the terminal's in its capture (``targetfd_save``, not
    public API: without it, the captured stderr, shown with a failing test).
    """
    capture = config.pluginmanager.getplugin("capturemanager")
    err = getattr(getattr(capture, "_global_capturing", None), "err", None)
    saved = getattr(err, "targetfd_save", None)
    if isinstance(saved, int):
        return saved
    stderr = sys.__stderr__
    return 2 if stderr is None else stderr.fileno()
