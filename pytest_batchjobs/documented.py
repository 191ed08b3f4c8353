"""What an object handed to tests shows: its documented names, not the fake's machinery.

Some records the fake hands out (a stored job, its timeline, a lifecycle, a fault rule)
are also the fake's working state, read under public names by the modules that keep
them (or by code written when a release documented them). :class:`Documented` keeps
those names working while ``dir()`` (and so tab completion) shows the documented ones
only, with the private and special names Python shows for any object.
docs/reference/api.md lists the documented names, and tests/test_public_surface.py
holds the two together.
"""

from __future__ import annotations

from typing import ClassVar


class Documented:
    """A base whose ``dir()`` shows the names in ``_documented``, and no other public
    name; the others stay readable, for the fake's own modules."""

    __slots__ = ()
    _documented: ClassVar[tuple[str, ...]] = ()

    def __dir__(self) -> list[str]:
        private = (name for name in object.__dir__(self) if name.startswith("_"))
        return sorted({*private, *self._documented})
