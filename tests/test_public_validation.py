"""Bad input is refused at the call, the same way at both doors (issue 24, part 4).

Every public method and setter of the Python API takes a wrong type with a
``TypeError`` and a wrong value with a ``ValueError``, each naming the argument, what it
takes and what it got; whatever it accepts leaves the fake answering a real boto3
client's create and get calls (no ``InternalFailure``, nothing in
``internal_errors``). The control API refuses the same values by the same rules.

:data:`ENTRY_POINTS` lists the public surface, an argument at a time: the fake's own
methods, each job kind's controls, pagination, faults, the journal, the clock and the
fake's options. The sweep throws the same hostile values at each; the hypothesis test
throws random ones, several calls per fake.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError, HTTPClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_batchjobs import BatchJobsFake, fake_batchjobs
from pytest_batchjobs.arguments import LATEST, MAX_JOBS, MAX_SECONDS
from pytest_batchjobs.core.registry import KINDS
from pytest_batchjobs.policies.pagination import PagePolicy
from pytest_batchjobs.transports.server.control import limits as control_limits
from tests.jobs import bedrock_job, bedrock_params, personalize_job

UTC = dt.timezone.utc
KIND_NAMES = sorted(kind.name for kind in KINDS)


# -- the surface, an argument at a time -----------------------------------------------


@dataclasses.dataclass(frozen=True)
class Entry:
    """One public argument: ``call(fake, value)`` hands it ``value``; ``near`` are values
    close to valid ones, so the hostile values reach past the first check; ``also`` the
    exceptions besides TypeError and ValueError a call may raise by its contract (an
    assertion's AssertionError)."""

    name: str
    call: Callable[[BatchJobsFake, Any], Any]
    near: tuple[Any, ...] = ()
    also: tuple[type[BaseException], ...] = ()


def _setter(path: str, attribute: str) -> Callable[[BatchJobsFake, Any], Any]:
    def assign(fake: BatchJobsFake, value: Any) -> None:
        setattr(getattr(fake, path), attribute, value)

    return assign


def _kind_entries(kind: str) -> list[Entry]:
    def controls(fake: BatchJobsFake) -> Any:
        return getattr(fake, kind)

    statuses = next(k for k in KINDS if k.name == kind).statuses
    running = statuses.running[-1]
    durations = [*statuses.default_durations]
    entries = [
        Entry(
            f"{kind}.add_jobs(count)",
            lambda f, v: controls(f).add_jobs(v) if not _costly(v) else None,
            (0, 2, -1, MAX_JOBS + 1, 2**64),
        ),
        Entry(
            f"{kind}.add_jobs(status=)",
            lambda f, v: controls(f).add_jobs(2, status=v),
            (statuses.every[0], [], [running], {statuses.outcomes[0]: 1}, {running: 0}),
        ),
        Entry(
            f"{kind}.lifecycle(outcome)",
            lambda f, v: controls(f).lifecycle(v),
            (*statuses.outcomes, running),
        ),
        Entry(
            f"{kind}.lifecycle(message=)",
            lambda f, v: controls(f).lifecycle(message=v),
            ("no access", "x" * 5000, ""),
        ),
        Entry(
            f"{kind}.lifecycle(durations=)",
            lambda f, v: controls(f).lifecycle(durations=v),
            ({durations[0]: 5}, {durations[-1]: math.inf}, {durations[0]: 1e300}, {"nope": 1}),
        ),
        Entry(
            f"{kind}.lifecycle(durations={{status: ...}})",
            lambda f, v: controls(f).lifecycle(durations={durations[-1]: v}),
            (0, MAX_SECONDS, MAX_SECONDS + 1, 2.5),
        ),
        Entry(
            f"{kind}.lifecycle(match=)",
            lambda f, v: controls(f).lifecycle(match=v),
            ("nightly-*", "[", ""),
        ),
        Entry(f"{kind}.quota()", lambda f, v: controls(f).quota(v), (0, 1, None, 2**63)),
        Entry(f"{kind}.responder()", lambda f, v: controls(f).responder(v), (None, str, len)),
    ]
    for name in getattr(BatchJobsFake(), kind).override_names():
        if name == "status":
            continue  # add_jobs(status=) above
        if name == "region":
            near: tuple[Any, ...] = ("eu-west-1", "mars", "")
        else:
            near = ("x", 3, dt.datetime(2023, 1, 1), dt.datetime(2023, 1, 1, tzinfo=UTC))
        entries.append(Entry(f"{kind}.add_job({name}=)", _override(kind, name), near))
    return entries


def _override(kind: str, name: str) -> Callable[[BatchJobsFake, Any], Any]:
    def add(fake: BatchJobsFake, value: Any) -> Any:
        return getattr(fake, kind).add_job(**{name: value})

    return add


def _costly(count: Any) -> bool:
    """A count the factory takes, but that would cost the suite seconds and gigabytes."""
    return isinstance(count, int) and 1_000 < count <= MAX_JOBS


def _clock(unit: str) -> Callable[[BatchJobsFake, Any], Any]:
    def advance(fake: BatchJobsFake, value: Any) -> Any:
        return fake.clock.advance(**{unit: value})

    return advance


def _option(name: str) -> Callable[[BatchJobsFake, Any], Any]:
    def build(fake: BatchJobsFake, value: Any) -> Any:
        fake_batchjobs(**{name: value})  # refused here, or a fake that starts and answers
        with BatchJobsFake(**{name: value}) as made:  # the class takes the same values
            _create_and_get(made)

    return build


FAULTED = "GetModelInvocationJob"
ARN = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl"
ENTRY_POINTS: list[Entry] = [
    # the fake's options (fake_batchjobs() and BatchJobsFake())
    Entry("fake_batchjobs(start=)", _option("start"), (dt.datetime(8999, 12, 31), "2024-01-01")),
    Entry("fake_batchjobs(horizon=)", _option("horizon"), (dt.timedelta(-1), dt.timedelta(0), 60)),
    Entry("fake_batchjobs(max_page_size=)", _option("max_page_size"), (0, 1, "3")),
    Entry("fake_batchjobs(clock=)", _option("clock"), ("freezegun", "nope")),
    Entry("fake_batchjobs(account=)", _option("account"), ("123456789012", "12345")),
    Entry("fake_batchjobs(seed=)", _option("seed"), (0, 2**63, "12")),
    Entry("fake_batchjobs(validate_outputs=)", _option("validate_outputs"), (True, "no")),
    Entry("fake_batchjobs(sleep=)", _option("sleep"), (False, "off")),
    Entry("fake_batchjobs(loop_time=)", _option("loop_time"), (False, "yes")),
    # the clock
    Entry("clock.advance(seconds)", _clock("seconds"), (dt.timedelta(days=1), -1, 1e12)),
    Entry("clock.advance(minutes=)", _clock("minutes"), (90, -0.5)),
    Entry("clock.advance(hours=)", _clock("hours"), (2, 10**8)),
    Entry("clock.advance(days=)", _clock("days"), (1, 3 * 10**6)),
    # pagination
    Entry("pagination.max_page_size", _setter("pagination", "max_page_size"), (1, 0, None)),
    Entry(
        "pagination.token_lifetime",
        _setter("pagination", "token_lifetime"),
        (dt.timedelta(-1), -5, 0, 1e-9, 60, None),
    ),
    Entry("pagination.empty_pages", _setter("pagination", "empty_pages"), (True, "false", 0)),
    Entry(
        "pagination.policy",
        _setter("pagination", "policy"),
        (PagePolicy(), {"max_page_size": 1}),
    ),
    Entry("pagination.limit", _setter("pagination", "limit"), (1, 0, None, 2**64)),
    Entry(
        "pagination.assert_exhausted()",
        lambda f, v: f.pagination.assert_exhausted(v),
        ("ListModelInvocationJobs", None),
        (AssertionError,),
    ),
    Entry(
        "pagination.assert_max_results(at_most)",
        lambda f, v: f.pagination.assert_max_results("ListModelInvocationJobs", v),
        (1, -1),
    ),
    Entry("journal.limit", _setter("journal", "limit"), (1, 0, None, 10**30)),
    # faults
    Entry("faults.fail(operation)", lambda f, v: f.faults.fail(v), (FAULTED, "get_nope")),
    Entry(
        "faults.fail(error=)",
        lambda f, v: f.faults.fail(FAULTED, error=v),
        ("ResourceNotFoundException", "Nope"),
    ),
    Entry("faults.fail(times=)", lambda f, v: f.faults.fail(FAULTED, times=v), (None, 0, 2**70)),
    Entry(
        "faults.fail(message=)",
        lambda f, v: f.faults.fail(FAULTED, message=v),
        ("slow down", ""),
    ),
    Entry(
        "faults.fail(when=)",
        lambda f, v: f.faults.fail(FAULTED, when=v),
        ({"nope": 1}, {"jobIdentifier": "x"}, {}, len),
    ),
    Entry(
        "faults.fail(service=)",
        lambda f, v: f.faults.fail(FAULTED, service=v),
        ("bedrock", "personalize", None),
    ),
    Entry(
        "faults.throttle(per_second=)",
        lambda f, v: f.faults.throttle(FAULTED, per_second=v),
        (1, 0, 1e308),
    ),
    Entry(
        "faults.throttle(burst=)",
        lambda f, v: f.faults.throttle(FAULTED, per_second=1, burst=v),
        (1, 0, 10**400),
    ),
    Entry("faults.chaos(rate)", lambda f, v: f.faults.chaos(v), (0.5, 1, 0, 2)),
    Entry(
        "faults.chaos(errors=)",
        lambda f, v: f.faults.chaos(0.1, errors=v),
        ("ThrottlingException", ["ThrottlingException"], [], None),
    ),
    Entry("faults.chaos(seed=)", lambda f, v: f.faults.chaos(0.1, seed=v), (1, 2**64, "x")),
    Entry(
        "faults.transport(kind=)",
        lambda f, v: f.faults.transport(FAULTED, kind=v),
        ("read_timeout", "nope"),
    ),
    Entry(
        "faults.transport(times=)",
        lambda f, v: f.faults.transport(FAULTED, times=v),
        (None, 0, 1),
    ),
    Entry(
        "faults.transport(when=)",
        lambda f, v: f.faults.transport(FAULTED, when=v),
        ({"nope": 1}, {"jobIdentifier": "x"}),
    ),
    Entry(
        "faults.valid_errors(service)",
        lambda f, v: f.faults.valid_errors(v, FAULTED),
        ("bedrock", "nope"),
    ),
    Entry(
        "faults.valid_errors(operation)",
        lambda f, v: f.faults.valid_errors("bedrock", v),
        (FAULTED, "nope"),
    ),
    # bedrock's own controls
    Entry(
        "bedrock.record_limits(minimum)",
        lambda f, v: f.bedrock.record_limits(v),
        (0, 100, -1, 10**6),
    ),
    Entry(
        "bedrock.record_limits(maximum=)",
        lambda f, v: f.bedrock.record_limits(0, maximum=v),
        (0, 50_000, -1),
    ),
    Entry(
        "bedrock.record_order(order)",
        lambda f, v: f.bedrock.record_order(v),
        ("input", "shuffled", "random", None, ["input"]),
    ),
    # scheduled actions
    Entry(
        "clock.call_at(when)",
        lambda f, v: f.clock.call_at(v, print),
        (
            dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc),
            dt.datetime(2024, 1, 2),
            dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc),
            dt.datetime(9999, 1, 1, tzinfo=dt.timezone.utc),
            "2024-01-02",
            1.5,
        ),
    ),
    Entry("clock.call_at(fn)", lambda f, v: f.clock.call_at(f.clock.now(), v), (print, None, 3)),
    Entry(
        "clock.call_later(delay)",
        lambda f, v: f.clock.call_later(v, print),
        (0, 60, dt.timedelta(hours=1), -1, math.nan, math.inf, 10**400, "60", None),
    ),
    Entry("clock.call_later(fn)", lambda f, v: f.clock.call_later(1, v), (print, None, "x")),
    # the journal's assertions, read through the fake
    Entry(
        "assert_called(operation)",
        lambda f, v: f.assert_called(v),
        ("ListModelInvocationJobs", "nope"),
        (AssertionError,),
    ),
    Entry("call_count(operation)", lambda f, v: f.call_count(v), ("list_model_invocation_jobs",)),
    Entry(
        "call_count(service=)",
        lambda f, v: f.call_count("ListModelInvocationJobs", service=v),
        ("bedrock", None),
    ),
    # the fake's calls that name a job
    Entry("outputs(job)", lambda f, v: f.outputs(v), (ARN, {"jobArn": ARN}, {"x": 1})),
    Entry(
        "advance_until(job)",
        lambda f, v: f.advance_until(v),
        (ARN, {"jobArn": ARN}, {"x": 1}),
    ),
    Entry(
        "advance_until(status=)",
        lambda f, v: f.advance_until(f.bedrock.add_job(status="InProgress"), v),
        ("Completed", "Failed", None),
    ),
    Entry(
        "assert_event(job=)",
        lambda f, v: f.assert_event(job=v),
        (ARN, {"jobArn": ARN}),
        (AssertionError,),
    ),
    Entry(
        "assert_event(status=)",
        lambda f, v: f.assert_event(status=v),
        ("Completed",),
        (AssertionError,),
    ),
    Entry("on_event(handler)", lambda f, v: f.on_event(v), (print, None)),
    Entry("on_event(job=)", lambda f, v: f.on_event(print, job=v), (ARN, {"jobArn": ARN})),
    Entry("statuses_seen(kind)", lambda f, v: f.statuses_seen(v), ("bedrock", "nope")),
    Entry("faked_operations(service)", lambda f, v: f.faked_operations(v), ("bedrock", "nope")),
    Entry(
        "assert_not_called(operation)",
        lambda f, v: f.assert_not_called(v),
        ("ListModelInvocationJobs",),
    ),
]
for _kind in KIND_NAMES:
    ENTRY_POINTS.extend(_kind_entries(_kind))
