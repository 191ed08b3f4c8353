"""A thread sleeping in real time under the fake is reported at once, where it sleeps.

The fake patches ``time.sleep`` and the module-level ``sleep`` names bound to it; a
reference bound before (a default argument ``sleep=time.sleep``, ``from time import
sleep as pause``, a closure, an attribute) still calls the real sleep. The watch
(``pytest_batchjobs.time.real_sleep``) notices such a thread and says where it sleeps
and how to fix the binding.

The detection is tested in this process on suspended generator frames, which stand
still at a call's line as a sleeping thread's frame does (``pause((yield))``), and
the watch's rules with sample times given by the test: nothing here waits. The
pytester runs let real threads sleep for a few real seconds, with the watch's
threshold lowered to half a second (its conftest), and assert what the output says,
never how long it took.
"""

from __future__ import annotations

import functools
import socket
import sys
import threading
import time
from collections.abc import Callable, Generator
from time import sleep as pause
from types import FrameType

import pytest

from pytest_batchjobs import fake_batchjobs
from pytest_batchjobs.time import real_sleep, sleep_patch
from pytest_batchjobs.time.real_sleep import Watch, find_real_sleep

FAST_WATCH = """
from pytest_batchjobs.time import real_sleep, sleep_patch

real_sleep.SAMPLE_SECONDS = 0.1
real_sleep.REPORT_AFTER_SECONDS = 0.5
"""

POLLER = """
import time
from time import sleep as pause


def wait_for_job(sleep=time.sleep):
    sleep(3600)


def wait_a_little():
    pause(2)
"""

FIX = (
    "Fix: look time.sleep up when sleeping (call time.sleep(...) itself, or default the "
    "argument to None and use `sleep or time.sleep` inside), or pass "
    "batchjobs_fake.clock.sleep to the code under test.*"
)


def suspended(generator: Generator[None, None, None]) -> FrameType:
    """The frame of ``generator``, run up to its ``yield`` (inside the call tested)."""
    next(generator)
    frame = generator.gi_frame
    assert frame is not None
    return frame


def default_argument(sleep: object = time.sleep) -> Generator[None, None, None]:
    sleep((yield))  # type: ignore[operator]


def renamed_import() -> Generator[None, None, None]:
    pause((yield))


def closure_over_the_sleep() -> Callable[[], Generator[None, None, None]]:
    nap = time.sleep

    def inner() -> Generator[None, None, None]:
        nap((yield))

    return inner


CLOSURE_MADE_AT_IMPORT = closure_over_the_sleep()


class Poller:
    def __init__(self) -> None:
        self._sleep = time.sleep
        self._later = functools.partial(time.sleep)

    def attribute(self) -> Generator[None, None, None]:
        self._sleep((yield))

    def partial(self) -> Generator[None, None, None]:
        self._later((yield))


POLLER_MADE_AT_IMPORT = Poller()


def looked_up_at_call_time() -> Generator[None, None, None]:
    time.sleep((yield))


def socket_read(sock: socket.socket) -> Generator[None, None, None]:
    sock.recv((yield))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "call"),
    [
        (lambda: default_argument(), "sleep"),
        (renamed_import, "pause"),
        (CLOSURE_MADE_AT_IMPORT, "nap"),
        (POLLER_MADE_AT_IMPORT.attribute, "self._sleep"),
        (POLLER_MADE_AT_IMPORT.partial, "self._later"),
    ],
    ids=["default argument", "renamed import", "closure", "attribute", "partial"],
)
def test_a_call_of_the_real_sleep_bound_before_the_fake_is_found(
    make: Callable[[], Generator[None, None, None]], call: str
) -> None:
    with fake_batchjobs():
        frame = suspended(make())
        found = find_real_sleep(frame, 1, 3.0)
    assert found is not None
    assert found.call == call
    assert found.where.filename == __file__
    assert found.where.source.startswith(f"{call}((yield))")


def test_time_sleep_looked_up_at_call_time_is_the_fakes_and_not_reported() -> None:
    with fake_batchjobs():
        assert find_real_sleep(suspended(looked_up_at_call_time()), 1, 3.0) is None


