"""A neighbour's version guard: the oldest release the plugin supports, and a check that
the internals the plugin reads are still there.

A library's internals change without notice. Each module of this package lists what it
reads of its library (:attr:`Guard.reads`); the adapter that uses the module runs
:meth:`Guard.check` when the library is first used beside an active fake (never at
import). If something is missing, the guard says so in one message naming the library,
its installed version, what is missing, and what to do: pin the library below that
version, and report it. Whether that message is an error or a warning is the library's
module's choice (:attr:`Guard.fails`), made by what the plugin does without it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Read = Callable[[], object]


class NeighbourChangedError(Exception):
    """A library the plugin lives beside lacks an internal the plugin needs to work."""


class NeighbourChangedWarning(UserWarning):
    """A library the plugin lives beside lacks an internal the plugin reads to stand
    beside its mocks; the plugin works on without it, as the message says."""


@dataclass
class Guard:
    """What the plugin reads of one library, and the check that it is there."""

    distribution: str
    """The library's name on PyPI (``pytest-httpx``)."""

    oldest: str
    """The oldest release the plugin supports (pyproject's minimum)."""

    reads: Mapping[str, Read]
    """Each internal the plugin reads, by the name the message shows, with a function
    that reads it (and raises ``AttributeError`` if it is gone)."""

    fails: bool
    """Whether a missing internal is an error (the plugin cannot do its job) or a
    warning (the plugin works on, as :attr:`without` says)."""

    without: str
    """What the plugin does while an internal is missing."""

    _sound: bool | None = field(default=None, init=False, repr=False)
    _warned: set[str] = field(default_factory=set, init=False, repr=False)

    def missing(self) -> list[str]:
        """The internals in :attr:`reads` that are not there, checked now."""
        absent = []
        for name, read in self.reads.items():
            try:
                read()
            except (AttributeError, KeyError, TypeError):
                absent.append(name)
        return absent

    def check(self) -> bool:
        """Whether every internal is there: checked once (an error is raised again
        each time). Raises :class:`NeighbourChangedError`, or warns once with
        :class:`NeighbourChangedWarning` and returns ``False``."""
        if self._sound is None:
            absent = self.missing()
            if absent:
                self.changed(absent)
            self._sound = not absent
        return self._sound

    def changed(self, absent: list[str]) -> None:
        """Report ``absent`` internals found missing (here or where they are read):
        raise, or warn once."""
        if self.fails:
            raise NeighbourChangedError(self.explain(absent))
        new = [name for name in absent if name not in self._warned]
        if new:
            self._warned.update(new)
            warnings.warn(self.explain(new), NeighbourChangedWarning, stacklevel=2)

    def explain(self, absent: list[str]) -> str:
        """The message: the library and its version, what is missing, what the plugin
        does without it, and how to fix it."""
        version = installed(self.distribution)
        lines = [
            f"pytest-batchjobs cannot stand beside {self.distribution} {version}: it reads "
            f"{', '.join(absent)}, which {self.distribution} {version} no longer has.",
            self.without,
            f"Fix: pin {self.distribution} below this release (pip install "
            f'"{self.distribution}>={self.oldest},<{version}"), and report it to '
            f"pytest-batchjobs with this message (supported: {self.distribution} "
            f">= {self.oldest}, README: Installing).",
        ]
        return "\n".join(lines)


def installed(distribution: str) -> str:
    """The installed release of ``distribution`` (``unknown`` if it has no metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"
