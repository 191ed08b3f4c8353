"""Every control value is checked before anything changes (issue 14, items 13 and 14).

Through the real server over HTTP: bad input is a ``400`` whose ``{"error": ...}`` says
what was expected and what was got; never a ``500`` (the ``batchjobs_server`` fixture
also fails a test whose requests made the fake report a bug). A rejected request leaves
every piece of state as it was.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jobs import bedrock_params
from model_members import needs_model_member

from pytest_batchjobs.transports.server import FakeServer

ARN = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl"
DEEP = 2500  # deeper than Python's recursion limit
CREATE = bedrock_params("at-the-end")


def send(server: FakeServer, method: str, path: str, body: bytes | str = b"") -> tuple[int, Any]:
    raw = body.encode() if isinstance(body, str) else body
    answer = requests.request(
        method, f"{server.endpoint_url}/_batchjobs/{path}", data=raw, timeout=30
    )
    assert answer.headers["Content-Type"] == "application/json"
    return answer.status_code, answer.json()


def body(**fields: Any) -> str:
    return json.dumps(fields)


Row = tuple[str, str, bytes | str, tuple[str, ...]]
# (method, path, raw body, fragments the error must contain), by what they check.
BODY: list[Row] = [
    ("POST", "reset", "[" * DEEP + "]" * DEEP, ("more than 32 levels deep",)),
    ("GET", "calls", '{"a":' * DEEP + "1" + "}" * DEEP, ("more than 32 levels deep",)),
    ("POST", "clock/advance", '{"seconds": NaN}', ("NaN is not a JSON number",)),
    ("POST", "clock/advance", '{"seconds": Infinity}', ("Infinity is not a JSON number",)),
    ("POST", "faults/chaos", '{"rate": -Infinity}', ("-Infinity is not a JSON number",)),
    ("POST", "clock/advance", '{"seconds": 1e400}', ("1e400 is too large",)),
    ("POST", "clock/advance", '{"seconds": ' + "9" * 5000 + "}", ("has 5000 characters",)),
    ("POST", "clock/advance", '{"seconds": 1, "seconds": 2}', ("'seconds' appears twice",)),
    (
        "POST",
        "faults/fail",
        '{"operation": "GetModelInvocationJob", "when": {"a": 1, "a": 1}}',
        ("'a' appears twice",),
    ),
    ("POST", "clock/advance", '{"seconds": 1}'.encode("utf-16"), ("in UTF-8",)),
    ("POST", "bedrock/lifecycle", '{"message": "\\ud800"}', ("lone surrogate",)),
    ("GET", "clock?verbose=1", "", ("takes no query parameters", "?verbose=1")),
    ("POST", "reset?hard=true", "", ("takes no query parameters",)),
    ("GET", f"outputs?job={ARN}&other=1", "", ("takes only the query parameter 'job'",)),
]
CLOCK: list[Row] = [
    ("POST", "clock/advance", body(seconds=1e308), ("past 9000-01-01T00:00:00Z",)),
    ("POST", "clock/advance", body(days=1e9), ("past 9000-01-01T00:00:00Z",)),
    ("POST", "clock/advance", body(days=3_000_000), ("past 9000-01-01T00:00:00Z", "at most")),
    ("POST", "clock/advance", body(hours=1, minutes=-30), ("'minutes' must be a number >= 0",)),
]
FACTORY: list[Row] = [
    ("POST", "bedrock/jobs", body(count=1_000_001), ("'count' must be at most 1000000",)),
    ("POST", "bedrock/jobs", body(status=[]), ("'status'", "non-empty list", "got a list: []")),
    ("POST", "bedrock/jobs", body(status={}), ("'status'", "got a JSON object: {}")),
    ("POST", "bedrock/jobs", body(status=5), ("'status' must be a status", "got an integer")),
    ("POST", "bedrock/jobs", body(status=[5]), ("'status' must be", "got a list: [5]")),
    (
        "POST",
        "bedrock/jobs",
        body(status={"Completed": True}),
        ("weight of 'Completed' must be a number >= 0", "a boolean: true"),
    ),
    (
        "POST",
        "bedrock/jobs",
        body(status={"Completed": "x"}),
        ("weight of 'Completed'", 'a string: "x"'),
    ),
    (
        "POST",
        "bedrock/jobs",
        body(status={"Completed": 0}),
        ("weights must add up to a finite number more than 0",),
    ),
    (
        "POST",
        "bedrock/jobs",
        body(status={"Completed": 1e308, "Failed": 1e308}),
        ("weights must add up to a finite number more than 0",),
    ),
    ("POST", "bedrock/jobs", body(status={"Done": 1}), ("'Done'", "valid statuses: Submitted")),
    ("POST", "bedrock/jobs", body(status="CREATE FAILED"), ("valid statuses: Submitted",)),
    ("POST", "bedrock/jobs", body(region=5), ("'region' must be", "got an integer")),
    ("POST", "bedrock/jobs", body(region="../.."), ("'region' must be an AWS region", "'../..'")),
    ("POST", "bedrock/jobs", body(region=""), ("'region' must be an AWS region",)),
    ("POST", "bedrock/jobs", body(region="mars-north-1"), ("'region' must be an AWS region",)),
    ("POST", "personalize/jobs", body(region="us-east-1\n"), ("'region' must be an AWS region",)),
    ("POST", "bedrock/jobs", body(message=5), ("'message' must be a string",)),
    ("POST", "bedrock/jobs", body(message="x" * 2049), ("less than or equal to 2048",)),
    ("POST", "bedrock/jobs", body(submitTime=5), ("'submitTime' must be an ISO 8601 instant",)),
    (
        "POST",
        "bedrock/jobs",
        body(submitTime="9999-12-31T23:59:59Z"),
        ("'submitTime' must be from 1970-01-01T00:00:00Z to the fake clock's now",),
    ),
    (
        "POST",
        "bedrock/jobs",
        body(submitTime="9999-12-31T23:59:59-01:00"),
        ("'submitTime' must be",),
    ),
    (
        "POST",
        "bedrock/jobs",
        body(submitTime="1969-12-31T23:59:59Z"),
        ("from 1970-01-01T00:00:00Z",),
    ),
    (
        "POST",
        "bedrock/jobs",
        body(submitTime="2024-01-02T00:00:00Z", status="Submitted"),
        ("to the fake clock's now (2024-01-01T09:00:00Z)",),
    ),
    ("POST", "bedrock/jobs", body(timeoutDurationInHours=1e308), ("timeoutDurationInHours",)),
    ("POST", "bedrock/jobs", body(timeoutDurationInHours=24.5), ("must be an integer",)),
    ("POST", "bedrock/jobs", body(tags="x"), ("'tags' must be a list",)),
    ("POST", "bedrock/jobs", body(tags=[1]), ("'tags.member' must be a structure",)),
    (
        "POST",
        "bedrock/jobs",
        body(tags=[{"key": 1, "value": 2}]),
        ("'tags.member.key' must be a string",),
    ),
    ("POST", "bedrock/jobs", body(jobName=5), ("'jobName' must be a string",)),
    ("POST", "bedrock/jobs", body(jobName=[]), ("'jobName' must be a string",)),
    ("POST", "bedrock/jobs", body(vpcConfig=5), ("'vpcConfig' must be a structure",)),
    ("POST", "bedrock/jobs", body(inputDataConfig=5), ("'inputDataConfig' must be a structure",)),
    ("POST", "personalize/jobs", body(failureReason=5), ("'failureReason' must be a string",)),
    ("POST", "personalize/jobs", body(numResults=1e308), ("numResults", "does not fit")),
    ("POST", "personalize/jobs", body(batchInferenceJobConfig=5), ("must be a structure",)),
    (
        "POST",
        "personalize/jobs",
        body(creationDateTime="2024-01-02T00:00:00Z"),
        ("'creationDateTime' must be from 1970-01-01T00:00:00Z to the fake clock's now",),
    ),
]
SETTINGS: list[Row] = [
    (
        "POST",
        "bedrock/lifecycle",
        body(durations={"InProgress": 1e15}),
        ("'durations'", "'InProgress'", "at most 3155760000"),
    ),
    (
        "POST",
        "personalize/lifecycle",
        body(durations={"CREATE PENDING": 1e308}),
        ("at most 3155760000",),
    ),
    (
        "POST",
        "bedrock/lifecycle",
        body(durations={"InProgress": True}),
        ("a number of seconds, got a boolean: true",),
    ),
    ("POST", "bedrock/lifecycle", body(durations={"InProgress": -1}), (">= 0",)),
    ("POST", "bedrock/lifecycle", body(message="x" * 2049), ("less than or equal to 2048",)),
    ("POST", "bedrock/quota", body(max_active_jobs=10**30), ("at most 9223372036854775807",)),
    ("POST", "bedrock/record_limits", body(maximum=10**30), ("at most 9223372036854775807",)),
    ("POST", "bedrock/record_limits", body(minimum=True), ("got a boolean",)),
]
FAULTS: list[Row] = [
    (
        "POST",
        "faults/fail",
        body(operation="GetModelInvocationJob", times=10**30),
        ("'times' must be at most 9223372036854775807",),
    ),
    (
        "POST",
        "faults/fail",
        body(operation="GetModelInvocationJob", times=True),
        ("got a boolean",),
    ),
    (
        "POST",
        "faults/fail",
        body(operation="GetModelInvocationJob", when={"jobIdentifer": ARN}),
        ("'jobIdentifer' is not a member of GetModelInvocationJob", "jobIdentifier"),
    ),
    (
        "POST",
        "faults/transport",
        body(operation="TagResource", when={"resourceArn": 1, "x": 2}),
        ("'x' is not a member of TagResource", "resourceARN", "resourceArn"),
    ),
    (
        "POST",
        "faults/throttle",
        '{"operation": "GetModelInvocationJob", "per_second": NaN}',
        ("NaN is not a JSON number",),
    ),
    (
        "POST",
        "faults/throttle",
        body(operation="GetModelInvocationJob", per_second=1, burst=10**30),
        ("'burst' must be at most 9223372036854775807",),
    ),
    ("POST", "faults/chaos", body(rate=1, seed=10**30), ("'seed' must be at most",)),
    (
        "POST",
        "faults/chaos",
        body(rate=1, seed=-(10**30)),
        ("'seed' must be an integer >= -9223372036854775808",),
    ),
    (
        "POST",
        "faults/chaos",
        body(rate=1, errors=[]),
        ("'errors' must be a list of at least one string",),
    ),
]
# Record counts: read by their shapes in the model of a botocore that shows them (1.42.81
# on); an older model refuses them whatever their value (test_botocore_models.py).
COUNTS: list[Row] = [
    ("POST", "bedrock/jobs", body(totalRecordCount="x"), ("'totalRecordCount' must be a", "x")),
    (
        "POST",
        "bedrock/jobs",
        body(totalRecordCount=-5),
        ("totalRecordCount", "greater than or equal to 0"),
    ),
    ("POST", "bedrock/jobs", body(totalRecordCount=1e308), ("totalRecordCount", "does not fit")),
    ("POST", "bedrock/jobs", body(totalRecordCount=2.5), ("totalRecordCount", "an integer")),
    (
        "POST",
        "bedrock/jobs",
        body(errorRecordCount=10, totalRecordCount=5),
        ("'errorRecordCount' must be at most 'totalRecordCount' (5), got 10",),
    ),
    (
        "POST",
        "bedrock/jobs",
        body(errorRecordCount=500),
        ("at most 100 without 'totalRecordCount'",),
    ),
]
RECORDS: list[Row] = [
    ("PUT", "pagination", body(token_lifetime=1e308), ("'token_lifetime'", "<= 3155760000")),
    ("PUT", "pagination", body(token_lifetime=1e-9), ("'token_lifetime'", "a microsecond")),
    ("PUT", "pagination", body(max_page_size=10**30), ("at most 9223372036854775807",)),
    ("GET", "outputs?job=x", "", ("'job' must be the ARN of a personalize or bedrock", "'x'")),
    ("GET", "outputs?job=arn:aws:s3:::bucket", "", ("'job' must be the ARN",)),
]
BAD = BODY + CLOCK + FACTORY + COUNTS + SETTINGS + FAULTS + RECORDS
COUNTS_SHOWN = needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")


def every_bad_value(said_for_counts: bool = False) -> pytest.MarkDecorator:
    """Every bad row; ``said_for_counts``: the test reads the error's words, which for
    a record count only a model that has it says."""
    return pytest.mark.parametrize(
        ("method", "path", "raw", "fragments"),
        [
            pytest.param(
                *row,
                id=f"{row[0]} {row[1][:40]} {str(row[2])[:40]}",
                marks=[COUNTS_SHOWN] if said_for_counts and row in COUNTS else [],
            )
            for row in BAD
        ],
    )


@every_bad_value(said_for_counts=True)
def test_a_bad_value_is_a_400_saying_what_was_expected(
    batchjobs_server: FakeServer,
    method: str,
    path: str,
    raw: bytes | str,
    fragments: tuple[str, ...],
) -> None:
    status, document = send(batchjobs_server, method, path, raw)
    assert (status, list(document)) == (400, ["error"]), document
    for fragment in fragments:
        assert fragment in document["error"]


def state(server: FakeServer) -> dict[str, Any]:
    """Everything a control request could change, read through the control API and the
    fake's own Python API."""
    fake = server.fake
    seen = {
        path: send(server, "GET", path)
        for path in ("clock", "faults", "calls", "pagination", "pagination/sequences")
    }
    seen["jobs"] = sorted(job.arn for b in (fake.bedrock, fake.personalize) for job in b.all_jobs())
    seen["quotas"] = (fake.bedrock.max_active_jobs, fake.personalize.max_active_jobs)
    seen["record limits"] = fake.bedrock.limits
    seen["lifecycles"] = [
        [id(lifecycle) for lifecycle in kind.lifecycles]
        for kind in (fake.bedrock, fake.personalize)
    ]
    return seen


