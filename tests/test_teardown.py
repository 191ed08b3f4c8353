"""Teardown leaves the process as it found it: whatever raises, in whatever order fakes
stop, and for modules imported while a fake was active. The clock refuses to leave the
range of instants a datetime can hold."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import boto3
import pytest
import requests

from pytest_batchjobs import BatchJobsFake

UTC = dt.timezone.utc
CLOCKS = ("time-machine", "freezegun")


def _real_time() -> bool:
    return abs(time.time() - time.clock_gettime(time.CLOCK_REALTIME)) < 5


# -- the clock's range ------------------------------------------------------------------

NEAR_THE_END = dt.datetime(9999, 12, 30, tzinfo=UTC)
THE_END = "9999-12-31 23:59:59 UTC"


@pytest.mark.parametrize("clock", CLOCKS)
@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ({"days": 2}, "advance(days=2)"),
        ({"seconds": dt.timedelta(days=3)}, "advance(datetime.timedelta(days=3))"),
        ({"days": 10**9}, "advance(days=1000000000)"),
        ({"seconds": float("inf")}, "advance(inf)"),
        ({"hours": float("nan")}, "advance(hours=nan)"),
    ],
)
def test_advance_past_the_last_instant_is_refused_before_anything_moves(
    clock: str, amount: dict[str, Any], shown: str
) -> None:
    with BatchJobsFake(clock_backend=clock, start=NEAR_THE_END) as fake:
        with pytest.raises(ValueError, match=re.escape(shown)) as refused:
            fake.clock.advance(**amount)
        message = str(refused.value)
        assert message.startswith(f"{shown} cannot move the fake clock"), message
        assert "Nothing moved" in message, message
        assert fake.clock.now() == NEAR_THE_END
        bedrock = boto3.client("bedrock", region_name="us-east-1")
        assert bedrock.list_model_invocation_jobs()["invocationJobSummaries"] == []
        assert fake.clock.advance(days=1) == NEAR_THE_END + dt.timedelta(days=1)
    assert _real_time()


@pytest.mark.parametrize("clock", CLOCKS)
@pytest.mark.parametrize(
    ("seconds", "error", "shown"),
    [
        (3 * 86400, OverflowError, f"cannot move the fake clock past {THE_END}"),
        (1e300, OverflowError, f"cannot move the fake clock past {THE_END}"),
        (float("inf"), OverflowError, f"cannot move the fake clock past {THE_END}"),
        (float("nan"), ValueError, "Invalid value NaN (not a number)"),
    ],
)
def test_a_sleep_past_the_last_instant_raises_without_moving_the_clock(
    clock: str, seconds: float, error: type[Exception], shown: str
) -> None:
    with BatchJobsFake(clock_backend=clock, start=NEAR_THE_END, horizon=None) as fake:
        with pytest.raises(error) as refused:
            time.sleep(seconds)
        assert shown in str(refused.value)
        assert fake.clock.now() == NEAR_THE_END
        assert fake.clock.slept == dt.timedelta(0)
        time.sleep(60)
        assert fake.clock.now() == NEAR_THE_END + dt.timedelta(seconds=60)
    assert _real_time()


def test_a_start_past_the_last_instant_is_refused() -> None:
    with pytest.raises(ValueError, match=f"start .* is past {THE_END}"):
        BatchJobsFake(start=dt.datetime(9999, 12, 31, 23, 59, 59, 999999))


@pytest.mark.batchjobs(start=NEAR_THE_END)
def test_the_control_api_refuses_an_advance_past_the_last_instant(batchjobs_server: Any) -> None:
    control = batchjobs_server.endpoint_url.rstrip("/") + "/_batchjobs"
    with requests.Session() as http:
        refused = http.post(f"{control}/clock/advance", json={"days": 10})
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"].startswith("advance(days=10) cannot move the fake clock")
        clock = http.get(f"{control}/clock")
        assert clock.status_code == 200, clock.text
        assert dt.datetime.fromisoformat(clock.json()["now"].replace("Z", "+00:00")) == NEAR_THE_END
        listed = http.get(batchjobs_server.endpoint_url.rstrip("/") + "/model-invocation-jobs")
        assert listed.status_code == 200, listed.text
