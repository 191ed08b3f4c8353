"""The fake clock: frozen time that only moves when the test moves it.

By default the clock freezes time at a fixed instant for the fake's whole life, with
time-machine when it is installed (start + stop cost microseconds) and freezegun
otherwise (start + stop scan every loaded module: about 10 ms). If the test has
already frozen time itself (freezegun's ``freeze_time``, pytest-freezer's ``freezer``,
time-machine's ``travel``), the clock follows that clock instead of fighting it:
jobs read their time from ``time.time()``, whoever patched it.
"""

from __future__ import annotations

import datetime as _dt
import sys
import time
from typing import Any

DEFAULT_START = _dt.datetime(2024, 1, 1, 9, 0, tzinfo=_dt.timezone.utc)
BACKENDS = ("auto", "time-machine", "freezegun")


class Clock:
    """Now, as jobs see it; ``advance()`` moves it forward."""

    def __init__(self, start: _dt.datetime | None = None, backend: str = "auto") -> None:
        if backend not in BACKENDS:
            raise ValueError(
                f"unknown clock backend {backend!r}; expected one of {', '.join(BACKENDS)}"
            )
        self.start_at = _aware(start or DEFAULT_START)
        self.backend = backend
        self._owned: Any = None
        self._travel: Any = None
        self._kind = "none"

    # -- life -------------------------------------------------------------------------

    def freeze(self) -> None:
        """Freeze time at ``start_at``, unless the test already froze it."""
        if _user_frozen():
            self._kind = "follow"
            return
        if self.backend in ("auto", "time-machine") and _time_machine_available(
            required=self.backend == "time-machine"
        ):
            import time_machine

            self._travel = time_machine.travel(self.start_at, tick=False)
            self._owned = self._travel.start()
            self._kind = "time-machine"
        else:
            from freezegun import freeze_time

            self._travel = freeze_time(self.start_at, tick=False)
            self._owned = self._travel.start()
            self._kind = "freezegun"

    def unfreeze(self) -> None:
        """Undo :meth:`freeze`."""
        if self._travel is not None:
            self._travel.stop()
        self._travel = self._owned = None
        self._kind = "none"

    @property
    def kind(self) -> str:
        """Which clock drives time: ``time-machine``, ``freezegun``, ``follow`` or ``none``."""
        return self._kind

    # -- reading and moving -----------------------------------------------------------

    def now(self) -> _dt.datetime:
        """The current fake time, an aware UTC datetime."""
        return _dt.datetime.fromtimestamp(time.time(), _dt.timezone.utc)

    def advance(
        self,
        seconds: float | _dt.timedelta = 0,
        *,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
    ) -> _dt.datetime:
        """Move fake time forward and return the new ``now``."""
        base = seconds if isinstance(seconds, _dt.timedelta) else _dt.timedelta(seconds=seconds)
        delta = base + _dt.timedelta(minutes=minutes, hours=hours, days=days)
        if delta < _dt.timedelta(0):
            raise ValueError(f"the clock only moves forward; got advance({delta})")
        self._shift(delta)
        return self.now()

    def _shift(self, delta: _dt.timedelta) -> None:
        if self._kind == "time-machine":
            self._owned.shift(delta)
        elif self._kind == "freezegun":
            self._owned.tick(delta)
        elif self._kind == "follow":
            _shift_user_clock(delta)
        else:
            raise RuntimeError(
                "the fake clock is not running: advance() works while the fake is active"
            )


def _aware(moment: _dt.datetime) -> _dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)


def _time_machine_available(required: bool) -> bool:
    try:
        import time_machine  # noqa: F401
    except ImportError:
        if required:
            raise RuntimeError(
                "clock backend 'time-machine' needs the time-machine package: "
                "pip install 'pytest-batchjobs[fast]'"
            ) from None
        return False
    return True


def _user_frozen() -> bool:
    freezegun_api = sys.modules.get("freezegun.api")
    if freezegun_api is not None and freezegun_api.freeze_factories:
        return True
    time_machine = sys.modules.get("time_machine")
    return bool(time_machine is not None and time_machine.traveller_stack)


def _shift_user_clock(delta: _dt.timedelta) -> None:
    freezegun_api = sys.modules.get("freezegun.api")
    if freezegun_api is not None and freezegun_api.freeze_factories:
        freezegun_api.freeze_factories[-1].tick(delta)
        return
    time_machine = sys.modules.get("time_machine")
    if time_machine is not None and time_machine.traveller_stack:
        time_machine.traveller_stack[-1].shift(delta)
