"""Register the botocore handlers the moment anything imports ``botocore.handlers``.

Kept apart from :mod:`pytest_batchjobs.transports.botocore`, which loads only when
botocore does: pytest loads this module in every run (and rewrites its asserts,
compiling it from source when bytecode is not written), so it stays small.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any


class _InstallOnImport:
    """A meta path finder by its ``find_spec`` alone.

    Subclassing ``importlib.abc``'s would import that module (and more) when pytest
    loads the plugin.
    """

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "botocore.handlers":
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        loader: Any = spec.loader
        original_exec = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original_exec(module)
            _remove_hook()
            from .botocore import install

            install()

        loader.exec_module = exec_module
        return spec


_hook = _InstallOnImport()
_waiting = 0  # pytest runs (configs) between install_when_imported and stop_waiting


def _remove_hook() -> None:
    if _hook in sys.meta_path:
        sys.meta_path.remove(_hook)


def install_when_imported() -> None:
    """Register now if botocore is loaded, else as soon as it is (costs nothing now)."""
    global _waiting
    _waiting += 1
    if "botocore.handlers" in sys.modules:
        from .botocore import install

        install()
    elif _hook not in sys.meta_path:
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