@every_bad_value()
def test_a_rejected_request_changes_nothing(
    batchjobs_server: FakeServer,
    method: str,
    path: str,
    raw: bytes | str,
    fragments: tuple[str, ...],
) -> None:
    setup = [
        ("POST", "bedrock/jobs", body(count=2, status="InProgress")),
        ("POST", "personalize/jobs", body(count=1)),
        ("POST", "faults/fail", body(operation="ListModelInvocationJobs", times=5)),
        ("PUT", "pagination", body(max_page_size=3, token_lifetime=60)),
        ("POST", "bedrock/quota", body(max_active_jobs=9)),
    ]
    for step in setup:
        assert send(batchjobs_server, *step)[0] == 200
    before = state(batchjobs_server)
    assert send(batchjobs_server, method, path, raw)[0] == 400
    assert state(batchjobs_server) == before


def test_a_rejected_pagination_put_applies_none_of_its_fields(
    batchjobs_server: FakeServer,
) -> None:
    # max_page_size is valid, token_lifetime is not (it overflows a timedelta): the
    # whole PUT is refused.
    before = send(batchjobs_server, "GET", "pagination")
    status, document = send(
        batchjobs_server, "PUT", "pagination", body(max_page_size=5, token_lifetime=1e308)
    )
    assert status == 400, document
    assert send(batchjobs_server, "GET", "pagination") == before
    assert batchjobs_server.fake.pagination.max_page_size is None


