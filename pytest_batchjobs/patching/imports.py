"""One meta path finder for everything that waits for a library's import.

:func:`when_imported` runs a callback the moment a module has been imported (at once if
it already was). The finder is in ``sys.meta_path`` only while something waits, and
takes itself out when nothing does: a finder left there at exit keeps every module
alive past the interpreter's first garbage collection at shutdown (the ``sys`` module's
saved dict still holds the original list), which makes exiting cost a second full
collection.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

Callback = Callable[[], None]


class ImportWatch:
    """The finder: a meta path finder by its ``find_spec`` alone (subclassing
    ``importlib.abc``'s would import that module when pytest loads the plugin)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._waiting: dict[str, list[Callback]] = {}

    def add(self, module: str, callback: Callback) -> None:
        """Run ``callback`` once ``module`` has been imported; now if it is loaded."""
        if module in sys.modules:
            callback()
            return
        with self._lock:
            self._waiting.setdefault(module, []).append(callback)
            if self not in sys.meta_path:
                sys.meta_path.insert(0, self)

    def discard(self, module: str, callback: Callback) -> None:
        """Stop waiting with ``callback`` (nothing if it is not waiting)."""
        with self._lock:
            callbacks = self._waiting.get(module, [])
            if callback in callbacks:
                callbacks.remove(callback)
            if not callbacks:
                self._waiting.pop(module, None)
            self._out_if_idle()

    def waiting(self, module: str) -> bool:
        """Whether anything waits for ``module``."""
        return module in self._waiting

    def _out_if_idle(self) -> None:
        if not self._waiting and self in sys.meta_path:
            sys.meta_path.remove(self)

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in self._waiting:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader: Any = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            with self._lock:
                callbacks = self._waiting.pop(fullname, [])
                self._out_if_idle()
            for callback in callbacks:
                callback()

        loader.exec_module = exec_module
        return spec


WATCH = ImportWatch()


def when_imported(module: str, callback: Callback) -> Callable[[], None]:
    """Run ``callback`` once ``module`` is imported (now if it is); return what stops
    waiting (nothing once it has run)."""
    WATCH.add(module, callback)
    return lambda: WATCH.discard(module, callback)
