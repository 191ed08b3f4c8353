"""Put the client libraries' handlers in place the moment anything imports them.

* ``botocore.handlers``: the fake's ``before-send`` handler joins botocore's built-in
  handlers (:func:`.botocore.install`), so every session made afterwards carries it.
* ``aiobotocore.session`` (the last of aiobotocore to load): aiobotocore's table of
  the botocore handlers it swaps for async twins learns the fake's
  (:func:`.aiobotocore.loaded`), and, if a fake is active, aiobotocore is patched as
  it would have been at the fake's start.

Kept apart from the transports, which load only when their library does: pytest loads
this module in every run (and rewrites its asserts, compiling it from source when
bytecode is not written), so it stays small. The plugin waits for the libraries for
the whole pytest run; an active fake waits for them while it is active (outside
pytest too).
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

_WATCHED = ("botocore.handlers", "aiobotocore.session")


def _loaded(fullname: str) -> None:
    """``fullname`` (one of :data:`_WATCHED`) has just been imported, or already was."""
    if fullname == "botocore.handlers":
        from .botocore import install

        install()
    else:
        from .aiobotocore import loaded

        loaded()


class _InstallOnImport:
    """A meta path finder by its ``find_spec`` alone.

    Subclassing ``importlib.abc``'s would import that module (and more) when pytest
    loads the plugin.
    """

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in _WATCHED:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader: Any = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            if all(name in sys.modules for name in _WATCHED):
                _remove_hook()
            _loaded(fullname)

        loader.exec_module = exec_module
        return spec


_hook = _InstallOnImport()
_waiting = 0  # pytest runs and active fakes between install_when_imported and stop_waiting


def _remove_hook() -> None:
    if _hook in sys.meta_path:
        sys.meta_path.remove(_hook)


def install_when_imported() -> None:
    """Register now for each library that is loaded, and as soon as the others are
    (costs nothing now)."""
    global _waiting
    _waiting += 1
    for name in _WATCHED:
        if name in sys.modules:
            _loaded(name)
    if not all(name in sys.modules for name in _WATCHED) and _hook not in sys.meta_path:
        sys.meta_path.insert(0, _hook)


def stop_waiting() -> None:
    """Undo one :func:`install_when_imported`; the last one takes the hook out.

    A finder left in ``sys.meta_path`` at exit keeps every module alive past the
    interpreter's first garbage collection at shutdown (the ``sys`` module's saved
    dict still holds the original list), which makes exiting cost a second full
    collection.
    """
    global _waiting
    _waiting = max(0, _waiting - 1)
    if _waiting == 0:
        _remove_hook()