def test_count_is_capped_before_the_factory_is_asked(
    batchjobs_server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The factory is never asked for 10,000,000 jobs (about 23 GB): a spy stands in for
    # it, so that without the cap the test fails at once instead of exhausting memory.
    asked: list[int] = []

    def spy(count: int, **overrides: Any) -> list[dict[str, Any]]:
        asked.append(count)
        return []

    monkeypatch.setattr(batchjobs_server.fake.bedrock, "add_jobs", spy)
    status, document = send(batchjobs_server, "POST", "bedrock/jobs", body(count=10_000_000))
    assert status == 400
    assert document == {
        "error": "POST /_batchjobs/bedrock/jobs: 'count' must be at most 1000000 (jobs per "
        "request; each job holds about 2.3 KB, and the answer lists every one), "
        "got 10000000"
    }
    assert asked == []
    assert send(batchjobs_server, "POST", "bedrock/jobs", body(count=3))[0] == 200
    assert asked == [3]


def test_the_clock_stops_short_of_the_end_of_python_dates(batchjobs_server: FakeServer) -> None:
    # A refused advance moves nothing; one to the latest instant is accepted, and the
    # longest timelines jobs can have still fit after it (no date past year 9999).
    assert send(batchjobs_server, "POST", "clock/advance", body(days=3_000_000))[0] == 400
    assert send(batchjobs_server, "GET", "clock")[1]["now"] == "2024-01-01T09:00:00Z"
    longest = 3_155_760_000
    for service, durations in (
        ("bedrock", {"Submitted": longest, "Validating": longest, "Scheduled": longest}),
        ("personalize", {"CREATE PENDING": longest, "CREATE IN_PROGRESS": longest}),
    ):
        status, _ = send(
            batchjobs_server, "POST", f"{service}/lifecycle", body(durations=durations)
        )
        assert status == 200
    now = batchjobs_server.fake.clock.now()
    latest = now.replace(year=9000, month=1, day=1, hour=0)
    seconds = (latest - now).total_seconds()
    assert send(batchjobs_server, "POST", "clock/advance", body(seconds=seconds)) == (
        200,
        {"now": "9000-01-01T00:00:00Z"},
    )
    assert send(batchjobs_server, "POST", "clock/advance", body(seconds=1))[0] == 400
    for service, fields in (
        ("bedrock", {"status": "Submitted", "submitTime": "9000-01-01T00:00:00Z"}),
        ("personalize", {"status": "CREATE IN_PROGRESS"}),
    ):
        answered, document = send(batchjobs_server, "POST", f"{service}/jobs", body(**fields))
        assert answered == 200, document
    # The AWS API too: a job created over HTTP at the latest instant, then read back.
    url = batchjobs_server.endpoint_url
    created = requests.post(f"{url}/model-invocation-job", json=CREATE, timeout=30)
    assert created.status_code == 200, created.text
    arn = created.json()["jobArn"]
    got = requests.get(f"{url}/model-invocation-job/{quote(arn, safe='')}", timeout=30)
    assert got.status_code == 200, got.text
    assert got.json()["status"] == "Submitted"


# -- arbitrary JSON at every endpoint ---------------------------------------------------------

FIELDS = {
    ("POST", "reset"): (),
    ("GET", "clock"): (),
    ("POST", "clock/advance"): ("seconds", "minutes", "hours", "days"),
    ("POST", "bedrock/jobs"): (
        "count",
        "status",
        "region",
        "jobName",
        "submitTime",
        "message",
        "totalRecordCount",
        "errorRecordCount",
        "timeoutDurationInHours",
        "tags",
        "vpcConfig",
        "inputDataConfig",
    ),
    ("POST", "personalize/jobs"): (
        "count",
        "status",
        "region",
        "jobName",
        "creationDateTime",
        "failureReason",
        "numResults",
        "batchInferenceJobConfig",
    ),
    ("POST", "bedrock/lifecycle"): ("outcome", "message", "durations", "match"),
    ("POST", "personalize/lifecycle"): ("outcome", "message", "durations", "match"),
    ("POST", "bedrock/quota"): ("max_active_jobs",),
    ("POST", "personalize/quota"): ("max_active_jobs",),
    ("POST", "bedrock/record_limits"): ("minimum", "maximum"),
    ("GET", "faults"): (),
    ("POST", "faults/fail"): ("operation", "error", "times", "message", "when", "service"),
    ("POST", "faults/throttle"): ("operation", "per_second", "burst", "service"),
    ("POST", "faults/chaos"): ("rate", "errors", "seed"),
    ("POST", "faults/transport"): ("operation", "kind", "times", "when", "service"),
    ("POST", "faults/clear"): (),
    ("GET", "calls"): (),
    ("PUT", "pagination"): ("max_page_size", "empty_pages", "token_lifetime"),
    ("GET", "pagination/sequences"): (),
    ("GET", "outputs"): (),
}
# Values near the edges as well as arbitrary ones: statuses, operations, regions, instants.
WORDS = st.sampled_from(
    [
        "InProgress",
        "Completed",
        "Expired",
        "Stopped",
        "ACTIVE",
        "CREATE IN_PROGRESS",
        "IN PROGRESS",
        "GetModelInvocationJob",
        "list_batch_inference_jobs",
        "TagResource",
        "ThrottlingException",
        "bad_gateway",
        "us-east-1",
        "cn-north-1",
        "../..",
        "2023-12-31T09:00:00Z",
        "9999-12-31T23:59:59Z",
        "1969-01-01T00:00:00Z",
        "",
        "\ud800",
    ]
)
NUMBERS = st.one_of(
    st.integers(-3, 200),
    st.sampled_from(
        [0.5, 24, 168, 1e-9, 1e9, 3_000_000, 1e15, 1e308, -1e308, 2**63, -(2**63) - 1, 10**40]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, WORDS, st.text(max_size=8))
# Values a field might nearly take: numbers, words, and small lists and objects of them.
NEARLY = st.one_of(
    NUMBERS,
    WORDS,
    st.lists(st.one_of(WORDS, NUMBERS), max_size=2),
    st.dictionaries(WORDS, NUMBERS, max_size=2),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(WORDS, st.text(max_size=6)), inner, max_size=3),
    ),
    max_leaves=8,
)