def test_the_patched_sleep_sleeping_for_real_under_an_inner_sleep_false_fake_is_not_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frames: list[FrameType] = []

    def real(seconds: float) -> None:  # stands in for the real sleep, and keeps its caller
        caller = sys._getframe(1)
        frames.append(caller)

    # the patch is undone first, before the fakes put time.sleep back
    with fake_batchjobs(), fake_batchjobs(sleep=False), monkeypatch.context() as patched:
        patched.setattr(sleep_patch, "_real_sleep", real)
        time.sleep(5)
    [frame] = frames
    assert frame.f_code is sleep_patch.sleep.__code__
    assert find_real_sleep(frame, 1, 3.0) is None


def test_a_socket_read_is_not_a_sleep() -> None:
    left, right = socket.socketpair()
    with left, right, fake_batchjobs():
        assert find_real_sleep(suspended(socket_read(left)), 1, 3.0) is None


class Clock:
    def __init__(self) -> None:
        self.at = 0

    def now(self) -> object:
        return self.at


def watched(clock: Clock) -> Watch:
    """A watch that is not registered with the watcher's thread: the test samples, and
    reads what each sample found to report."""
    return Watch(clock.now, print)  # type: ignore[arg-type]


def test_the_watch_reports_a_sleep_once_it_has_lasted_its_threshold_then_never_again() -> None:
    watch = watched(Clock())
    frame = suspended(renamed_import())
    after = real_sleep.REPORT_AFTER_SECONDS
    assert watch._sample({7: frame}, 0, 100.0) == []
    assert watch._sample({7: frame}, 0, 100.0 + after / 2) == []
    found = watch._sample({7: frame}, 0, 100.0 + after)
    assert [(each.call, each.seconds) for each in found] == [("pause", after)]
    assert watch._sample({7: frame}, 0, 100.0 + 2 * after) == []


def test_the_watch_reports_nothing_while_the_fake_clock_moves() -> None:
    clock = Clock()
    watch = watched(clock)
    frame = suspended(renamed_import())
    after = real_sleep.REPORT_AFTER_SECONDS
    for step in range(4):
        clock.at += 1  # another thread advances fake time
        assert watch._sample({7: frame}, 0, 100.0 + step * after) == []


def test_the_watch_starts_again_when_the_thread_moves_on_and_skips_its_own_thread() -> None:
    watch = watched(Clock())
    first, second = suspended(renamed_import()), suspended(default_argument())
    after = real_sleep.REPORT_AFTER_SECONDS
    assert watch._sample({7: first}, 0, 100.0) == []
    # a new sleep: its time starts now
    assert watch._sample({7: second}, 0, 100.0 + after) == []
    # thread 7 is the watcher itself
    assert watch._sample({7: second}, 7, 100.0 + 3 * after) == []


def test_the_watchers_thread_is_not_counted_among_the_tests_threads() -> None:
    # The fake's sleepers let a thread alone in the process jump at once: a counted
    # watcher would make every fake sleep wait for quiet.
    threads = threading.active_count()
    clock = Clock()
    real_sleep.watch(clock.now, print).stop()  # type: ignore[arg-type]
    running = threading.Event()
    for _ in range(3000):  # until the watcher's thread runs Python code (at most 30 s)
        if len(sys._current_frames()) > threads:
            running.set()
            break
        running.wait(0.01)
    assert running.is_set()
    assert threading.active_count() == threads


def test_the_message_says_where_why_and_how_to_fix() -> None:
    with fake_batchjobs():
        found = find_real_sleep(suspended(renamed_import()), 1, 3.2)
    assert found is not None
    message = found.message()
    line = found.where.lineno
    assert message.splitlines()[:3] == [
        "pytest-batchjobs: thread 'thread 1' has slept 3 s in real time while the fake clock "
        "stood still, at",
        f"  tests/test_real_sleep.py:{line}, in renamed_import()",
        "      pause((yield))",
    ]
    assert "'pause' is the real time.sleep, bound before the fake started" in message
    assert "pass batchjobs_fake.clock.sleep" in message
    assert message.endswith("cookbook/#moving-time")


