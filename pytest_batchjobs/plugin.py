"""pytest glue: the fixtures, the ``batchjobs`` and ``batchjobs_outcomes`` markers, the
ini and command-line options, the status report.

pytest imports this module in every run of every project that installs the plugin, so
it imports nothing heavy: botocore, freezegun and responses load when a fake is
activated.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from ._pytest.keys import HORIZON_SHOWN, SEED, STATUSES_RECEIVED
from .transports.registry import install_on_import, stop_installing

if TYPE_CHECKING:
    from .fake import BatchJobsFake
    from .transports.server import FakeServer


# The ini options' help and the marker's line, as the option table renders them
# (pytest_batchjobs/options.py: ini_help(), marker_line()). Written here by
# ``python tests/test_options.py``, which tests/test_options.py checks: importing the
# table would cost every pytest run several milliseconds (see options.py).
# <options:plugin>
_INI_HELP = {
    "start": "the instant the fake clock starts at: an ISO 8601 instant, UTC if no offset: "
    "2024-01-01T09:00:00Z (default: 2024-01-01T09:00:00Z)",
    "clock": "what freezes time: auto, time-machine or freezegun (default: auto)",
    "account": "the 12-digit AWS account id in the job ARNs: 12 digits, e.g. 210987654321 "
    "(default: MOTO_ACCOUNT_ID while moto's mock_aws is active and it is set, "
    "else 123456789012)",
    "max_page_size": "the most items any list page holds, whatever maxResults asks for: a "
    "positive integer (default: no limit)",
    "validate_outputs": "check every response against botocore's output shape and the "
    "model's constraints: true / false (also 1/0, yes/no, on/off) "
    "(default: False)",
    "sleep": "time.sleep lets fake time pass instead of blocking: true / false (default: True)",
    "loop_time": "asyncio's timers (asyncio.sleep, wait_for, timeout, call_later) let fake "
    "time pass instead of waiting: true / false (default: True)",
    "horizon": "how far sleeping alone may move fake time before the test fails as polling "
    "forever: seconds, e.g. 259200 (three days); none for no limit (default: 3 "
    "days)",
    "seed": "the seed of the factory's randomness and of Bedrock's job ids: an integer "
    "(default: derived from the session's seed (--batchjobs-seed, printed in "
    "pytest's header) and the test's id; outside pytest, random)",
}
_MARKER = (
    "batchjobs(start=None, clock='auto', account=None, max_page_size=None, "
    "validate_outputs=False, sleep=True, loop_time=True, "
    "horizon=timedelta(days=3), seed=None): configure the batchjobs_fake fixture"
)
# </options:plugin>
_OUTCOMES_MARKER = (
    "batchjobs_outcomes(kind, outcomes=None): run the test once per outcome a job of that "
    "kind can end in (or those given), its jobs ending in it; the batchjobs_outcome "
    "fixture gives it"
)
_EXPLORE_MARKER = (
    "batchjobs_explore(examples=None, dimensions=None, replay=None): run the test once per "
    "scenario of what AWS may legally do (page sizes, transient faults, job outcomes and "
    "timing), drawn with Hypothesis; a failure reports the smallest scenario and its replay"
)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from ._pytest import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Show a failure the user caused at the user's line; note a test that failed on
    the horizon guard, so teardown does not say it again."""
    if call.excinfo is not None and not item.config.getoption("fulltrace"):
        from .tracebacks import show_at_the_users_line

        show_at_the_users_line(call.excinfo)
    report = yield
    if call.excinfo is not None and type(call.excinfo.value).__name__ == "PollingHorizonExceeded":
        item.stash[HORIZON_SHOWN] = True
    return report


def pytest_addoption(parser: pytest.Parser) -> None:
    for name, help_text in _INI_HELP.items():
        parser.addini(f"batchjobs_{name}", help=help_text, default="")
    parser.addini(
        "batchjobs_explore_examples",
        help="how many scenarios a @pytest.mark.batchjobs_explore test runs when the marker "
        "does not say: an integer >= 1 (default: 50)",
        default="",
    )
    parser.getgroup("batchjobs").addoption(
        "--batchjobs-seed",
        type=int,
        default=None,
        metavar="N",
        help="seed of the batchjobs factory's randomness; the header prints the one in use, "
        "so a run can be replayed",
    )
    parser.getgroup("batchjobs").addoption(
        "--batchjobs-status-report",
        action="store_true",
        default=False,
        help="at the end, list per job kind the statuses the session's clients never "
        "received from batchjobs_fake (with pytest-xdist, the workers' together)",
    )


def _session_seed(config: pytest.Config) -> int:
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None and "batchjobs_seed" in worker_input:
        return int(worker_input["batchjobs_seed"])  # the controller's, under xdist
    chosen = config.getoption("batchjobs_seed")
    return random.randrange(10**8) if chosen is None else int(chosen)