BY_NAME = {entry.name: entry for entry in ENTRY_POINTS}


# -- what an accepted value must leave working ----------------------------------------


def _create_and_get(fake: BatchJobsFake) -> None:
    """A real boto3 client's create and get calls of Bedrock and Personalize, now and a
    day later, and a list call of every kind: each answered (an injected fault or a
    quota is an answer), never the fake's own failure."""
    bedrock, personalize, sagemaker, runtime = (
        _client(name) for name in ("bedrock", "personalize", "sagemaker", "bedrock-runtime")
    )
    calls: list[Callable[[], Any]] = [
        lambda: bedrock.get_model_invocation_job(jobIdentifier=bedrock_job(bedrock, "checked")),
        lambda: personalize.describe_batch_inference_job(
            batchInferenceJobArn=personalize_job(personalize, "checked")
        ),
        lambda: bedrock.list_model_invocation_jobs(),
        lambda: personalize.list_batch_inference_jobs(),
        lambda: personalize.list_batch_segment_jobs(),
        lambda: sagemaker.list_transform_jobs(),
        lambda: runtime.list_async_invokes(),
    ]
    for call in calls:
        _answered(fake, call)
    if fake.clock.now() + dt.timedelta(days=1) <= LATEST:
        fake.clock.advance(days=1)
        for call in calls[2:]:
            _answered(fake, call)
    assert fake.internal_errors == [], fake.internal_errors[-1]
    unexplained = [c for c in fake.calls if c.status >= 500 and c.fault is None]
    assert unexplained == [], unexplained[0].describe()


