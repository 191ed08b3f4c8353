"""Every control value is checked before anything changes (issue 14, items 13 and 14).

Through the real server over HTTP: bad input is a ``400`` whose ``{"error": ...}`` says
what was expected and what was got; never a ``500`` (the ``batchjobs_server`` fixture
also fails a test whose requests made the fake report a bug). A rejected request leaves
every piece of state as it was.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from pytest_batchjobs.transports.server import FakeServer

ARN = "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcdefghijkl"
DEEP = 2500  # deeper than Python's recursion limit


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
BAD = BODY


@pytest.mark.parametrize(
    ("method", "path", "raw", "fragments"),
    BAD,
    ids=[f"{method} {path[:40]} {str(raw)[:40]}" for method, path, raw, _ in BAD],
)
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
    seen["record limits"] = fake.bedrock.batch.limits
    seen["lifecycles"] = [
        id(backend.lifecycle_for("nightly-1")) for backend in (fake.bedrock, fake.personalize)
    ]
    return seen


@pytest.mark.parametrize(
    ("method", "path", "raw", "fragments"),
    BAD,
    ids=[f"{method} {path[:40]} {str(raw)[:40]}" for method, path, raw, _ in BAD],
)
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
