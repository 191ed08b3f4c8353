"""Put a transport in place for a library only once that library is loaded.

Importing a client library to patch it would cost every test run its import time (httpx
and its dependencies take about 100 ms), and most runs never use it. So while a fake is
active, a transport whose library is not loaded yet waits for it: a meta path finder
watches for the library's import, and activates the transport right after the library
has run. A library already loaded is patched at once.
"""

from __future__ import annotations

import importlib
import sys
import threading
from types import ModuleType
from typing import Any

_lock = threading.Lock()


class WhenLoaded:
    """Activate ``transport`` (a module path with ``activate()`` / ``deactivate()``)
    while any fake is active and the top-level module ``library`` is loaded.

    A meta path finder by its ``find_spec`` alone: subclassing ``importlib.abc``'s would
    import that module when pytest loads the plugin.
    """

    def __init__(self, library: str, transport: str) -> None:
        self.library = library
        self.transport = transport
        self._active = False

    def activate(self) -> None:
        """While a fake is active: the transport now, or when its library loads."""
        with _lock:
            self._active = True
            if self.library not in sys.modules:
                if self not in sys.meta_path:
                    sys.meta_path.insert(0, self)
                return
        self._load().activate()

    def deactivate(self) -> None:
        """No fake is active any more: stop waiting, and undo the transport if it ran."""
        with _lock:
            self._active = False
            if self in sys.meta_path:
                sys.meta_path.remove(self)
        loaded = sys.modules.get(self.transport)
        if loaded is not None:
            loaded.deactivate()

    def _load(self) -> Any:
        return importlib.import_module(self.transport)

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.library:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader: Any = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            with _lock:
                if self in sys.meta_path:
                    sys.meta_path.remove(self)
                active = self._active
            if active:
                self._load().activate()

        loader.exec_module = exec_module
        return spec