@functools.cache
def _client(service: str) -> Any:
    """One client per service for the whole module (making one costs more than the
    calls): the fake answers whichever client calls while it is active."""
    return boto3.client(service, region_name="us-east-1")


def _answered(fake: BatchJobsFake, call: Callable[[], Any]) -> None:
    try:
        call()
    except ClientError:  # a modeled answer: a fault, a quota, a name taken
        pass
    except HTTPClientError:  # a broken connection: only a transport fault breaks one
        assert any(rule.description.startswith("faults.transport") for rule in fake.faults.rules)


def _refused_or_harmless(fake: BatchJobsFake, entry: Entry, value: Any) -> bool:
    """Hand ``value`` to ``entry``: whether it was refused (as the contract says)."""
    try:
        entry.call(fake, value)
    except (TypeError, ValueError) as error:
        said = str(error)
        assert said, f"{entry.name}({value!r}) refused without a word"
        return True
    except entry.also:
        return False
    return False


# -- values -----------------------------------------------------------------------------

HOSTILE: tuple[Any, ...] = (
    None,
    True,
    -1,
    0,
    2**64,
    10**5000,
    math.nan,
    math.inf,
    -math.inf,
    1e300,
    "",
    "7",
    b"7",
    [],
    {},
    {"nope": 1},
    object(),
    dt.datetime(9999, 12, 31),
    dt.datetime(1, 1, 1, tzinfo=UTC),
    dt.timedelta(days=-1),
    dt.timedelta.max,
    dt.date(2024, 1, 1),
)

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(),
    st.text(max_size=12),
    st.binary(max_size=6),
    st.lists(st.integers() | st.text(max_size=6), max_size=3),
    st.dictionaries(
        st.text(max_size=8), st.integers() | st.floats() | st.text(max_size=4), max_size=3
    ),
    st.datetimes(timezones=st.none() | st.just(UTC)),
    st.timedeltas(),
    st.just(object()),
)