@st.composite
def requests_to_endpoints(draw: st.DrawFn) -> tuple[str, str, bytes]:
    """A control request: an endpoint, and a body of its fields (or others) with any
    values, any JSON value, or any bytes."""
    method, path = draw(st.sampled_from(sorted(FIELDS)))
    names = FIELDS[(method, path)]
    # Mostly the endpoint's own fields (an unknown one is refused before any value is
    # read), so that values reach the checks behind them.
    if names and draw(st.integers(0, 4)):
        values = st.one_of(NEARLY, NEARLY, SCALARS, VALUES)
        fields = draw(st.dictionaries(st.sampled_from(names), values, min_size=1, max_size=4))
    else:
        fields = draw(st.dictionaries(st.text(max_size=6), VALUES, max_size=3))
    count = fields.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and 20 < count <= 1_000_000:
        fields["count"] = 2  # a valid count: a big one is slow, not interesting
    if path == "outputs":
        path = draw(st.sampled_from(["outputs", f"outputs?job={ARN}", "outputs?job=x&job=y"]))
    # json.dumps writes NaN and Infinity, which JSON does not have: they must be refused.
    shape = draw(st.integers(0, 9))
    if shape < 8:
        body = json.dumps(fields).encode()
    elif shape == 8:
        body = json.dumps(draw(VALUES)).encode()
    else:
        body = draw(st.binary(max_size=40))
    return method, path, body


# As tests/test_fuzz.py: a fixed seed and a few seconds by default, many more random
# examples with BATCHJOBS_FUZZ_PROFILE=deep.
DEEP_FUZZ = os.environ.get("BATCHJOBS_FUZZ_PROFILE") == "deep"


@settings(
    max_examples=1500 if DEEP_FUZZ else 150,
    derandomize=not DEEP_FUZZ,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=requests_to_endpoints())
def test_arbitrary_json_at_any_endpoint_is_never_a_500(
    batchjobs_server: FakeServer, request: tuple[str, str, bytes]
) -> None:
    # One server for every example: state builds up as a client's would.
    method, path, raw = request
    status, document = send(batchjobs_server, method, path, raw)
    assert status in (200, 400), (method, path, raw, document)
    assert status == 200 or list(document) == ["error"]
