"""The clocks the fake can freeze time with, and the only list of them.

A clock is a module of this package declaring a
:class:`~pytest_batchjobs.time.drivers.library.ClockLibrary`; adding one is adding its
module and its line in :data:`BUILT_IN`. Everything else reads the registry: the
``clock`` option's values, their checks and their words in the docs' tables
(``options.py``), ``auto``'s choice, and which freeze is on top
(``pytest_batchjobs.time.drivers._top``).

The order is ``auto``'s: the first one installed. A clock defined elsewhere (a test
suite's own) joins for a while with :func:`registered`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from . import freezegun, time_machine
from .library import ClockLibrary

#: Fastest first: ``auto`` is the first of them installed.
BUILT_IN: tuple[ClockLibrary, ...] = (
    time_machine.LIBRARY,
    freezegun.LIBRARY,
)

#: What the ``clock`` option takes beyond the clocks' names.
AUTO = "auto"
#: What ``Clock.kind`` may show beyond them: following the test's freeze, or none.
RESERVED = (AUTO, "follow", "none")

_lock = threading.Lock()
_libraries: list[ClockLibrary] = list(BUILT_IN)
#: Every clock, the one whose freeze everybody reads first when several are active:
#: the order in which the clock on top is looked for, on every read of the time. Kept
#: up to date here on each change (read it, do not change it).
NEAREST_FIRST: list[ClockLibrary] = []


def _derive() -> None:
    NEAREST_FIRST[:] = sorted(_libraries, key=lambda library: -library.layer)


_derive()


def libraries() -> tuple[ClockLibrary, ...]:
    """Every clock, in ``auto``'s order."""
    return tuple(_libraries)


def names() -> tuple[str, ...]:
    """The clocks' names, in ``auto``'s order."""
    return tuple(library.name for library in _libraries)


def backends() -> tuple[str, ...]:
    """What the ``clock`` option takes: ``auto`` and every clock's name."""
    return (AUTO, *names())


def get(name: str) -> ClockLibrary:
    """The clock named ``name`` (a ``KeyError`` if there is none)."""
    for library in _libraries:
        if library.name == name:
            return library
    raise KeyError(name)


def auto_words() -> str:
    """What ``auto`` picks, in words, for the options' help and tables:
    ``time-machine when installed: `pip install ...`; else freezegun``."""
    *first, last = _libraries
    return (
        "".join(f"{library.name} when installed: `{library.install}`; else " for library in first)
        + last.name
    )


@contextlib.contextmanager
def registered(library: ClockLibrary) -> Iterator[ClockLibrary]:
    """The registry with ``library`` added (last: ``auto`` picks it only when no other
    is installed) until the block ends, then as it was, whatever the block raised.

    For a clock defined outside the package: a test suite's own. Its name must be new,
    and not one of the option's other words (a ``ValueError`` says so).
    """
    with _lock:
        if library.name in (*RESERVED, *names()):
            raise ValueError(
                f"a clock named {library.name!r} is already registered or reserved: "
                f"{', '.join((*RESERVED, *names()))}"
            )
        _libraries.append(library)
        _derive()
    try:
        yield library
    finally:
        with _lock:
            _libraries.remove(library)
            _derive()