# -- the sweep: each entry point, the same hostile values -----------------------------


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_each_entry_point_refuses_at_the_call_or_keeps_working(name: str) -> None:
    entry = BY_NAME[name]
    with BatchJobsFake(validate_outputs=True, seed=7) as fake:
        refused = [
            value for value in (*HOSTILE, *entry.near) if _refused_or_harmless(fake, entry, value)
        ]
        _create_and_get(fake)
    assert refused, f"{name} refused none of the hostile values"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    st.lists(
        st.sampled_from(sorted(BY_NAME)).flatmap(
            lambda name: st.tuples(
                st.just(name), values | st.sampled_from(BY_NAME[name].near or (None,))
            )
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_values_are_refused_at_the_call_or_break_no_later_call(
    steps: list[tuple[str, Any]],
) -> None:
    with BatchJobsFake(validate_outputs=True, seed=7) as fake:
        for name, value in steps:
            _refused_or_harmless(fake, BY_NAME[name], value)
        _create_and_get(fake)


# What each documented class shows that takes no argument to check: properties read
# only, calls without arguments. ``sleep`` is time.sleep's (its errors are time.sleep's).
TAKES_NOTHING = {
    "kind", "override_names", "all_jobs", "lifecycles", "max_active_jobs", "limits",
    "now", "sleep", "sequences", "dropped", "reset", "assert_no_token_reuse", "clear",
    "rules", "assert_all_fired",
}  # fmt: skip
# The fake's own: its parts (each covered above), its life, what it has recorded.
TAKES_NOTHING |= {
    "clock", "pagination", "faults", "journal", *KIND_NAMES, "start", "stop", "calls",
    "internal_errors", "jobs", "events", "account", "seed", "patch_sleep", "loop_time",
}  # fmt: skip
DOCUMENTED = (
    "BatchJobsFake",
    "JobControls",
    "InvocationJobControls",
    "Pagination",
    "Faults",
    "JournalControls",
    "Clock",
)


def test_the_entry_points_cover_the_documented_surface() -> None:
    """Every member docs/reference/api.md documents for the objects the fake hands out
    has entries here, unless it takes nothing to check; so has every factory override
    of every kind."""
    page = (Path(__file__).parent.parent / "docs" / "reference" / "api.md").read_text()
    covered = {name.split("(")[0].split(".")[-1] for name in BY_NAME}
    for cls in DOCUMENTED:
        found = re.search(rf"\.{cls}\n(?:    .*\n)*?      members: \[([^\]]*)\]", page)
        assert found, cls
        members = {member.strip() for member in found.group(1).split(",")}
        assert members - TAKES_NOTHING <= covered, (cls, members - TAKES_NOTHING - covered)
    with BatchJobsFake() as fake:
        for kind in KIND_NAMES:
            names = set(getattr(fake, kind).override_names()) - {"status"}
            assert {f"{kind}.add_job({name}=)" for name in names} <= set(BY_NAME), kind


# -- the cases the issue names ---------------------------------------------------------


def test_a_count_past_the_control_apis_cap_is_refused_in_python_too() -> None:
    assert MAX_JOBS == control_limits.MAX_JOBS
    refused = pytest.raises(ValueError, match=r"add_jobs\(\) count must be an integer from 0")
    with BatchJobsFake() as fake, refused:
        fake.personalize.add_jobs(MAX_JOBS + 1)


@pytest.mark.parametrize("seconds", [math.inf, 1e300, MAX_SECONDS + 1, -1, math.nan])
def test_a_lifecycle_duration_past_100_years_is_refused(seconds: float) -> None:
    with BatchJobsFake(validate_outputs=True) as fake:
        with pytest.raises(ValueError, match=r"bedrock.lifecycle\(\) durations\['InProgress'\]"):
            fake.bedrock.lifecycle(durations={"InProgress": seconds})
        assert fake.bedrock.lifecycles == []
        _create_and_get(fake)


def test_a_lifecycle_of_the_longest_durations_at_the_latest_instant_still_works() -> None:
    longest = {status: MAX_SECONDS for status in ("Submitted", "Validating", "Scheduled")}
    with BatchJobsFake(validate_outputs=True, start=LATEST) as fake:
        fake.bedrock.lifecycle(durations={**longest, "InProgress": MAX_SECONDS})
        bedrock = boto3.client("bedrock", region_name="us-east-1")
        arn = bedrock_job(bedrock, timeoutDurationInHours=168)
        assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "Submitted"
        assert fake.internal_errors == []


@pytest.mark.parametrize(
    ("arguments", "error", "fragment"),
    [
        ({"match": 5}, TypeError, "bedrock.lifecycle() match must be a string or None, got int 5"),
        ({"message": object()}, TypeError, "bedrock.lifecycle() message must be a string"),
        ({"message": "x" * 3000}, ValueError, "Member must have length less than or equal to"),
        ({"durations": [("InProgress", 5)]}, TypeError, "durations must be a dict"),
        ({"durations": {"InProgress": "5"}}, TypeError, "must be a number of seconds"),
        ({"outcome": ["Failed"]}, TypeError, "outcome must be a string or None"),
    ],
)
def test_lifecycle_arguments_of_the_wrong_kind_are_refused(
    arguments: dict[str, Any], error: type[Exception], fragment: str
) -> None:
    with BatchJobsFake() as fake:
        with pytest.raises(error) as refused:
            fake.bedrock.lifecycle(**arguments)
        assert fragment in str(refused.value)
        assert fake.bedrock.lifecycles == []


def test_a_fault_message_that_is_not_text_is_refused_at_the_call() -> None:
    with BatchJobsFake() as fake:
        with pytest.raises(TypeError, match=r"faults.fail\(\) message must be a string or None"):
            fake.faults.fail("GetModelInvocationJob", message=object())  # type: ignore[arg-type]
        assert fake.faults.rules == []


@pytest.mark.parametrize("status", [[], (), {}, {"Completed": 0}, {"Completed": math.inf}])
def test_a_status_spec_that_names_no_status_is_refused(status: Any) -> None:
    with BatchJobsFake() as fake:
        with pytest.raises(ValueError, match=r"bedrock.add_jobs\(\) status"):
            fake.bedrock.add_jobs(3, status=status)
        assert list(fake.bedrock.all_jobs()) == []


@pytest.mark.parametrize(
    ("kind", "member", "shown"),
    [
        ("bedrock", "submitTime", "submitTime"),
        ("personalize", "creationDateTime", "creationDateTime"),
        ("sagemaker", "CreationTime", "CreationTime"),
        ("bedrock_async", "submitTime", "submitTime"),
    ],
)
def test_a_naive_submit_time_is_utc_as_a_naive_start_is(kind: str, member: str, shown: str) -> None:
    naive = dt.datetime(2023, 12, 31, 8, 30)
    with BatchJobsFake(start=dt.datetime(2024, 1, 1, 9)) as fake:
        for given in (naive, "2023-12-31T08:30:00", "2023-12-31T09:30:00+01:00"):
            job = getattr(fake, kind).add_job(**{member: given, "status": fake_end(kind)})
            found = next(value for key, value in _flat(job) if key == shown)
            assert found == naive.replace(tzinfo=UTC), (given, job)
        day = getattr(fake, kind).add_job(**{member: dt.date(2023, 12, 31)})
        assert dt.datetime(2023, 12, 31, tzinfo=UTC) in [value for _, value in _flat(day)]
        assert fake.clock.now() == dt.datetime(2024, 1, 1, 9, tzinfo=UTC)


def fake_end(kind: str) -> str:
    return next(k for k in KINDS if k.name == kind).statuses.outcomes[0]


def _flat(value: Any) -> list[tuple[str, Any]]:
    if not isinstance(value, dict):
        return []
    return [pair for key, item in value.items() for pair in [(key, item), *_flat(item)]]


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (dt.datetime(2024, 1, 2, tzinfo=UTC), ValueError),  # after the fake clock's now
        (dt.datetime(1969, 12, 31, 23, 59, tzinfo=UTC), ValueError),
        ("2024-01-02T00:00:00Z", ValueError),
        ("yesterday", ValueError),
        (1703999400, TypeError),
    ],
)
def test_a_submit_time_outside_1970_to_now_is_refused(value: Any, error: type[Exception]) -> None:
    refused = pytest.raises(error, match=r"bedrock.add_jobs\(\) submitTime must be a datetime")
    with BatchJobsFake(start=dt.datetime(2024, 1, 1, 9)) as fake, refused:
        fake.bedrock.add_job(submitTime=value, status="Completed")


