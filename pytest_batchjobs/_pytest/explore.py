"""``@pytest.mark.batchjobs_explore(examples=None, dimensions=None, replay=None)``.

The marked test's body runs once per scenario Hypothesis draws (:mod:`..explore`), each
time on the same ``batchjobs_fake``, reset to a clean state, its clock back at the
instant the first example began, set up again by ``pytest_batchjobs_configure`` hooks,
and then configured by the scenario. On a failure Hypothesis shrinks the scenario; the
test fails once, with the user's own exception, and notes saying in words what the
smallest failing scenario did to the client and the marker that replays exactly it.

Loaded at collection, and only for a test that carries the marker; Hypothesis is
imported only when the test runs.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from ..explore.scenario import (
    DIMENSIONS,
    Applied,
    Plan,
    Replay,
    Scenario,
    apply,
    from_replay,
    words,
)
from ..time import loop_patch
from ..time.clock import PollingHorizonExceeded
from .outcomes import collection_error, run_of

if TYPE_CHECKING:
    from ..fake import BatchJobsFake

MARKER = "batchjobs_explore"
EXAMPLES_INI = "batchjobs_explore_examples"
DEFAULT_EXAMPLES = 50
EXTRA = "pip install 'pytest-batchjobs[explore]' (or hypothesis itself)"


@dataclass(frozen=True)
class Exploration:
    """What the marker asks for: how many examples, varying what; or one replay."""

    examples: int
    dimensions: tuple[str, ...]
    replay: Scenario | None = None


def check(metafunc: pytest.Metafunc, marker: pytest.Mark) -> None:
    """At collection: the marker's arguments are valid, the test uses the fake, and
    Hypothesis is there to draw (a replay needs none)."""
    name = metafunc.function.__name__
    exploration = read(marker, name, metafunc.config)
    if "batchjobs_fake" not in metafunc.fixturenames:
        raise collection_error(
            f"{name}: {_shown(marker)}: the test uses no batchjobs_fake, so no scenario "
            "can reach it; ask for the batchjobs_fake fixture (or a fixture that uses it)"
        )
    if exploration.replay is None and importlib.util.find_spec("hypothesis") is None:
        raise collection_error(
            f"{name}: {_shown(marker)} draws its scenarios with Hypothesis, which is not "
            f"installed: {EXTRA}"
        )


def read(marker: pytest.Mark, test: str, config: pytest.Config) -> Exploration:
    """The marker's exploration, or a collection error saying what is valid."""
    from ..core.registry import KINDS

    where = f"{test}: {_shown(marker)}"
    unknown = sorted(set(marker.kwargs) - {"examples", "dimensions", "replay"})
    if marker.args or unknown:
        raise collection_error(
            f"{where}: the marker takes keyword arguments only: "
            f"@pytest.mark.{MARKER}(examples=None, dimensions=None, replay=None)"
        )
    examples = marker.kwargs.get("examples")
    if examples is None:
        examples = _ini_examples(config, where)
    elif isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise collection_error(f"{where}: examples must be an integer >= 1, got {examples!r}")
    dimensions = marker.kwargs.get("dimensions")
    if dimensions is None:
        dimensions = DIMENSIONS
    elif isinstance(dimensions, str) or not isinstance(dimensions, Collection) or not dimensions:
        raise collection_error(
            f"{where}: dimensions must be a non-empty list of {', '.join(DIMENSIONS)}, "
            f"got {dimensions!r}"
        )
    wrong = [each for each in dimensions if each not in DIMENSIONS]
    if wrong:
        raise collection_error(
            f"{where}: {', '.join(map(repr, wrong))} is not a dimension; the dimensions are "
            f"{', '.join(DIMENSIONS)}"
        )
    replay = None
    if "replay" in marker.kwargs:
        kinds = {kind.name: kind.statuses.outcomes for kind in KINDS}
        try:
            replay = from_replay(marker.kwargs["replay"], kinds)
        except ValueError as error:
            raise collection_error(f"{where}: {error}") from None
    return Exploration(examples, tuple(dict.fromkeys(dimensions)), replay)


def _ini_examples(config: pytest.Config, where: str) -> int:
    raw = str(config.getini(EXAMPLES_INI)).strip()
    if not raw:
        return DEFAULT_EXAMPLES
    if raw.isdigit() and int(raw) >= 1:
        return int(raw)
    raise collection_error(
        f"{where}: the ini option {EXAMPLES_INI} must be an integer >= 1, got {raw!r}"
    )


