"""ISO 8601 instants, read and written one way wherever the fake meets them: the wire's
timestamps, the options (``start``), the control API's bodies and answers."""

from __future__ import annotations

import datetime as _dt


def parse_iso(text: str) -> _dt.datetime:
    """The instant ``text`` writes in ISO 8601 (``Z`` or an offset; naive if it has
    neither); ``ValueError`` if it is none."""
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def format_iso(moment: _dt.datetime) -> str:
    """``moment`` in ISO 8601, in UTC, with a ``Z`` (a naive one is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")