def pytest_report_header(config: pytest.Config) -> str:
    seed = config.stash[SEED]
    return f"batchjobs: seed {seed} (replay with --batchjobs-seed {seed})"


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """xdist: every worker uses the controller's seed."""
    node.workerinput["batchjobs_seed"] = node.config.stash[SEED]  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", _MARKER)
    config.addinivalue_line("markers", _OUTCOMES_MARKER)
    config.addinivalue_line("markers", _EXPLORE_MARKER)
    if config.getoption("batchjobs_status_report"):
        config.stash[STATUSES_RECEIVED] = {}
    config.stash[SEED] = _session_seed(config)
    install_on_import()
    config.add_cleanup(stop_installing)  # no finder left behind: it would slow the exit


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``@pytest.mark.batchjobs_outcomes``: a run of the test per outcome (the closest
    marker's)."""
    marker = metafunc.definition.get_closest_marker("batchjobs_outcomes")
    if marker is not None:
        from ._pytest.outcomes import parametrize

        parametrize(metafunc, marker)
    explore = metafunc.definition.get_closest_marker("batchjobs_explore")
    if explore is not None:
        from ._pytest.explore import check

        check(metafunc, explore)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[None]:
    """``@pytest.mark.batchjobs_explore``: the test body runs once per scenario (an
    async test's too: pytest-asyncio has made it a function that runs it to the end)."""
    if pyfuncitem.get_closest_marker("batchjobs_explore") is None:
        return (yield)
    from ._pytest.explore import exploring

    test = pyfuncitem.obj
    pyfuncitem.obj = exploring(pyfuncitem, test)
    try:
        return (yield)
    finally:
        pyfuncitem.obj = test


def pytest_sessionfinish(session: pytest.Session) -> None:
    """xdist: a worker sends the statuses its clients received to the controller."""
    if STATUSES_RECEIVED in session.config.stash and hasattr(session.config, "workeroutput"):
        from ._pytest.report import to_controller

        to_controller(session.config)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist: the controller merges what a finished worker's clients received."""
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    output = getattr(node, "workeroutput", None)
    if STATUSES_RECEIVED in config.stash and output is not None:
        from ._pytest.report import from_worker

        from_worker(config, output)


def pytest_terminal_summary(terminalreporter: object, config: pytest.Config) -> None:
    if STATUSES_RECEIVED in config.stash and not hasattr(config, "workerinput"):
        from ._pytest.report import write

        write(terminalreporter, config)


@pytest.fixture
def batchjobs_fake(request: pytest.FixtureRequest) -> Iterator[BatchJobsFake]:
    """An active in-memory fake of Amazon Personalize and Amazon Bedrock batch jobs.

    Every boto3 / botocore client's calls to the two services are answered by the fake
    for the duration of the test, through botocore's own serializer, signer, parser and
    retry handler. Time is frozen at a fixed instant; ``batchjobs_fake.clock.advance()``
    moves it. Configure with ``@pytest.mark.batchjobs(...)`` or ``batchjobs_*`` ini
    options. Everything is undone after the test, even when it fails.
    """
    from ._pytest.fixtures import fake_for_test

    yield from fake_for_test(request)


@pytest.fixture
def batchjobs_server(batchjobs_fake: BatchJobsFake) -> Iterator[FakeServer]:
    """A local HTTP server answering both APIs from ``batchjobs_fake``, for one test.

    Point any SDK or the AWS CLI at ``batchjobs_server.endpoint_url`` (127.0.0.1, a
    free port); ``batchjobs_server.fake`` is the same fake as ``batchjobs_fake``, and
    the control API is under ``/_batchjobs/``. Stopped after the test, even when it
    fails, before the fake.
    """
    from ._pytest.fixtures import server_for_test

    yield from server_for_test(batchjobs_fake)


@pytest.fixture
def batchjobs_outcome(request: pytest.FixtureRequest) -> str:
    """The outcome this run of a ``@pytest.mark.batchjobs_outcomes(kind)`` test ends its
    jobs in: ``"PartiallyCompleted"`` in ``test_poller[bedrock-PartiallyCompleted]``.

    ``batchjobs_fake``'s jobs of that kind end in it unless a lifecycle set with an
    explicit ``outcome`` says otherwise.
    """
    param = getattr(request, "param", None)
    if param is None:
        pytest.fail(
            "batchjobs_outcome is the outcome of a run of a test marked "
            "@pytest.mark.batchjobs_outcomes(kind); this test has no such marker: add "
            "one, e.g. @pytest.mark.batchjobs_outcomes('bedrock')",
            pytrace=False,
        )
    return str(param[1])
