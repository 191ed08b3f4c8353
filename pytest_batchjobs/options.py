"""One typed options object: marker keywords over ini options over defaults."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any

from .time.clock import DEFAULT_HORIZON
from .time.drivers import BACKENDS


@dataclasses.dataclass(frozen=True, kw_only=True)
class FakeOptions:
    """How a ``batchjobs_fake`` is set up.

    ``start``: the instant the fake clock starts at (UTC if naive).
    ``clock``: ``auto`` (time-machine when installed, else freezegun), ``time-machine``
    or ``freezegun``. ``max_page_size``: the most items any list page holds.
    ``validate_outputs``: check every response against botocore's output shape.
    ``sleep``: whether ``time.sleep`` lets fake time pass instead of blocking.
    ``horizon``: how far sleeping alone may carry fake time before the test fails as
    polling forever (seconds or a ``timedelta``; ``None`` for no limit).
    ``account``: the AWS account id in job ARNs (12 digits; ``None``: moto's
    ``MOTO_ACCOUNT_ID`` while moto is active, else 123456789012).
    ``seed``: the seed of the factory's randomness (``None``: derived from the
    session's ``--batchjobs-seed`` and the test's id).
    """

    start: _dt.datetime | None = None
    clock: str = "auto"
    max_page_size: int | None = None
    validate_outputs: bool = False
    sleep: bool = True
    horizon: _dt.timedelta | None = DEFAULT_HORIZON
    account: str | None = None
    seed: int | None = None

    @classmethod
    def merge(cls, ini: dict[str, str], marker: dict[str, Any]) -> FakeOptions:
        """Options from ini values (strings) overridden by the closest marker's keywords."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(marker) - known)
        if unknown:
            raise ValueError(
                f"@pytest.mark.batchjobs got unknown option(s) {', '.join(unknown)}; "
                f"valid options are {', '.join(sorted(known))}"
            )
        values: dict[str, Any] = {}
        if ini.get("start"):
            values["start"] = ini["start"]
        if ini.get("clock"):
            values["clock"] = ini["clock"]
        if ini.get("max_page_size"):
            values["max_page_size"] = ini["max_page_size"]
        for flag in ("validate_outputs", "sleep"):
            if ini.get(flag):
                values[flag] = _flag(flag, ini[flag])
        for name in ("horizon", "account"):
            if ini.get(name):
                values[name] = ini[name]
        values.update(marker)
        return cls(**_coerced(values))


def _flag(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"batchjobs_{name} must be true or false, got {text!r}")


def _coerced(values: dict[str, Any]) -> dict[str, Any]:
    start = values.get("start")
    if isinstance(start, str):
        try:
            values["start"] = _dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"batchjobs start {start!r} is not an ISO 8601 instant; "
                "write it like 2024-01-01T09:00:00Z"
            ) from None
    elif isinstance(start, _dt.date) and not isinstance(start, _dt.datetime):
        values["start"] = _dt.datetime(start.year, start.month, start.day)
    if values.get("clock", "auto") not in BACKENDS:
        raise ValueError(f"batchjobs clock {values['clock']!r} is not one of {', '.join(BACKENDS)}")
    size = values.get("max_page_size")
    if size is not None:
        try:
            size = int(size)
        except (TypeError, ValueError):
            size = 0
        if size < 1:
            raise ValueError(
                "batchjobs max_page_size must be a positive integer, "
                f"got {values['max_page_size']!r}"
            )
        values["max_page_size"] = size
    horizon = values.get("horizon", DEFAULT_HORIZON)
    if horizon is not None and not isinstance(horizon, _dt.timedelta):
        try:
            seconds = float(horizon)
        except (TypeError, ValueError):
            seconds = -1.0
        if seconds <= 0:
            raise ValueError(
                f"batchjobs horizon must be a positive number of seconds or a timedelta, "
                f"got {horizon!r}"
            )
        values["horizon"] = _dt.timedelta(seconds=seconds)
    account = values.get("account")
    if account is not None and not (
        isinstance(account, str) and len(account) == 12 and account.isdigit()
    ):
        raise ValueError(f"batchjobs account must be a 12-digit AWS account id, got {account!r}")
    seed = values.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError(f"batchjobs seed must be an integer, got {seed!r}")
    return values
