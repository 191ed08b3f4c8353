"""What a clock driver declares: a library that freezes time, and what the fake knows of it.

One module per library (``freezegun.py``, ``time_machine.py``) subclasses
:class:`ClockLibrary`: its name (the ``clock`` option's value), its distribution and
the releases its module was checked against, how to install it, where its freeze sits
(:class:`Layer`), how to start a freeze of its own, and how to find, read and move the
innermost freeze of that library, whoever started it (the test may freeze time itself).

Whatever the module reads of the library that the library does not document is read
through :meth:`ClockLibrary.internal` (or checked with :meth:`ClockLibrary.changed`): if a
release no longer has it, the fake fails when it starts, with a message naming the
library, the release installed, what is missing, and what to do, instead of an
``AttributeError`` deep in a poll.
"""

from __future__ import annotations

import abc
import datetime as _dt
import enum
import functools
import importlib.util
import re
import sys
from collections.abc import Callable
from typing import Any


class Layer(enum.IntEnum):
    """Where a library's freeze sits between the caller and the system clock.

    When several freezes are active (the fake's, and one the test started inside the
    fake's life), the one everybody reads is the one nearest the caller: freezegun
    replaces ``time.time``, ``datetime.datetime`` and friends where they are bound, in
    front of time-machine's patch of the C functions underneath.
    """

    #: Nothing but the fake reads it (a clock a test suite keeps in memory).
    OWN = 0
    #: The C functions under ``time.time()`` and ``datetime.now()`` (time-machine).
    C_FUNCTIONS = 1
    #: The module attributes bound to the time functions (freezegun).
    MODULE_ATTRIBUTES = 2


class UnsupportedClockLibrary(RuntimeError):
    """The installed release of a time library lacks what the fake's driver for it reads."""


_MISSING = object()


class ClockLibrary(abc.ABC):
    """One library that freezes time, as the fake drives it.

    A subclass sets the class attributes and writes :meth:`freeze`, :meth:`innermost`,
    :meth:`read` and :meth:`move`; :meth:`check` if moving a freeze needs more than
    :meth:`innermost` checked. The fake's own freeze is :meth:`freeze`'s; reading and
    moving time always go to the innermost freeze of the library on top, whoever started
    it (``pytest_batchjobs.time.drivers._top``).
    """

    #: The ``clock`` option's value that asks for it, and what ``Clock.kind`` shows.
    name: str
    #: The package to import (``time_machine``).
    module: str
    #: The distribution that installs it, and the oldest and the newest release this
    #: module was checked against; ``None`` for a clock that is no installed package
    #: (a test suite's own), which has no release to check.
    distribution: str | None = None
    known: tuple[str, str] = ("", "")
    #: How a user installs it (``pip install 'pytest-batchjobs[fast]'``).
    install: str
    #: Where its freeze sits (the freeze nearest the caller is the one everybody reads).
    layer: Layer

    # -- what a library module writes ---------------------------------------------------

    @abc.abstractmethod
    def freeze(self, at: _dt.datetime) -> Callable[[], None]:
        """Freeze time at ``at`` (an aware UTC datetime); return what undoes it."""

    @abc.abstractmethod
    def innermost(self) -> object | None:
        """The innermost active freeze of this library (the fake's or the test's), or
        ``None`` when the library is not loaded or nothing of it is active."""

    @abc.abstractmethod
    def read(self, freeze: Any) -> _dt.datetime:
        """The time ``freeze`` (from :meth:`innermost`) holds, an aware UTC datetime."""

    @abc.abstractmethod
    def move(self, freeze: Any, delta: _dt.timedelta) -> None:
        """Move ``freeze`` (from :meth:`innermost`) forward by ``delta``."""

    def check(self, freeze: Any) -> None:
        """Fail now, with :meth:`changed`, if :meth:`move` could not move ``freeze``
        (the fake is about to follow it). Nothing to check by default."""
        return

    # -- what every library gets ----------------------------------------------------------

    def installed(self) -> bool:
        """Whether the library can be imported (without importing it)."""
        return self.module in sys.modules or importlib.util.find_spec(self.module) is not None

    def version(self) -> str | None:
        """The installed release, ``None`` if the distribution is not installed as one."""
        return None if self.distribution is None else _version_of(self.distribution)

    def check_release(self) -> None:
        """Fail with :class:`UnsupportedClockLibrary` if the installed release is older
        than the oldest this module knows."""
        installed = self.version()
        oldest = self.known[0]
        if installed is not None and _release(installed) < _release(oldest):
            raise UnsupportedClockLibrary(
                f"the fake's {self.name} clock needs {self.distribution} {oldest} or later; "
                f"{self.distribution} {installed} is installed. Upgrade it "
                f"(pip install '{self.distribution}>={oldest}'){self._or_another()}"
            )

    def internal(self, owner: Any, attribute: str, role: str) -> Any:
        """``owner.attribute``, an internal of the library the fake relies on: a
        :meth:`changed` error if this release has no such thing. ``role`` says what
        the fake reads it for."""
        value = getattr(owner, attribute, _MISSING)
        if value is _MISSING:
            where = getattr(owner, "__name__", type(owner).__name__)
            raise self.changed(f"{where}.{attribute}", role)
        return value

    def changed(
        self, missing: str, role: str, fix: str = "", another: bool = True
    ) -> UnsupportedClockLibrary:
        """The error for a release that lacks ``missing`` (read for ``role``): it names
        the library, the release, what is missing, and what to do (``fix``, else pin a
        release this module knows), and, if ``another`` clock would do, the others."""
        package = self.distribution or self.name
        installed = self.version() or "(release unknown)"
        oldest, newest = self.known
        fix = fix or f"pin a release it knows: pip install '{package}>={oldest},<={newest}'"
        return UnsupportedClockLibrary(
            f"the fake's {self.name} clock reads {missing} ({role}), which {package} "
            f"{installed} does not have; pytest-batchjobs knows {package} {oldest} to "
            f"{newest}. To fix it, {fix}{self._or_another() if another else '.'}"
        )

    def _or_another(self) -> str:
        """The end of a message: the other installed clocks the fake can freeze with."""
        from . import registry

        others = [
            library.name
            for library in registry.libraries()
            if library.name != self.name and library.installed()
        ]
        if not others:
            return "."
        return (
            f"; or have the fake freeze time with another library: batchjobs_clock = "
            f"{others[0]} (clock={others[0]!r} in the batchjobs marker or fake_batchjobs())."
        )

    def __repr__(self) -> str:
        return f"<clock library {self.name}>"


@functools.cache
def _version_of(distribution: str) -> str | None:
    """The installed release of ``distribution`` (read once: reading it costs about a
    millisecond)."""
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.cache
def _release(version: str) -> tuple[int, ...]:
    """The release numbers a version starts with: ``"1.5.5"`` -> ``(1, 5, 5)``."""
    match = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(part) for part in match.group().split(".")) if match else ()