@pytest.mark.parametrize("obj", ["pagination", "faults", "clock", "journal", "policy", *KIND_NAMES])
def test_a_misspelt_setting_is_refused(obj: str) -> None:
    with BatchJobsFake() as fake:
        target = fake.pagination.policy if obj == "policy" else getattr(fake, obj)
        with pytest.raises(AttributeError, match="max_pagesize"):
            target.max_pagesize = 1
        assert not hasattr(target, "max_pagesize")


def test_the_misspelt_setting_names_the_real_ones() -> None:
    with BatchJobsFake() as fake:
        with pytest.raises(AttributeError) as refused:
            fake.pagination.max_pagesize = 1
        assert "its settings are empty_pages, limit, max_page_size, policy, token_lifetime" in str(
            refused.value
        )
        with pytest.raises(AttributeError, match=r"Pagination\.dropped is read-only"):
            fake.pagination.dropped = 0  # type: ignore[misc]
        assert fake.pagination.max_page_size is None


@pytest.mark.parametrize("lifetime", [dt.timedelta(seconds=-1), -1, 0, dt.timedelta(0), math.nan])
def test_a_token_lifetime_that_makes_tokens_born_expired_is_refused(lifetime: Any) -> None:
    with BatchJobsFake() as fake:
        with pytest.raises(ValueError, match=r"pagination\.token_lifetime must be a timedelta"):
            fake.pagination.token_lifetime = lifetime
        assert fake.pagination.token_lifetime == dt.timedelta(hours=24)


