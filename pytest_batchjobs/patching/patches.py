"""Replace attributes of other libraries while a fake is active, and put them back.

:class:`Patches` records each replacement with what it replaced. :meth:`Patches.undo`
puts the originals back the latest first, each even if putting another back raises.

Some attributes are patched by others too, on top of the fake's replacement and after
it: a test's ``responses`` or pytest_httpx mock, a ``monkeypatch`` of
``socket.getaddrinfo``. Putting the original back then would throw away their patch,
and their own undo would later put the fake's back. A replacement made with
``layered=True`` is a layer in that chain: undone while another patch is on top, it
stays and passes every call to what it replaced (inert), and takes itself out the next
time it is called on top. :func:`below` tells what a layer passes calls to, for code
that walks such a chain (is the user's mock under the fake's layer?). A replacement
made with ``if_unchanged=True`` is put back only if it is still there: a module that
rebound the name meanwhile (``time.sleep`` in a module, freezegun's ``monotonic``)
keeps what it put.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Wrap = Callable[[Any], Any]
_LAYER = "_pytest_batchjobs_layer"  # on a layered replacement: its _Replaced


@dataclass
class _Replaced:
    owner: Any
    name: str
    original: Any
    replacement: Any = None
    layered: bool = False
    if_unchanged: bool = False
    inert: bool = False

    def on_top(self) -> bool:
        return _own(self.owner, self.name) is self.replacement

    def take_out(self) -> None:
        """Put the original back if the replacement is still on top."""
        if self.on_top():
            setattr(self.owner, self.name, self.original)


class Patches:
    """The attributes one part of the fake has replaced, with their originals."""

    def __init__(self) -> None:
        self._replaced: list[_Replaced] = []

    @property
    def applied(self) -> bool:
        return bool(self._replaced)

    def apply(
        self,
        owner: Any,
        name: str,
        wrap: Wrap,
        *,
        layered: bool = False,
        if_unchanged: bool = False,
    ) -> Any:
        """Replace ``owner.name`` (a class's or module's own attribute) by
        ``wrap(original)``; return the replacement. ``if_unchanged``: put the original
        back only if the replacement is still there (a module that rebound the name
        meanwhile keeps its own)."""
        record = _Replaced(
            owner, name, _own(owner, name), layered=layered, if_unchanged=if_unchanged
        )
        made = wrap(record.original)
        record.replacement = _layer(record, made) if layered else made
        setattr(owner, name, record.replacement)
        self._replaced.append(record)
        return record.replacement

    def undo(self) -> None:
        """Put every original back, the latest replaced first, each even if another
        raises (the first error is raised at the end). A layered replacement with
        another patch on top stays, inert."""
        errors: list[BaseException] = []
        while self._replaced:
            record = self._replaced.pop()
            try:
                if record.layered and not record.on_top():
                    record.inert = True
                elif record.if_unchanged:
                    record.take_out()
                else:
                    setattr(record.owner, record.name, record.original)
            except BaseException as error:
                errors.append(error)
        if errors:
            raise errors[0]


def below(function: Any) -> Any:
    """What ``function`` passes calls to, if it is a layered replacement (else ``None``)."""
    record = getattr(function, _LAYER, None)
    return None if record is None else record.original


def is_layer(function: Any) -> bool:
    """Whether ``function`` is one of the fake's layered replacements."""
    return getattr(function, _LAYER, None) is not None


def _own(owner: Any, name: str) -> Any:
    """``owner``'s own ``name`` as stored (a classmethod stays a classmethod)."""
    namespace = getattr(owner, "__dict__", None)
    if namespace is not None and name in namespace:
        return namespace[name]
    return getattr(owner, name)


def _layer(record: _Replaced, replacement: Callable[..., Any]) -> Callable[..., Any]:
    """``replacement`` as a layer: once inert, it passes calls down and takes itself
    out when called on top."""
    layer: Callable[..., Any]
    if inspect.iscoroutinefunction(replacement):

        @functools.wraps(replacement)
        async def layer(*args: Any, **kwargs: Any) -> Any:
            if record.inert:
                record.take_out()
                return await record.original(*args, **kwargs)
            return await replacement(*args, **kwargs)

    else:

        @functools.wraps(replacement)
        def layer(*args: Any, **kwargs: Any) -> Any:
            if record.inert:
                record.take_out()
                return record.original(*args, **kwargs)
            return replacement(*args, **kwargs)

    setattr(layer, _LAYER, record)
    return layer
