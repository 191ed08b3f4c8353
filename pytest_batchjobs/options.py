"""The option table: every option of the fake, declared once.

:class:`FakeOptions` is the table: one field per option, with its type, its default and
its :class:`Option` row (help, the values it takes, how a value is read, where it
applies). Derived from it:

* the ini options ``batchjobs_<name>`` and their help (:func:`ini_help`), the
  ``batchjobs`` marker's keywords and its line in ``pytest --markers``
  (:func:`marker_line`), and how a test reads both (:meth:`FakeOptions.merge`);
* ``fake_batchjobs()``'s checks and defaults (:meth:`FakeOptions.of`);
* the fake's flags of ``batchjobs-fake serve`` (:mod:`pytest_batchjobs.cli` reads the
  rows whose ``cli`` is set);
* the option tables of README.md and docs/reference/pytest.md.

``fake_batchjobs()`` and ``BatchJobsFake.__init__`` mirror the table in typed
signatures, for IDEs and mypy. tests/test_options.py fails if either differs from the
table, or if a doc's table differs from what the table renders; run as a script, it
rewrites the docs' tables.

pytest does not import this module when it starts. The plugin registers the ini options
and the marker with the text this module renders (:func:`ini_help`, :func:`marker_line`);
the same script writes that text into pytest_batchjobs/plugin.py and the same test checks
it. Importing the table at start-up would make pytest compile it, and rewrite it (as it
does every module of a plugin's package), in every run where bytecode is not written:
several milliseconds, more than the rest of the plugin costs.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Callable
from typing import Any

from .arguments import did_you_mean
from .time import drivers
from .time.clock import DEFAULT_HORIZON
from .wire.instants import parse_iso

PREFIX = "batchjobs_"  # of the ini options


@dataclasses.dataclass(frozen=True, kw_only=True)
class Option:
    """One row of the table: what every place that takes the option needs.

    ``help`` says what it sets (a phrase, Markdown); ``values`` the values the marker
    and ``fake_batchjobs()`` take; ``ini`` how it is written in an ini file; ``default``
    the default in words. ``read(name, value)`` turns a value given anywhere (a Python
    value, or the text of an ini option or a command-line flag) into the option's
    value, or raises ``ValueError`` saying what is valid. ``cli`` is the flag's metavar
    in ``batchjobs-fake serve`` (``""`` for a flag without one), ``None`` when the
    server does not take it; ``choices`` the only values it takes, if they are few.
    """

    help: str
    values: str
    ini: str
    default: str
    read: Callable[[str, Any], Any]
    cli: str | None = None
    choices: tuple[str, ...] | None = None

    def with_default(self) -> str:
        """What it sets, and its default unless it is a flag without a value."""
        return self.help if self.cli == "" else f"{self.help} (default: {self.default})"


def _row(**row: Any) -> dict[str, Option]:
    """A field's metadata: its row of the table."""
    return {"option": Option(**row)}


# -- reading values -------------------------------------------------------------------


def _instant(name: str, value: Any) -> Any:
    if value is None or isinstance(value, _dt.datetime):
        return value
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return parse_iso(value)
        except ValueError:
            pass
    raise ValueError(
        f"batchjobs {name} {value!r} is not an ISO 8601 instant; write it like 2024-01-01T09:00:00Z"
    )


def _backend(name: str, value: Any) -> Any:
    if value not in drivers.backends():  # read now: a test suite may register its own clock
        choices = drivers.backends()
        raise ValueError(
            did_you_mean(
                f"batchjobs {name} {value!r} is not one of {', '.join(choices)}",
                value,
                choices,
            )
        )
    return value


def _either(words: tuple[str, ...]) -> str:
    """The words quoted and joined as a phrase: `auto`, `time-machine` or `freezegun`."""
    quoted = [f"`{word}`" for word in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


# The clocks, as the registry has them when the table is built (the docs' tables, the
# help, the server's flag); the values are checked against the registry as it is then.
_CLOCKS = drivers.backends()


def _account(name: str, value: Any) -> Any:
    if value is not None and not (isinstance(value, str) and len(value) == 12 and value.isdigit()):
        raise ValueError(f"batchjobs {name} must be a 12-digit AWS account id, got {value!r}")
    return value


def _page_size(name: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        size = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinity
        size = 0
    if size < 1:
        raise ValueError(f"batchjobs {name} must be a positive integer, got {value!r}")
    return size


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, str):
        return bool(value)
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{PREFIX}{name} must be true or false, got {value!r}")


def _horizon(name: str, value: Any) -> Any:
    if value is None or isinstance(value, _dt.timedelta):
        return value
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    try:
        seconds = float(value)
        horizon = _dt.timedelta(seconds=seconds)
    except (TypeError, ValueError, OverflowError):  # not a number, NaN, past a timedelta
        seconds = -1.0
    if seconds <= 0:
        raise ValueError(
            f"batchjobs {name} must be a positive number of seconds or a timedelta, got {value!r}"
        )
    return horizon


def _seed(name: str, value: Any) -> Any:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"batchjobs {name} must be an integer, got {value!r}")
    return value