def test_a_token_lifetime_in_seconds_is_a_timedelta() -> None:
    with BatchJobsFake() as fake:
        fake.pagination.token_lifetime = 90
        assert fake.pagination.token_lifetime == dt.timedelta(seconds=90)
        with pytest.raises(TypeError, match="empty_pages must be True or False, got str 'false'"):
            fake.pagination.empty_pages = "false"  # type: ignore[assignment]
        with pytest.raises(ValueError, match="max_page_size"):
            fake.pagination.policy = PagePolicy(max_page_size=0)


@pytest.mark.parametrize("horizon", [dt.timedelta(-1), dt.timedelta(0)])
def test_a_horizon_of_no_time_is_refused(horizon: dt.timedelta) -> None:
    with pytest.raises(ValueError, match="horizon must be a timedelta longer than 0, or None"):
        BatchJobsFake(horizon=horizon)
    with pytest.raises(ValueError, match="horizon"):
        fake_batchjobs(horizon=horizon)


@pytest.mark.parametrize(
    "start", [dt.datetime(9999, 12, 1), dt.datetime(9000, 1, 1, 0, 0, 1), dt.datetime(1969, 1, 1)]
)
def test_a_start_outside_1970_to_9000_is_refused(start: dt.datetime) -> None:
    with pytest.raises(ValueError, match=r"start must be a datetime .* to 9000-01-01T00:00:00Z"):
        BatchJobsFake(start=start)


