"""The client libraries the fake answers: one line per adapter.

Each line names the module whose import the adapter waits for and the adapter's module
(which holds its :class:`~.interceptor.Interceptor` as ``INTERCEPTOR``, and imports its
library: it is imported only once the library is). While any fake is active each
adapter's patches are in place as soon as its library is loaded; when the last fake
stops they are undone, the last applied first. A line with ``on_import`` also runs the
adapter's :meth:`~.interceptor.Interceptor.install` the moment its library loads while
the plugin is loaded (botocore's built-in handlers, which every later session copies).

Adding a client library: a module with its interceptor, and a line here.
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, Any

from ..patching.imports import when_imported

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..patching.patches import Patches
    from .interceptor import Interceptor


class Adapter:
    """One client library's line. A plain class: pytest imports this module in every
    run (through the plugin), where a dataclass's making would cost a millisecond."""

    __slots__ = ("attribute", "eager", "library", "module", "on_import")

    def __init__(
        self,
        library: str,  # the module whose import the adapter waits for
        module: str,  # the adapter's module, relative to this package
        *,
        eager: bool = False,  # imported when a fake starts (the fake loads it anyway)
        on_import: bool = False,  # install() when it loads, while the plugin is loaded
        attribute: str = "INTERCEPTOR",  # where the adapter's module holds its interceptor
    ) -> None:
        self.library = library
        self.module = module
        self.eager = eager
        self.on_import = on_import
        self.attribute = attribute

    def __repr__(self) -> str:
        return f"Adapter({self.library!r}, {self.module!r})"

    def interceptor(self) -> Interceptor:
        loaded: Any = importlib.import_module(self.module, __package__)
        interceptor: Interceptor = getattr(loaded, self.attribute)
        return interceptor


ADAPTERS = (
    Adapter("botocore.handlers", ".botocore", eager=True, on_import=True),
    Adapter("aiobotocore.session", ".aiobotocore", on_import=True),
    Adapter("moto.core.models", ".beside_moto"),
    Adapter("socket", ".lookups", eager=True),
    Adapter("urllib.request", ".urllib_request", eager=True),
    Adapter("requests", ".requests", eager=True),
    Adapter("httpx", ".httpx"),
    Adapter("pytest_httpx._httpx_mock", ".httpx", attribute="BESIDE_PYTEST_HTTPX"),
    Adapter("respx.mocks", ".httpx", attribute="BESIDE_RESPX"),
    Adapter("aiohttp", ".aiohttp"),
    Adapter("aioresponses", ".aiohttp", attribute="BESIDE_AIORESPONSES"),
    Adapter("urllib3", ".urllib3"),
)

_lock = threading.RLock()  # one activation, deactivation or library import at a time


class _Active:
    """The adapters' state while any fake is active."""

    def __init__(self) -> None:
        self.on = False
        self.patches: dict[Adapter, Patches] = {}
        self.stop_waiting: list[Callable[[], None]] = []


_ACTIVE = _Active()


def activate() -> None:
    """The first fake starts: each adapter's patches now if its library is loaded (or
    ``eager``), else the moment it is."""
    with _lock:
        if _ACTIVE.on:
            return
        _ACTIVE.on = True
    for adapter in ADAPTERS:
        if adapter.eager:
            importlib.import_module(adapter.library)
        _ACTIVE.stop_waiting.append(when_imported(adapter.library, _applier(adapter)))


def deactivate() -> None:
    """The last fake stopped: stop waiting, and undo every adapter's patches, the last
    applied first, each even if another raises."""
    with _lock:
        _ACTIVE.on = False
        waiting, _ACTIVE.stop_waiting = _ACTIVE.stop_waiting, []
        applied = list(_ACTIVE.patches.values())
        _ACTIVE.patches.clear()
    for stop in waiting:
        stop()
    errors: list[BaseException] = []
    for patches in reversed(applied):
        try:
            patches.undo()
        except BaseException as error:
            errors.append(error)
    if errors:
        raise errors[0]


def _applier(adapter: Adapter) -> Callable[[], None]:
    def apply() -> None:
        with _lock:
            if not _ACTIVE.on or adapter in _ACTIVE.patches:
                return
            from ..patching.patches import Patches

            interceptor = adapter.interceptor()
            if adapter.on_import:
                interceptor.install()
            patches = _ACTIVE.patches[adapter] = Patches()
            for patch in interceptor.patches():
                patches.apply(patch.owner, patch.name, patch.wrap, layered=patch.layered)

    return apply


# -- while the plugin is loaded ------------------------------------------------------------

_installing: list[Callable[[], None]] = []


def install_on_import() -> None:
    """While the plugin is loaded (a pytest run): the ``on_import`` adapters install
    the moment their library loads (now if it is)."""
    for adapter in ADAPTERS:
        if adapter.on_import:
            _installing.append(when_imported(adapter.library, _installer(adapter)))


def stop_installing() -> None:
    """The run is over: stop waiting (no finder is left behind to slow the exit)."""
    while _installing:
        _installing.pop()()


def _installer(adapter: Adapter) -> Callable[[], None]:
    def install() -> None:
        with _lock:
            adapter.interceptor().install()

    return install
