"""Event handlers and moto's rule targets see the world as it is at the event's instant,
whatever moves the clock past it, and never run inside the API call that emitted it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from jobs import bedrock_job
from moto import mock_aws

from pytest_batchjobs import BatchJobsFake, fake_batchjobs

REGION = "us-east-1"
RUN = ["Submitted", "Validating", "Scheduled", "InProgress", "Completed"]
ENDS = {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}


def _advance(fake: BatchJobsFake, arn: str) -> None:
    fake.clock.advance(hours=3)


def _time_sleep(fake: BatchJobsFake, arn: str) -> None:
    time.sleep(3 * 3600)


def _asyncio_sleep(fake: BatchJobsFake, arn: str) -> None:
    asyncio.run(asyncio.sleep(3 * 3600))


def _advance_until(fake: BatchJobsFake, arn: str) -> None:
    fake.advance_until(arn)


MOVES: dict[str, Callable[[BatchJobsFake, str], None]] = {
    "advance": _advance,
    "time.sleep": _time_sleep,
    "asyncio.sleep": _asyncio_sleep,
    "advance_until": _advance_until,
}


@pytest.fixture(params=["time-machine", "freezegun"])
def fake(request: pytest.FixtureRequest) -> Iterator[BatchJobsFake]:
    with fake_batchjobs(clock=request.param, seed=3) as active:
        yield active


@pytest.mark.parametrize("move", sorted(MOVES))
def test_a_handler_reads_the_job_as_it_is_at_its_events_instant(
    fake: BatchJobsFake, move: str
) -> None:
    """The Step Functions orchestrator's bug: one long jump, and the InProgress handler
    read Completed and reported success as the Completed handler did."""
    bedrock = boto3.client("bedrock", region_name=REGION)
    seen: list[tuple[str, str, str, dt.datetime]] = []
    successes: list[str] = []

    def lambda_handler(event: dict[str, Any], context: Any) -> None:
        arn = event["detail"]["batchJobArn"]
        job = bedrock.get_model_invocation_job(jobIdentifier=arn)
        seen.append((event["detail"]["status"], job["status"], event["time"], fake.clock.now()))
        if job["status"] in ENDS:
            successes.append(arn)  # SendTaskSuccess(taskToken)

    fake.on_event(lambda_handler)
    arn = bedrock_job(bedrock)
    assert seen == []  # never inside the call that emitted the event
    MOVES[move](fake, arn)
    assert [(sent, read) for sent, read, _, _ in seen] == [(status, status) for status in RUN]
    for _, _, sent_at, now in seen:  # the clock stood at the event's instant
        assert f"{now:%Y-%m-%dT%H:%M:%SZ}" == sent_at
    assert successes == [arn]
    # The journal saw the handler's calls at those instants too.
    gets = [call.time for call in fake.calls if call.operation == "GetModelInvocationJob"]
    assert gets == [now for _, _, _, now in seen]
    assert fake.internal_errors == []


def test_the_submitted_event_is_delivered_when_time_next_passes_at_the_calls_instant(
    fake: BatchJobsFake,
) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    delivered: list[tuple[str, dt.datetime]] = []
    fake.on_event(lambda event: delivered.append((event["detail"]["status"], fake.clock.now())))
    created_at = fake.clock.now()
    bedrock_job(bedrock)
    bedrock.list_model_invocation_jobs()  # another call: still not delivered
    assert delivered == []
    fake.clock.advance(seconds=1)
    assert delivered == [("Submitted", created_at)]


def test_a_handlers_own_calls_emit_events_delivered_after_it_returns(
    fake: BatchJobsFake,
) -> None:
    """A handler that stops the job it was told about: the Stopping event is delivered
    after the handler returned, at the same instant, before the clock moves on."""
    bedrock = boto3.client("bedrock", region_name=REGION)
    order: list[str] = []

    def stop_on_progress(event: dict[str, Any]) -> None:
        order.append(f"handler {event['detail']['status']} begins")
        bedrock.stop_model_invocation_job(jobIdentifier=event["detail"]["batchJobArn"])
        order.append("handler returns")

    fake.on_event(stop_on_progress, status="InProgress")
    fake.on_event(
        lambda event: order.append(f"{event['detail']['status']} at {fake.clock.now():%H:%M:%S}")
    )
    arn = bedrock_job(bedrock)
    fake.clock.advance(hours=3)
    started = fake.assert_event(status="InProgress", job=arn)["time"][11:19]
    assert order[order.index("handler InProgress begins") :] == [
        "handler InProgress begins",
        "handler returns",
        f"InProgress at {started}",
        f"Stopping at {started}",
        order[-1],
    ]
    assert order[-1].startswith("Stopped at ")
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "Stopped"


def test_a_handler_may_sleep_and_the_clock_goes_on_from_there(fake: BatchJobsFake) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    seen: list[str] = []

    def slow(event: dict[str, Any]) -> None:
        time.sleep(5)  # a Lambda waiting a little before it reads
        seen.append(bedrock.get_model_invocation_job(jobIdentifier=event["resources"][0])["status"])

    fake.on_event(slow, status="Submitted")
    bedrock_job(bedrock)
    start = fake.clock.now()
    time.sleep(60)
    assert seen == ["Submitted"]
    assert fake.clock.now() - start == dt.timedelta(seconds=60)


@pytest.fixture
def aws(batchjobs_fake: BatchJobsFake) -> Iterator[dict[str, Any]]:
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in ("batch-in", "batch-out"):
            s3.create_bucket(Bucket=bucket)
        lines = (json.dumps({"recordId": f"r{i}", "modelInput": {}}) for i in range(100))
        s3.put_object(Bucket="batch-in", Key="records.jsonl", Body="\n".join(lines).encode())
        yield {
            "events": boto3.client("events", region_name=REGION),
            "sqs": boto3.client("sqs", region_name=REGION),
            "bedrock": boto3.client("bedrock", region_name=REGION),
        }


def test_an_sqs_target_receives_each_event_at_its_instant(
    aws: dict[str, Any], batchjobs_fake: BatchJobsFake
) -> None:
    sqs = aws["sqs"]
    url = sqs.create_queue(QueueName="bedrock-events")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    aws["events"].put_rule(Name="all", EventPattern=json.dumps({"source": ["aws.bedrock"]}))
    aws["events"].put_targets(
        Rule="all", Targets=[{"Id": "q", "Arn": queue["Attributes"]["QueueArn"]}]
    )
    bedrock_job(aws["bedrock"])
    assert "Messages" not in sqs.receive_message(QueueUrl=url)  # not inside the call
    batchjobs_fake.clock.advance(hours=3)
    sent: dict[str, int] = {}
    while got := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["SentTimestamp"]
    ).get("Messages"):
        for message in got:
            body = json.loads(message["Body"])
            sent[body["detail"]["status"]] = int(message["Attributes"]["SentTimestamp"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert list(sent) == RUN
    for event in batchjobs_fake.events:
        at = dt.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%S%z")
        # SentTimestamp is moto's clock when the message was sent: the event's instant.
        assert sent[event["detail"]["status"]] // 1000 == int(at.timestamp())