def test_advance_stops_where_the_control_api_does() -> None:
    with BatchJobsFake(start=dt.datetime(8999, 12, 31), validate_outputs=True) as fake:
        with pytest.raises(ValueError, match="cannot move the fake clock past 9000-01-01"):
            fake.clock.advance(days=2)
        assert fake.clock.advance(days=1) == LATEST
        _create_and_get(fake)
        with pytest.raises(TypeError, match=r"advance\(\) hours must be a number, got str '1'"):
            fake.clock.advance(hours="1")  # type: ignore[arg-type]


# -- both doors, one rule ----------------------------------------------------------------


@pytest.fixture
def control(batchjobs_server: Any) -> Callable[..., requests.Response]:
    base = batchjobs_server.endpoint_url.rstrip("/") + "/_batchjobs/"

    def send(method: str, path: str, body: dict[str, Any]) -> requests.Response:
        return requests.request(method, base + path, json=body, timeout=10)

    return send


def test_a_when_key_the_request_lacks_is_refused_at_both_doors(
    batchjobs_server: Any, control: Callable[..., requests.Response]
) -> None:
    fake = batchjobs_server.fake
    sentence = (
        "key 'nope' is not a member of GetModelInvocationJob's request, so the rule would "
        "never fire; its members: jobIdentifier"
    )
    with pytest.raises(ValueError, match="would never fire") as refused:
        fake.faults.fail("GetModelInvocationJob", when={"nope": 1})
    assert sentence in str(refused.value)
    answer = control(
        "POST", "faults/fail", {"operation": "GetModelInvocationJob", "when": {"nope": 1}}
    )
    assert answer.status_code == 400, answer.text
    assert sentence in answer.json()["error"]
    answer = control(
        "POST", "faults/transport", {"operation": "get_model_invocation_job", "when": {"nope": 1}}
    )
    assert answer.status_code == 400, answer.text
    assert fake.faults.rules == []