def test_a_hung_default_argument_sleep_is_reported_at_once_and_in_the_timeout_failure(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(FAST_WATCH)
    pytester.makepyfile(poller=POLLER)
    pytester.makepyfile(
        test_poller="""
        import poller

        def test_waits_for_its_job(batchjobs_fake):
            poller.wait_for_job()
        """
    )
    # The timeout counts the test's own call only: under a loaded machine, setting the
    # fake up (importing botocore) took more than 5 s once.
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "--timeout=5", "-o", "timeout_func_only=true"
    )
    result.assert_outcomes(failed=1)
    # at once, on the terminal's stderr, while the test still hung
    result.stderr.fnmatch_lines(
        [
            "pytest-batchjobs: thread 'MainThread' has slept * s in real time while the fake "
            "clock stood still, at",
            "  poller.py:6, in wait_for_job()",
            "      sleep(3600)",
            "    called from test_poller.py:4, in test_waits_for_its_job()",
            "Expected: while batchjobs_fake is active, sleeping lets fake time pass at once*",
            "What happened: 'sleep' is the real time.sleep, bound before the fake started (a "
            "default argument sleep=time.sleep*",
            FIX,
        ]
    )
    # and in the failure pytest-timeout made of it
    result.stdout.fnmatch_lines(
        [
            "*Failed: Timeout (>5.0s) from pytest-timeout.",
            "*Captured pytest-batchjobs real sleep call*",
            "pytest-batchjobs: thread 'MainThread' has slept * s in real time*",
            "  poller.py:6, in wait_for_job()",
        ]
    )


def test_a_renamed_import_sleeping_in_a_thread_is_told_before_the_process_is_killed(
    pytester: pytest.Pytester,
) -> None:
    # pytest-timeout's thread method ends the process with os._exit: no report, no
    # summary. What the output holds was written while the test hung.
    pytester.makeconftest(FAST_WATCH)
    pytester.makepyfile(poller=POLLER.replace("pause(2)", "pause(3600)"))
    pytester.makepyfile(
        test_poller="""
        import threading
        import pytest
        import poller

        @pytest.mark.batchjobs(clock="freezegun")  # freezegun freezes time.monotonic too
        def test_waits_in_a_thread(batchjobs_fake):
            worker = threading.Thread(target=poller.wait_a_little, name="poller")
            worker.start()
            worker.join()
        """
    )
    result = pytester.runpytest_subprocess(
        "-p",
        "no:randomly",
        "--timeout=5",
        "--timeout-method=thread",
        "-o",
        "timeout_func_only=true",
    )
    assert result.ret != 0
    result.stderr.fnmatch_lines(
        [
            "pytest-batchjobs: thread 'poller' has slept * s in real time while the fake clock "
            "stood still, at",
            "  poller.py:10, in wait_a_little()",
            "      pause(3600)",
            "Expected: *",
            "What happened: 'pause' is the real time.sleep*",
            FIX,
        ]
    )


def test_a_real_sleep_that_ends_is_a_warning_at_its_line_and_an_error_under_filterwarnings(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(FAST_WATCH)
    pytester.makepyfile(poller=POLLER)
    pytester.makepyfile(
        test_poller="""
        import pytest
        import poller

        def test_warned(batchjobs_fake):
            poller.wait_a_little()

        @pytest.mark.filterwarnings("error")
        def test_strict(batchjobs_fake):
            poller.wait_a_little()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--timeout=60")
    result.assert_outcomes(passed=2, errors=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_strict*",
            "E   *BatchJobsRealSleepWarning: pytest-batchjobs: thread 'MainThread' has slept *",
            "*warnings summary*",
            "test_poller.py::test_warned",
            "  *poller.py:10: BatchJobsRealSleepWarning: pytest-batchjobs: thread 'MainThread'*",
        ]
    )


def test_no_report_for_fake_sleeps_socket_reads_lock_waits_or_sleep_false(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(FAST_WATCH)
    pytester.makepyfile(poller=POLLER)
    pytester.makepyfile(
        test_quiet="""
        import socket
        import threading
        import time
        import pytest
        import poller

        def test_fake_sleeps(batchjobs_fake):
            time.sleep(3600)
            poller.wait_for_job(sleep=batchjobs_fake.clock.sleep)

        def test_a_socket_read_and_a_lock_wait_of_a_second_and_a_half(batchjobs_fake):
            left, right = socket.socketpair()
            with left, right:
                answer = threading.Timer(1.5, right.sendall, [b"x"])  # waits on a lock
                answer.start()
                assert left.recv(1) == b"x"
                answer.join()

        @pytest.mark.batchjobs(sleep=False)
        def test_a_fake_that_does_not_patch_sleep_means_real_sleeps(batchjobs_fake):
            poller.wait_a_little()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--timeout=60", "-W", "error")
    result.assert_outcomes(passed=3)
    assert "real time" not in result.stdout.str() + result.stderr.str()