# -- the table ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class FakeOptions:
    """How a fake is set up: one field per option, in the order of the table.

    The options, what they take and their defaults: the ``batchjobs`` marker's table in
    [Fixtures, marker and options](pytest.md#the-batchjobs-marker). The closest marker
    wins over the ini options, which win over the defaults.
    """

    start: _dt.datetime | None = dataclasses.field(
        default=None,
        metadata=_row(
            help="the instant the fake clock starts at",
            values="a `datetime` (UTC if naive), a `date` (its midnight), or an ISO 8601 string",
            ini="an ISO 8601 instant, UTC if no offset: `2024-01-01T09:00:00Z`",
            default="`2024-01-01T09:00:00Z`",
            read=_instant,
            cli="ISO",
        ),
    )
    clock: str = dataclasses.field(
        default="auto",
        metadata=_row(
            help="what freezes time",
            values=f"`auto` ({drivers.registry.auto_words()}), {_either(_CLOCKS[1:])}",
            ini=_either(_CLOCKS),
            default="`auto`",
            read=_backend,
            cli="{" + ",".join(_CLOCKS) + "}",
            choices=_CLOCKS,
        ),
    )
    account: str | None = dataclasses.field(
        default=None,
        metadata=_row(
            help="the 12-digit AWS account id in the job ARNs",
            values="a string of 12 digits",
            ini="12 digits, e.g. `210987654321`",
            default="`MOTO_ACCOUNT_ID` while moto's `mock_aws` is active and it is set, "
            "else `123456789012`",
            read=_account,
            cli="ID",
        ),
    )
    max_page_size: int | None = dataclasses.field(
        default=None,
        metadata=_row(
            help="the most items any list page holds, whatever `maxResults` asks for",
            values="a positive integer",
            ini="a positive integer",
            default="no limit",
            read=_page_size,
            cli="N",
        ),
    )
    validate_outputs: bool = dataclasses.field(
        default=False,
        metadata=_row(
            help="check every response against botocore's output shape and the model's constraints",
            values="`True` or `False`",
            ini="`true` / `false` (also `1`/`0`, `yes`/`no`, `on`/`off`)",
            default="`False`",
            read=_flag,
            cli="",
        ),
    )
    sleep: bool = dataclasses.field(
        default=True,
        metadata=_row(
            help="`time.sleep` lets fake time pass instead of blocking",
            values="`True` or `False` (`False` leaves `time.sleep` alone: it blocks for real)",
            ini="`true` / `false`",
            default="`True`",
            read=_flag,
        ),
    )
    loop_time: bool = dataclasses.field(
        default=True,
        metadata=_row(
            help="asyncio's timers (`asyncio.sleep`, `wait_for`, `timeout`, `call_later`) "
            "let fake time pass instead of waiting",
            values="`True` or `False` (`False`: event loops keep real time)",
            ini="`true` / `false`",
            default="`True`",
            read=_flag,
        ),
    )
    horizon: _dt.timedelta | None = dataclasses.field(
        default=DEFAULT_HORIZON,
        metadata=_row(
            help="how far sleeping alone may move fake time before the test fails as "
            "polling forever",
            values="a `timedelta` or seconds; `None` for no limit",
            ini="seconds, e.g. `259200` (three days); `none` for no limit",
            default="3 days",
            read=_horizon,
        ),
    )
    seed: int | None = dataclasses.field(
        default=None,
        metadata=_row(
            help="the seed of the factory's randomness and of Bedrock's job ids",
            values="an integer",
            ini="an integer",
            default="derived from the session's seed (`--batchjobs-seed`, printed in "
            "pytest's header) and the test's id; outside pytest, random",
            read=_seed,
            cli="N",
        ),
    )

    @classmethod
    def of(cls, **values: Any) -> FakeOptions:
        """The options ``values`` give (Python values or their text), each checked and
        read as the table says; the others at their defaults. A ``ValueError`` names
        what is valid."""
        unknown = sorted(set(values) - set(ROWS))
        if unknown:
            raise TypeError(
                did_you_mean(
                    f"unknown option(s) {', '.join(unknown)}",
                    unknown[0],
                    ROWS,
                    f"the options are {', '.join(ROWS)}",
                )
            )
        return cls(**{name: ROWS[name].read(name, value) for name, value in values.items()})

    @classmethod
    def merge(cls, ini: dict[str, str], marker: dict[str, Any]) -> FakeOptions:
        """Options from ini values (strings; empty: not set) overridden by the closest
        marker's keywords."""
        unknown = sorted(set(marker) - set(ROWS))
        if unknown:
            raise ValueError(
                f"@pytest.mark.batchjobs got unknown option(s) {', '.join(unknown)}; "
                f"valid options are {', '.join(sorted(ROWS))}"
            )
        values: dict[str, Any] = {name: text for name, text in ini.items() if text}
        values.update(marker)
        return cls.of(**values)

    def keywords(self) -> dict[str, Any]:
        """The options as keywords of ``BatchJobsFake`` (and of ``fake_batchjobs()``)."""
        return {name: getattr(self, name) for name in ROWS}


ROWS: dict[str, Option] = {
    field.name: field.metadata["option"] for field in dataclasses.fields(FakeOptions)
}
DEFAULTS: dict[str, Any] = {field.name: field.default for field in dataclasses.fields(FakeOptions)}


# -- pytest ---------------------------------------------------------------------------


def ini_help() -> dict[str, str]:
    """Every ini option's help in ``pytest --help``, by the option's name."""
    return {
        name: plain(f"{row.help}: {row.ini} (default: {row.default})") for name, row in ROWS.items()
    }


def marker_line() -> str:
    """The ``batchjobs`` marker's line in ``pytest --markers``."""
    keywords = ", ".join(f"{name}={_python(value)}" for name, value in DEFAULTS.items())
    return f"batchjobs({keywords}): configure the batchjobs_fake fixture"


def _python(value: Any) -> str:
    if isinstance(value, _dt.timedelta) and value.days and not value.seconds:
        return f"timedelta(days={value.days})"
    return repr(value)


def plain(text: str) -> str:
    """Markdown to the terminal's text."""
    return text.replace("`", "")