@pytest.mark.parametrize(
    ("path", "body", "python", "both_say"),
    [
        (
            "bedrock/lifecycle",
            {"durations": {"InProgress": 1e300}},
            lambda f: f.bedrock.lifecycle(durations={"InProgress": 1e300}),
            "(100 years)",
        ),
        (
            "bedrock/lifecycle",
            {"durations": {"InProgress": -1}},
            lambda f: f.bedrock.lifecycle(durations={"InProgress": -1}),
            "must be a number of seconds",
        ),
        (
            "pagination",
            {"token_lifetime": -5},
            lambda f: setattr(f.pagination, "token_lifetime", -5),
            "token_lifetime",
        ),
        (
            "clock/advance",
            {"days": 10**7},
            lambda f: f.clock.advance(days=10**7),
            "9000-01-01",
        ),
        (
            "bedrock/jobs",
            {"count": 1, "submitTime": "1969-12-31T00:00:00Z"},
            lambda f: f.bedrock.add_job(submitTime=dt.datetime(1969, 12, 31, tzinfo=UTC)),
            "from 1970-01-01T00:00:00Z to the fake clock's now",
        ),
        (
            "bedrock/jobs",
            {"count": 1, "status": []},
            lambda f: f.bedrock.add_jobs(1, status=[]),
            "must be a status, a non-empty list of statuses",
        ),
        (
            "bedrock/jobs",
            {"count": MAX_JOBS + 1},
            lambda f: f.bedrock.add_jobs(MAX_JOBS + 1),
            "1000000",
        ),
        (
            "bedrock/quota",
            {"max_active_jobs": -1},
            lambda f: f.bedrock.quota(-1),
            "max_active_jobs",
        ),
    ],
)
def test_both_doors_refuse_the_same_values(
    batchjobs_server: Any,
    control: Callable[..., requests.Response],
    path: str,
    body: dict[str, Any],
    python: Callable[[BatchJobsFake], Any],
    both_say: str,
) -> None:
    method = "PUT" if path == "pagination" else "POST"
    answer = control(method, path, body)
    assert answer.status_code == 400, answer.text
    assert both_say in answer.json()["error"]
    with pytest.raises(ValueError, match=re.escape(both_say)):
        python(batchjobs_server.fake)


# -- the wire: an integer of any length -------------------------------------------------


@pytest.mark.parametrize("digits", ["5" * 4301, "0" * 5000 + "7", "-" + "9" * 10_000])
def test_an_integer_query_parameter_of_any_length_is_a_validation_error(
    batchjobs_fake: BatchJobsFake, batchjobs_server: Any, digits: str
) -> None:
    path = "/model-invocation-jobs?maxResults=" + digits
    for base in ("https://bedrock.us-east-1.amazonaws.com", batchjobs_server.endpoint_url):
        answer = requests.get(base.rstrip("/") + path, timeout=10)
        if digits.startswith("0"):  # 7, with leading zeros, as Java's parsers read it
            assert answer.status_code == 200, answer.text
            continue
        assert answer.status_code == 400, answer.text
        assert answer.headers["x-amzn-ErrorType"].startswith("SerializationException")
        assert "does not fit in a integer" in answer.json()["message"]
    assert batchjobs_fake.internal_errors == []
    assert batchjobs_server.fake.internal_errors == []
    bedrock = boto3.client("bedrock", region_name="us-east-1")
    bedrock.create_model_invocation_job(**bedrock_params())
