"""The rules for a value a test hands the fake, the same at both doors.

Each public method and setter of the Python API, and the control API that the local
server answers (``transports/server/control``), read their arguments through the
bounds and checks here, so a value one door refuses the other refuses too, and a value
either accepts can break no later call: a wrong type is a ``TypeError``, a value out of
range a ``ValueError``, each naming the argument, what it takes and what it got.

The bounds exist so that nothing the fake computes with a value (a ``timedelta``, a
``datetime``, a job's whole timeline) can overflow what Python's dates hold.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn

INT64 = 2**63 - 1
"""The largest integer a count, quota, limit or seed may be (a 64-bit integer)."""

MAX_JOBS = 1_000_000
"""Jobs one ``add_jobs()`` call may add, as one control API ``{kind}/jobs`` request
(its ``MAX_JOBS``, the same number: a test holds the two together). A job holds about
2.3 KB in the store: a million cost about 2.3 GB."""

MAX_SECONDS = 3_155_760_000
"""The longest duration, in seconds (100 years of 365.25 days): a lifecycle status, a
token lifetime."""

LATEST = _dt.datetime(9000, 1, 1, tzinfo=_dt.timezone.utc)
"""The latest instant the fake clock starts at or moves to. Python's dates end on
9999-12-31; the room left after it holds the longest timeline a job can be given (five
statuses of at most :data:`MAX_SECONDS` each, and Bedrock's timeout), so that a job
created at this instant still has every instant of its timeline."""

EARLIEST = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
"""The earliest instant the fake clock starts at, or a factory job is submitted at:
JSON 1.1 sends timestamps as seconds since it, and AWS has no earlier jobs."""

_SHORT = 60  # characters of a value a message shows


def shown(value: Any) -> str:
    """A value for a message: its type and a short ``repr``."""
    try:
        text = repr(value)
    except Exception:  # a repr that fails (or an int past str()'s digit limit)
        text = f"<{type(value).__name__}>"
    if len(text) > _SHORT:
        text = text[: _SHORT - 3] + "..."
    return f"{type(value).__name__} {text}"


def wrong_type(where: str, expected: str, value: Any) -> NoReturn:
    """A ``TypeError``: ``where`` (``"faults.fail() message"``) takes ``expected``."""
    raise TypeError(f"{where} must be {expected}, got {shown(value)}")


def out_of_range(where: str, expected: str, value: Any) -> NoReturn:
    """A ``ValueError``: ``where`` takes ``expected``."""
    raise ValueError(f"{where} must be {expected}, got {shown(value)}")


def is_integer(value: Any) -> bool:
    """An ``int`` that is not a ``bool``."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """An ``int`` or ``float`` that is not a ``bool`` (finite or not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite(value: int | float) -> bool:
    """Whether a number is finite: every int is (``math.isfinite`` would convert one to
    a float, and overflow past 1e308)."""
    return isinstance(value, int) or math.isfinite(value)


def integer(
    where: str, value: Any, *, minimum: int = 0, maximum: int = INT64, nullable: bool = False
) -> Any:
    """``value``, an integer from ``minimum`` to ``maximum`` (or ``None`` if nullable)."""
    expected = f"an integer from {minimum} to {maximum}" + (" or None" if nullable else "")
    if value is None and nullable:
        return None
    if not is_integer(value):
        wrong_type(where, expected, value)
    if not minimum <= value <= maximum:
        out_of_range(where, expected, value)
    return value


def seconds(where: str, value: Any, *, positive: bool = False) -> float:
    """``value``, a finite number of seconds from 0 (above 0 if ``positive``) to
    :data:`MAX_SECONDS` (100 years)."""
    low = "more than 0" if positive else "from 0"
    expected = f"a number of seconds {low} to {MAX_SECONDS} (100 years)"
    if not is_number(value):
        wrong_type(where, expected, value)
    if not (is_finite(value) and 0 <= value <= MAX_SECONDS) or (positive and value <= 0):
        out_of_range(where, expected, value)
    return float(value)


def duration(where: str, value: Any, *, nullable: bool = False) -> Any:
    """``value`` (a ``timedelta``, or seconds) as a ``timedelta`` of at least a
    microsecond (the clock's resolution) and at most :data:`MAX_SECONDS`."""
    expected = (
        f"a timedelta or a number of seconds, from 1 microsecond to {MAX_SECONDS} s (100 years)"
        + (", or None" if nullable else "")
    )
    if value is None and nullable:
        return None
    if isinstance(value, _dt.timedelta):
        amount = value
    elif is_number(value):
        if not is_finite(value) or not 0 < value <= MAX_SECONDS:
            out_of_range(where, expected, value)
        amount = _dt.timedelta(seconds=value)
    else:
        wrong_type(where, expected, value)
    if not _dt.timedelta(microseconds=1) <= amount <= _dt.timedelta(seconds=MAX_SECONDS):
        out_of_range(where, expected, value)
    return amount


def instant(
    where: str,
    value: Any,
    *,
    earliest: _dt.datetime = EARLIEST,
    latest: _dt.datetime = LATEST,
    latest_is: str | None = None,
) -> _dt.datetime:
    """``value`` as an aware UTC datetime from ``earliest`` to ``latest``: a ``datetime``
    (UTC if naive), a ``date`` (its midnight, UTC) or an ISO 8601 string (as the control
    API and the ``start`` option take it). ``latest_is`` names the upper bound in the
    message when it is not a fixed instant (the fake clock's now)."""
    bound = latest_is or _iso(latest)
    expected = (
        f"a datetime (UTC if naive), a date or an ISO 8601 string, from {_iso(earliest)} to {bound}"
    )
    if isinstance(value, str):
        try:
            moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            out_of_range(where, expected, value)
    elif isinstance(value, _dt.datetime):
        moment = value
    elif isinstance(value, _dt.date):
        moment = _dt.datetime(value.year, value.month, value.day)
    else:
        wrong_type(where, expected, value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    try:
        moment = moment.astimezone(_dt.timezone.utc)
        fits = earliest <= moment <= latest
    except (OverflowError, ValueError):  # past the ends of datetime once in UTC
        fits = False
    if not fits:
        out_of_range(where, expected, value)
    return moment


def text(where: str, value: Any, *, nullable: bool = False) -> Any:
    """``value``, a string (or ``None`` if nullable)."""
    if (value is None and nullable) or isinstance(value, str):
        return value
    wrong_type(where, "a string" + (" or None" if nullable else ""), value)


def flag(where: str, value: Any) -> bool:
    """``value``, ``True`` or ``False`` (not a truthy string: ``"false"`` is true)."""
    if not isinstance(value, bool):
        wrong_type(where, "True or False", value)
    return value


def mapping(where: str, value: Any, *, nullable: bool = True) -> Any:
    """``value``, a mapping with string keys (or ``None`` if nullable)."""
    if value is None and nullable:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        wrong_type(where, "a dict with string keys" + (" or None" if nullable else ""), value)
    return value


def _iso(moment: _dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Settings:
    """A control object whose public attributes are its documented settings only.

    Assigning a name it does not have (``pagination.max_pagesize = 1``, a typo) is an
    ``AttributeError`` naming the settings it has, instead of a new attribute nothing
    reads; so is assigning a read-only property. Names with a leading underscore are
    the fake's own; a method may be replaced (a test's ``monkeypatch``).
    """

    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name in _settable(type(self)):
            object.__setattr__(self, name, value)
            return
        declared = getattr(type(self), name, _ABSENT)
        if declared is not _ABSENT and not isinstance(declared, property):
            object.__setattr__(self, name, value)  # a method replaced (a test's monkeypatch)
            return
        settable = _settable(type(self))
        what = f"its settings are {', '.join(settable)}" if settable else "it has no settings"
        if declared is not _ABSENT:
            raise AttributeError(f"{type(self).__name__}.{name} is read-only ({what})")
        raise AttributeError(
            f"{type(self).__name__} has no setting {name!r} ({what}); "
            "an attribute it does not read would change nothing"
        )


_ABSENT = object()


def _settable(cls: type) -> list[str]:
    """The public properties of ``cls`` that have a setter."""
    return sorted(
        name
        for name in dir(cls)
        if not name.startswith("_")
        and isinstance(getattr(cls, name, None), property)
        and getattr(cls, name).fset is not None
    )


# -- names: the nearest valid ones suggested for a misspelt one ------------------------
#
# did_you_mean() words the refusal of any name the fake takes (operations, job kinds,
# status words, error codes, clocks). nearest() compares names case-insensitively and
# ignoring separators, so list_model_invocation_job, LISTMODELINVOCATIONJOB and
# ListModelInvocationJob are all one letter from ListModelInvocationJobs, and
# CREATE_FAILED is CREATE FAILED.

# How close a name must be to be suggested (difflib's ratio), and how far behind the
# nearest one another may be and still be named beside it: a typo names the one name
# it is a typo of, not every name sharing its long common words.
_CUTOFF = 0.6
_MARGIN = 0.05
_MOST = 3
_SEPARATORS = re.compile(r"[\s_\-.]+")


def _folded(name: str) -> str:
    """``name`` without case or separators: how two spellings of a name are compared."""
    return _SEPARATORS.sub("", name).casefold()


def nearest(name: str, choices: Iterable[str]) -> list[str]:
    """The choices nearest ``name`` (at most three, nearest first), or none if no choice
    is near: compared case-insensitively, ignoring spaces, underscores and hyphens."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(_folded(choice), choice)
    wanted = _folded(name)
    close = difflib.get_close_matches(wanted, list(by_folded), n=_MOST, cutoff=_CUTOFF)
    if not close:
        return []
    best = difflib.SequenceMatcher(None, wanted, close[0]).ratio()
    return [
        by_folded[folded]
        for folded in close
        if difflib.SequenceMatcher(None, wanted, folded).ratio() >= best - _MARGIN
    ]


def did_you_mean(
    refused: str,
    name: object,
    choices: Iterable[str],
    valid: str = "",
    spell: Callable[[str], str] = str,
) -> str:
    """An error message for a name that is none of ``choices``: ``refused`` (what is
    wrong), the choices nearest ``name`` (each written by ``spell``) if any is near,
    then ``valid`` (the valid choices), unless ``refused`` names them already:
    ``"<refused> (did you mean 'X'?); <valid>"``, or ``"<refused>; <valid>"``."""
    found = nearest(name, choices) if isinstance(name, str) else []
    tail = f"; {valid}" if valid else ""
    if not found:
        return f"{refused}{tail}"
    return f"{refused} (did you mean {' or '.join(repr(spell(c)) for c in found)}?){tail}"
