"""The bodies of the plugin's fixtures, loaded when a test first asks for one.

:mod:`pytest_batchjobs.plugin` keeps only their declarations and docstrings: pytest
loads (and, compiling from source when bytecode is not written, rewrites) that module
in every run, including the runs that use no fake.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from ..fake import BatchJobsFake
from ..options import PREFIX, ROWS, FakeOptions
from ..services._kit.factory import seed_for_test
from . import report
from .keys import HORIZON_SHOWN, SEED
from .outcomes import apply, run_of
from .real_sleeps import RealSleepNotice

if TYPE_CHECKING:
    from ..transports.server import FakeServer


def fake_for_test(request: pytest.FixtureRequest) -> Iterator[BatchJobsFake]:
    """``batchjobs_fake``: set up from the ini options and markers, undone after."""
    ini = {name: str(request.config.getini(PREFIX + name)) for name in ROWS}
    marker: dict[str, object] = {}
    for mark in reversed(list(request.node.iter_markers("batchjobs"))):
        marker.update(mark.kwargs)
    options = _options(ini, marker)
    if options.seed is None:
        seed = seed_for_test(request.config.stash[SEED], request.node.nodeid)
        options = dataclasses.replace(options, seed=seed)
    # request.node.ihook: conftest.py hooks apply to their own folder
    fake = BatchJobsFake(**options.keywords(), hook=request.node.ihook)
    if _set_up_before(request, "monkeypatch"):
        _environment_through(request.getfixturevalue("monkeypatch"))
    fake.start()
    real_sleeps = RealSleepNotice(fake, request.node)
    try:
        run = run_of(request.node)
        if run is not None:
            apply(fake, run)
        request.node.ihook.pytest_batchjobs_configure(fake=fake)
        yield fake
    finally:
        real_sleeps.stop()
        fake.stop()
        report.note(request.config, fake)
    errors = list(fake.internal_errors)
    if _lost_horizon(fake, request.node):
        errors.append(str(fake.clock._horizon.error))
    fake.reset()
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)
    real_sleeps.warn()


def _set_up_before(request: pytest.FixtureRequest, name: str) -> bool:
    """Whether the fixture ``name`` was set up for this test before this fixture (so it
    is torn down after it). Read from the request's record of the fixtures it has
    computed (``_fixture_defs`` from pytest 7.4 to 9; no public API says so); on a
    pytest without it, ``False``. Asking for the fixture instead would set it up now,
    and change the order in which the test's fixtures are torn down."""
    computed = getattr(request, "_fixture_defs", None)
    return isinstance(computed, dict) and name in computed


def _environment_through(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the fake's changes to ``os.environ`` through the test's ``monkeypatch`` as
    well, before the fake starts.

    A test that sets an AWS variable with ``monkeypatch`` while the fake is active has
    monkeypatch save the fake's dummy value, and write it back when monkeypatch is
    undone, which is after the fake's own teardown when ``monkeypatch`` was set up
    first: dummy keys, a region or a removed profile would stay for the rest of the
    session. Made through monkeypatch too, the fake's changes are undone last: the
    test's variable goes back to the dummy value, then the dummy value to what it was
    before the test. (A ``monkeypatch`` set up after the fake is undone before it, and
    the fake's own teardown puts the environment back.)
    """
    from ..activation import dummy_environment

    for name, value in dummy_environment().items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def _lost_horizon(fake: BatchJobsFake, item: pytest.Item) -> bool:
    """Whether the horizon stopped a poller in another thread, where nobody saw it.

    In the test's own thread the error went up through the test: it failed on it
    (and said so), or the test caught it on purpose (``pytest.raises``).
    """
    return (
        fake.clock._horizon.error is not None
        and fake.clock._horizon.thread != threading.get_ident()
        and not item.stash.get(HORIZON_SHOWN, False)
    )


def _options(ini: dict[str, str], marker: dict[str, object]) -> FakeOptions:
    """The merged options, or the test failed once with the message alone (raised
    outside the ``except``, so no "During handling of the above exception" follows)."""
    __tracebackhide__ = True
    try:
        return FakeOptions.merge(ini, marker)
    except ValueError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


def server_for_test(fake: BatchJobsFake) -> Iterator[FakeServer]:
    """``batchjobs_server``: started on ``fake``, stopped after the test."""
    from ..transports.server import FakeServer

    server = FakeServer(fake).start()
    try:
        yield server
    finally:
        server.stop()
    errors = server.errors + server.control.errors
    if errors:
        pytest.fail("\n".join(errors), pytrace=False)