def exploring(item: pytest.Function, test: Callable[..., Any]) -> Callable[..., None]:
    """``test`` run once per scenario of the item's marker: what pytest calls instead."""
    marker = item.get_closest_marker(MARKER)
    assert marker is not None
    exploration = read(marker, item.name, item.config)

    def explore(*args: Any, **kwargs: Any) -> None:
        fake: BatchJobsFake = item.funcargs["batchjobs_fake"]  # type: ignore[assignment]
        runner = _Runner(item, fake, lambda: test(*args, **kwargs))
        if exploration.replay is not None:
            runner.replay(exploration.replay)
        else:
            runner.explore(exploration)

    return explore


class _HorizonReached(Exception):
    """The horizon guard stopped an example: an ``Exception``, so that Hypothesis
    shrinks the scenario (the guard's own error is a ``BaseException``)."""

    def __init__(self, original: PollingHorizonExceeded) -> None:
        super().__init__(str(original))
        self.original = original


class _Runner:
    """Runs the test body on one scenario after another, on one fake."""

    def __init__(self, item: pytest.Function, fake: BatchJobsFake, body: Callable[[], Any]):
        self.item = item
        self.fake = fake
        self.body = body
        self.start = fake.clock.now()
        self.last: Applied | None = None
        run = run_of(item)
        self.fixed_outcomes = () if run is None else (run[0],)

    def run(self, plan: Plan) -> None:
        """One example: a clean fake at the start instant, configured, then the body
        with ``plan`` in force."""
        fake = self.fake
        fake.reset()
        _back_to(fake, self.start)
        self.item.ihook.pytest_batchjobs_configure(fake=fake)
        self.last = apply(plan, fake)
        try:
            self.body()
        except PollingHorizonExceeded as stopped:
            raise _HorizonReached(stopped) from None

    def replay(self, scenario: Scenario) -> None:
        try:
            self.run(Replay(scenario))
        except BaseException as failure:
            raise self._reported(failure, "the replayed scenario") from None

    def explore(self, exploration: Exploration) -> None:
        from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
        from hypothesis import strategies as st

        from ..explore.strategies import Drawing

        @seed(self.fake.seed)
        @settings(
            max_examples=exploration.examples,
            deadline=None,
            database=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
            # No explain phase: its notes name the fake's lines, not the user's.
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        )
        @given(st.data())
        def example(data: Any) -> None:
            self.run(Drawing(data, exploration.dimensions, self.fixed_outcomes))

        try:
            example()
        except BaseException as failure:
            if self.last is None or isinstance(failure, pytest.skip.Exception):
                raise
            raise self._reported(failure, "the smallest failing scenario") from None

    def _reported(self, failure: BaseException, which: str) -> BaseException:
        """The user's own exception, with notes on the scenario that raised it."""
        assert self.last is not None
        flaky = type(failure).__name__ in ("Flaky", "FlakyFailure")
        if isinstance(failure, _HorizonReached):
            failure = failure.original
        replay = self.last.plan.scenario().as_replay()
        notes = [
            f"{MARKER}: {which}, in words:",
            *("  " + line for line in words(self.last).splitlines()),
            f"Replay exactly this scenario: @pytest.mark.{MARKER}(replay={replay!r})",
        ]
        elsewhere = getattr(self.last.plan, "elsewhere", 0)
        if elsewhere:
            notes.append(
                f"{elsewhere} call(s) from threads other than the test's were answered "
                "plainly: an exploration varies what the test's own thread meets"
            )
        if flaky:
            notes.append(
                "The same scenario failed once and then passed: something outside the fake "
                "varies between runs (real time, randomness, state another fixture keeps "
                "between examples)."
            )
        else:
            notes.append(f"Or replay the whole exploration: --batchjobs-seed {_session(self)}")
        for note in notes:
            _add_note(failure, note)
        return failure


def _session(runner: _Runner) -> str:
    from .keys import SEED

    return str(runner.item.config.stash[SEED])


def _back_to(fake: BatchJobsFake, start: _dt.datetime) -> None:
    """Put the fake's clock back at ``start``: every example begins at the same instant,
    so a replay sees the times the exploration saw."""
    clock = fake.clock
    with clock._sleepers.condition:
        clock._shift(start - clock.now())
    loop_patch.rebased()  # asyncio's loop time never goes back
    clock._horizon.reset()


def _add_note(failure: BaseException, note: str) -> None:
    add_note = getattr(failure, "add_note", None)
    if add_note is not None:  # Python 3.11+
        add_note(note)
    else:
        notes = getattr(failure, "__notes__", None)
        if notes is None:
            notes = []
            failure.__notes__ = notes
        notes.append(note)


def _shown(marker: pytest.Mark) -> str:
    arguments = [f"{key}={value!r}" for key, value in marker.kwargs.items()]
    return f"@pytest.mark.{MARKER}({', '.join([repr(a) for a in marker.args] + arguments)})"
