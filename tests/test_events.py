"""EventBridge state-change events, through real boto3: kept, asserted, handed to
handlers, and routed by the test's own rules in moto's EventBridge to SQS and SNS."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import requests
from jobs import MODEL, ROLE, bedrock_job, bedrock_params, transform_job
from moto import mock_aws

from pytest_batchjobs import BatchJobsFake, FakeServer, fake_batchjobs

REGION = "us-east-1"
ACCOUNT = "123456789012"
RUN = ["Submitted", "Validating", "Scheduled", "InProgress"]
DETAIL_MEMBERS = [
    "version",
    "accountId",
    "batchJobName",
    "batchJobArn",
    "batchModelId",
    "status",
    "failureMessage",
    "creationTime",
]


def statuses(events: list[dict[str, Any]], arn: str | None = None) -> list[str]:
    return [e["detail"]["status"] for e in events if arn is None or arn in e["resources"]]


# -- the events ------------------------------------------------------------------------


def test_one_event_per_status_change_in_the_envelope_aws_sends(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    arn = bedrock_job(bedrock, "nightly-1")
    batchjobs_fake.clock.advance(hours=3)
    events = batchjobs_fake.events
    assert statuses(events) == [*RUN, "Completed"]
    last = events[-1]
    assert list(last) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert last["version"] == "0"
    assert last["source"] == "aws.bedrock"
    assert last["detail-type"] == "Batch Inference Job State Change"
    assert (last["account"], last["region"], last["resources"]) == (ACCOUNT, REGION, [arn])
    assert list(last["detail"]) == DETAIL_MEMBERS
    job = bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert last["time"] == f"{job['endTime']:%Y-%m-%dT%H:%M:%SZ}"  # the transition's instant
    assert last["detail"] == {
        "version": "0.0",
        "accountId": ACCOUNT,
        "batchJobName": "nightly-1",
        "batchJobArn": arn,
        "batchModelId": f"arn:aws:bedrock:{REGION}::foundation-model/{MODEL}",
        "status": "Completed",
        "failureMessage": "",
        "creationTime": "Jan 1, 2024, 9:00:00 AM",
    }
    assert len({event["id"] for event in events}) == len(events)
    times = [event["time"] for event in events]
    assert times == sorted(times)


def test_each_event_once_however_often_time_is_seen(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    arn = bedrock_job(bedrock)
    for _ in range(12):
        batchjobs_fake.clock.advance(minutes=10)
        bedrock.get_model_invocation_job(jobIdentifier=arn)
    assert statuses(batchjobs_fake.events) == [*RUN, "Completed"]


def test_a_failed_job_carries_its_message(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    batchjobs_fake.bedrock.lifecycle("Failed", message="The role cannot read the input.")
    arn = bedrock_job(bedrock)
    batchjobs_fake.advance_until(arn)
    event = batchjobs_fake.assert_event(status="Failed", job=arn)
    assert event["detail"]["failureMessage"] == "The role cannot read the input."
    assert batchjobs_fake.assert_event(status="InProgress")["detail"]["failureMessage"] == ""


def test_stops_send_stopping_then_stopped(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    arn = bedrock_job(bedrock)
    batchjobs_fake.advance_until(arn, "InProgress")
    bedrock.stop_model_invocation_job(jobIdentifier=arn)
    batchjobs_fake.clock.advance(hours=3)
    assert statuses(batchjobs_fake.events) == [*RUN, "Stopping", "Stopped"]


@pytest.mark.parametrize(
    ("outcome", "durations", "path"),
    [
        ("PartiallyCompleted", {"InProgress": 30 * 3600}, [*RUN, "PartiallyCompleted"]),
        ("Expired", None, ["Submitted", "Validating", "Scheduled", "Expired"]),
    ],
)
def test_timeout_outcomes(
    bedrock: Any,
    batchjobs_fake: BatchJobsFake,
    outcome: str,
    durations: dict[str, float] | None,
    path: list[str],
) -> None:
    if durations:
        batchjobs_fake.bedrock.lifecycle(durations=durations)
    else:
        batchjobs_fake.bedrock.lifecycle(outcome)
    arn = bedrock_job(bedrock, timeoutDurationInHours=24)
    batchjobs_fake.clock.advance(hours=40)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == outcome
    assert statuses(batchjobs_fake.events) == path
    if outcome == "PartiallyCompleted":
        assert "timeout" in batchjobs_fake.events[-1]["detail"]["failureMessage"]


def test_factory_jobs_send_events_as_they_move_on(batchjobs_fake: BatchJobsFake) -> None:
    jobs = batchjobs_fake.bedrock.add_jobs(3, status="InProgress")
    assert batchjobs_fake.events == []  # they were there before: nothing changed yet
    batchjobs_fake.clock.advance(hours=3)
    for job in jobs:
        assert statuses(batchjobs_fake.events, job["jobArn"]) == ["Completed"]
        batchjobs_fake.assert_event(status="Completed", job=job, batchJobName=job["jobName"])


def test_personalize_jobs_send_none(personalize: Any, batchjobs_fake: BatchJobsFake) -> None:
    personalize.create_batch_inference_job(
        jobName="movies",
        solutionVersionArn=f"arn:aws:personalize:{REGION}:{ACCOUNT}:solution/movies/0123abcd",
        jobInput={"s3DataSource": {"path": "s3://recs-in/users.json"}},
        jobOutput={"s3DataDestination": {"path": "s3://recs-out/"}},
        roleArn=ROLE,
    )
    batchjobs_fake.clock.advance(hours=3)
    assert batchjobs_fake.events == []


def test_reset_forgets_events_and_handlers(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    seen: list[dict[str, Any]] = []
    batchjobs_fake.on_event(seen.append)
    bedrock_job(bedrock)
    first = batchjobs_fake.events
    assert (len(first), len(seen)) == (1, 0)  # kept at once, delivered as time passes
    batchjobs_fake.clock.advance(seconds=1)
    assert len(seen) == 1
    bedrock_job(bedrock)
    batchjobs_fake.reset()  # its undelivered event too
    assert batchjobs_fake.events == []
    batchjobs_fake.clock.advance(seconds=1)
    bedrock_job(bedrock)
    batchjobs_fake.clock.advance(seconds=1)
    assert len(batchjobs_fake.events) == 1
    assert len(seen) == 1
    assert batchjobs_fake.events[0]["id"] == first[0]["id"]  # ids start again from the seed


def test_the_events_list_is_a_copy(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    bedrock_job(bedrock)
    batchjobs_fake.events[0]["detail"]["status"] = "Completed"
    assert batchjobs_fake.events[0]["detail"]["status"] == "Submitted"


# -- assert_event ----------------------------------------------------------------------


def test_assert_event_lists_what_was_emitted(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    arn = bedrock_job(bedrock, "nightly-7")
    with pytest.raises(AssertionError) as failed:
        batchjobs_fake.assert_event(status="Completed", job=arn, batchJobName="nightly-7")
    assert str(failed.value).splitlines() == [
        f"No EventBridge event matched status='Completed', job='{arn}', batchJobName='nightly-7'.",
        "Events emitted:",
        f"  2024-01-01T09:00:00Z Batch Inference Job State Change: Submitted nightly-7 ({arn})",
        "A job's events come as fake time passes its transitions: move the clock "
        "(batchjobs_fake.clock.advance(), advance_until()) before asserting. See "
        "https://pytest-batchjobs.readthedocs.io/en/latest/cookbook/#event-driven-pipelines",
    ]
    batchjobs_fake.clock.advance(hours=3)
    assert batchjobs_fake.assert_event(status="Completed", job=arn)["resources"] == [arn]
    with pytest.raises(AssertionError, match=r"matched batchJobName='other'\.\nEvents emitted:"):
        batchjobs_fake.assert_event(batchJobName="other")


def test_assert_event_with_no_events_says_none(batchjobs_fake: BatchJobsFake) -> None:
    with pytest.raises(AssertionError, match=r"matched any event\.\nEvents emitted:\n  \(none\)"):
        batchjobs_fake.assert_event()


# -- handlers --------------------------------------------------------------------------


def test_handlers_run_in_fake_time_order_and_may_call_the_fake(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    seen: list[tuple[str, str, str]] = []

    def lambda_handler(event: dict[str, Any], context: Any) -> None:
        """A consumer as deployed: reads the job when it ends."""
        assert context is None
        job = bedrock.get_model_invocation_job(jobIdentifier=event["detail"]["batchJobArn"])
        seen.append((event["time"], event["detail"]["batchJobName"], job["status"]))

    batchjobs_fake.on_event(lambda_handler, status="Completed")
    bedrock_job(bedrock, "slow")
    batchjobs_fake.bedrock.lifecycle(durations={"InProgress": 600})
    bedrock_job(bedrock, "quick")
    batchjobs_fake.clock.advance(hours=3)  # both end within one jump: in their order
    assert [name for _, name, _ in seen] == ["quick", "slow"]
    assert [status for _, _, status in seen] == ["Completed", "Completed"]
    assert seen[0][0] < seen[1][0]


def test_on_event_as_a_decorator_with_a_filter(bedrock: Any, batchjobs_fake: BatchJobsFake) -> None:
    names: list[str] = []

    @batchjobs_fake.on_event(status="Submitted")
    def consumer(event: dict[str, Any]) -> None:
        names.append(event["detail"]["batchJobName"])

    bedrock_job(bedrock, "a-1")
    bedrock_job(bedrock, "b-1")
    batchjobs_fake.clock.advance(hours=3)
    assert names == ["a-1", "b-1"]
    with pytest.raises(TypeError, match="on_event\\(\\) needs a callable, got 3"):
        batchjobs_fake.on_event(3)  # type: ignore[arg-type]


def test_a_handler_that_raises_fails_the_test_at_its_end(bedrock: Any) -> None:
    with fake_batchjobs() as fake:

        def broken(event: dict[str, Any]) -> None:
            raise RuntimeError("consumer bug")

        fake.on_event(broken)
        client = boto3.client("bedrock", region_name=REGION)
        arn = bedrock_job(client)  # the call itself is answered
        fake.clock.advance(minutes=1)
        assert len(fake.events) == 2
        errors = fake.internal_errors
    assert len(errors) == 2
    assert errors[0].startswith(
        "the event handler test_a_handler_that_raises_fails_the_test_at_its_end.<locals>.broken "
        f"raised on 2024-01-01T09:00:00Z Batch Inference Job State Change: Submitted "
        f"nightly-batch ({arn})"
    )
    assert "RuntimeError: consumer bug" in errors[0]


def test_a_raising_handler_fails_a_pytest_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import boto3

        def test_consumer(batchjobs_fake):
            batchjobs_fake.on_event(lambda event: 1 / 0)
            boto3.client("bedrock", region_name="us-east-1").create_model_invocation_job(
                **{bedrock_params()!r}
            )
        """
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["the event handler test_consumer.<locals>.<lambda> raised on *Submitted nightly-batch*"]
    )


# -- moto's EventBridge ----------------------------------------------------------------


@pytest.fixture
def aws(batchjobs_fake: BatchJobsFake) -> Iterator[dict[str, Any]]:
    """moto around the fake: the buckets and the input the jobs read, a queue."""
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        for bucket in ("batch-in", "batch-out"):
            s3.create_bucket(Bucket=bucket)
        lines = (json.dumps({"recordId": f"r{i}", "modelInput": {}}) for i in range(100))
        s3.put_object(Bucket="batch-in", Key="records.jsonl", Body="\n".join(lines).encode())
        yield {
            "events": boto3.client("events", region_name=REGION),
            "sqs": boto3.client("sqs", region_name=REGION),
            "sns": boto3.client("sns", region_name=REGION),
            "bedrock": boto3.client("bedrock", region_name=REGION),
            "fake": batchjobs_fake,
        }


def queue(aws: dict[str, Any], name: str) -> tuple[str, str]:
    url = aws["sqs"].create_queue(QueueName=name)["QueueUrl"]
    attributes = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return url, attributes["Attributes"]["QueueArn"]


def rule(aws: dict[str, Any], name: str, pattern: dict[str, Any], target: str) -> None:
    aws["events"].put_rule(Name=name, EventPattern=json.dumps(pattern))
    aws["events"].put_targets(Rule=name, Targets=[{"Id": "1", "Arn": target}])


def received(aws: dict[str, Any], url: str) -> list[dict[str, Any]]:
    bodies = []
    while True:
        got = aws["sqs"].receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        if not got.get("Messages"):
            return bodies
        bodies.extend(json.loads(message["Body"]) for message in got["Messages"])
        for message in got["Messages"]:
            aws["sqs"].delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


NIGHTLY_DONE = {
    "source": ["aws.bedrock"],
    "detail-type": ["Batch Inference Job State Change"],
    "detail": {"status": ["Completed"], "batchJobName": [{"prefix": "nightly-"}]},
}


def test_a_rule_routes_exactly_the_matching_events_to_sqs(
    aws: dict[str, Any], batchjobs_fake: BatchJobsFake
) -> None:
    url, arn = queue(aws, "nightly-done")
    rule(aws, "nightly-done", NIGHTLY_DONE, arn)
    every_url, every_arn = queue(aws, "every-bedrock-event")
    rule(aws, "every", {"source": ["aws.bedrock"]}, every_arn)
    nightly = bedrock_job(aws["bedrock"], "nightly-2024-01-01")
    bedrock_job(aws["bedrock"], "adhoc-1")
    batchjobs_fake.bedrock.lifecycle("Failed")
    bedrock_job(aws["bedrock"], "nightly-broken")
    batchjobs_fake.clock.advance(hours=3)

    bodies = received(aws, url)
    assert [(b["detail"]["batchJobName"], b["detail"]["status"]) for b in bodies] == [
        ("nightly-2024-01-01", "Completed")
    ]
    # The queue gets the event exactly as the fake kept it, account and all.
    assert bodies == [batchjobs_fake.assert_event(status="Completed", job=nightly)]
    assert received(aws, every_url) == batchjobs_fake.events
    assert batchjobs_fake.internal_errors == []


def test_stop_events_reach_the_queue(aws: dict[str, Any], batchjobs_fake: BatchJobsFake) -> None:
    url, arn = queue(aws, "stops")
    pattern = {"source": ["aws.bedrock"], "detail": {"status": ["Stopping", "Stopped"]}}
    rule(aws, "stops", pattern, arn)
    job = bedrock_job(aws["bedrock"])
    batchjobs_fake.advance_until(job, "InProgress")
    aws["bedrock"].stop_model_invocation_job(jobIdentifier=job)
    batchjobs_fake.clock.advance(hours=1)
    assert [b["detail"]["status"] for b in received(aws, url)] == ["Stopping", "Stopped"]


def test_factory_jobs_reach_the_queue(aws: dict[str, Any], batchjobs_fake: BatchJobsFake) -> None:
    url, arn = queue(aws, "done")
    rule(aws, "done", NIGHTLY_DONE, arn)
    made = batchjobs_fake.bedrock.add_job(status="InProgress", jobName="nightly-a")
    batchjobs_fake.bedrock.add_job(status="InProgress", jobName="weekly-b")
    batchjobs_fake.clock.advance(hours=3)
    assert [b["resources"] for b in received(aws, url)] == [[made["jobArn"]]]


def test_an_sns_topic_fans_the_event_out(
    aws: dict[str, Any], batchjobs_fake: BatchJobsFake
) -> None:
    topic = aws["sns"].create_topic(Name="batch-events")["TopicArn"]
    url, arn = queue(aws, "subscriber")
    aws["sns"].subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    rule(aws, "to-sns", {"source": ["aws.bedrock"], "detail": {"status": ["Submitted"]}}, topic)
    bedrock_job(aws["bedrock"], "nightly-9")
    batchjobs_fake.clock.advance(seconds=1)  # EventBridge delivers within seconds
    assert received(aws, url) == batchjobs_fake.events


def test_disabled_rules_and_other_buses(aws: dict[str, Any], batchjobs_fake: BatchJobsFake) -> None:
    url, arn = queue(aws, "q")
    rule(aws, "off", {"source": ["aws.bedrock"]}, arn)
    aws["events"].disable_rule(Name="off")
    aws["events"].create_event_bus(Name="custom")
    aws["events"].put_rule(Name="on-custom", EventBusName="custom", EventPattern="{}")
    aws["events"].put_targets(
        Rule="on-custom", EventBusName="custom", Targets=[{"Id": "1", "Arn": arn}]
    )
    bedrock_job(aws["bedrock"])
    batchjobs_fake.clock.advance(seconds=1)
    assert received(aws, url) == []  # AWS services send to the default bus only


def test_a_target_moto_cannot_reach_is_reported(
    aws: dict[str, Any], batchjobs_fake: BatchJobsFake
) -> None:
    target = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:collect"
    rule(aws, "to-lambda", {"source": ["aws.bedrock"]}, target)
    bedrock_job(aws["bedrock"], "nightly-3")
    assert batchjobs_fake.internal_errors == []  # not inside the call: delivered later
    batchjobs_fake.clock.advance(seconds=1)
    [error] = batchjobs_fake.internal_errors
    assert "Submitted nightly-3" in error
    assert error.endswith(
        f"rule 'to-lambda': pytest-batchjobs does not deliver events to the target {target} "
        "(only to SQS queues, SNS topics, CloudWatch Logs groups and other event buses): hand "
        "the events to your code with batchjobs_fake.on_event(handler)"
    )
    batchjobs_fake._core.internal_errors.clear()  # reported: this test is about it


def test_moto_started_before_the_fake() -> None:
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="early")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        events = boto3.client("events", region_name=REGION)
        events.put_rule(Name="r", EventPattern=json.dumps({"source": ["aws.bedrock"]}))
        events.put_targets(Rule="r", Targets=[{"Id": "1", "Arn": arn["Attributes"]["QueueArn"]}])
        with fake_batchjobs() as fake:
            bedrock_job(boto3.client("bedrock", region_name=REGION))
            fake.clock.advance(seconds=1)
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
            assert [json.loads(m["Body"]) for m in got] == fake.events


def test_without_moto_nothing_is_imported_for_delivery(
    bedrock: Any, batchjobs_fake: BatchJobsFake
) -> None:
    bedrock_job(bedrock)
    assert len(batchjobs_fake.events) == 1
    assert batchjobs_fake.internal_errors == []


# -- the control API and the clocks ----------------------------------------------------


def test_the_control_api_serves_the_events(batchjobs_server: FakeServer) -> None:
    url = batchjobs_server.endpoint_url
    created = requests.post(f"{url}/model-invocation-job", json=bedrock_params(), timeout=5)
    assert created.status_code == 200, created.text
    requests.post(f"{url}/_batchjobs/clock/advance", json={"hours": 3}, timeout=5)
    answer = requests.get(f"{url}/_batchjobs/events", timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json"
    events = answer.json()["events"]
    assert events == batchjobs_server.fake.events
    assert statuses(events) == [*RUN, "Completed"]


@pytest.mark.parametrize("clock", ["time-machine", "freezegun"])
def test_both_clock_backends(clock: str) -> None:
    with fake_batchjobs(clock=clock) as fake:
        client = boto3.client("bedrock", region_name=REGION)
        arn = bedrock_job(client)
        fake.clock.sleep(3 * 3600)
        end = client.get_model_invocation_job(jobIdentifier=arn)["endTime"]
        assert fake.clock.kind == clock
        assert statuses(fake.events) == [*RUN, "Completed"]
        assert fake.events[-1]["time"] == f"{end:%Y-%m-%dT%H:%M:%SZ}"


def test_targets_input_settings_shape_what_the_queue_gets(
    aws: dict[str, Any], batchjobs_fake: BatchJobsFake
) -> None:
    url, arn = queue(aws, "shaped")
    aws["events"].put_rule(Name="shaped", EventPattern=json.dumps({"source": ["aws.bedrock"]}))
    transformer = {
        "InputPathsMap": {"name": "$.detail.batchJobName", "status": "$.detail.status"},
        "InputTemplate": '{"job": "<name>", "now": "<status>"}',
    }
    aws["events"].put_targets(
        Rule="shaped",
        Targets=[
            {"Id": "path", "Arn": arn, "InputPath": "$.detail"},
            {"Id": "transformed", "Arn": arn, "InputTransformer": transformer},
            {"Id": "constant", "Arn": arn, "Input": '{"ping": true}'},
        ],
    )
    job = bedrock_job(aws["bedrock"], "nightly-5")
    batchjobs_fake.clock.advance(seconds=1)
    bodies = received(aws, url)
    assert len(bodies) == 3
    assert batchjobs_fake.assert_event(job=job)["detail"] in bodies
    assert {"job": "nightly-5", "now": "Submitted"} in bodies
    assert {"ping": True} in bodies


# -- SageMaker transform jobs -----------------------------------------------------------


def test_transform_jobs_send_sagemakers_state_change_events(
    batchjobs_fake: BatchJobsFake,
) -> None:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    done = transform_job(sagemaker, "Scores-1", Tags=[{"Key": "team", "Value": "growth"}])
    batchjobs_fake.sagemaker.lifecycle("Failed", message="ClientError: model container exited")
    failed = transform_job(sagemaker, "Scores-2")
    batchjobs_fake.sagemaker.lifecycle("Completed")
    stopped = transform_job(sagemaker, "Scores-3")
    batchjobs_fake.clock.advance(minutes=1)
    sagemaker.stop_transform_job(TransformJobName="Scores-3")
    batchjobs_fake.clock.advance(hours=1)

    def seen(arn: str) -> list[str]:
        return [
            e["detail"]["TransformJobStatus"]
            for e in batchjobs_fake.events
            if arn in e["resources"]
        ]

    assert seen(done) == ["InProgress", "Completed"]
    assert seen(failed) == ["InProgress", "Failed"]
    assert seen(stopped) == ["InProgress", "Stopping", "Stopped"]
    event = batchjobs_fake.assert_event(status="Completed", job=done)
    assert (event["source"], event["detail-type"]) == (
        "aws.sagemaker",
        "SageMaker Transform Job State Change",
    )
    assert event["resources"] == [done]
    detail = event["detail"]
    described = sagemaker.describe_transform_job(TransformJobName="Scores-1")
    assert detail["TransformJobName"] == "Scores-1"
    assert detail["ModelName"] == "churn-xgboost-v7"
    assert detail["TransformResources"] == described["TransformResources"]
    assert detail["Tags"] == {"team": "growth"}
    # Times as epoch milliseconds, as the service's events carry them.
    assert detail["CreationTime"] == round(described["CreationTime"].timestamp() * 1000)
    assert detail["TransformEndTime"] == round(described["TransformEndTime"].timestamp() * 1000)
    # FailureReason and TransformEndTime are always there, null until set (awslabs/mlspace
    # records them so, and reads detail["FailureReason"] without a default).
    assert detail["FailureReason"] is None
    failure = batchjobs_fake.assert_event(status="Failed", job=failed)["detail"]
    assert failure["FailureReason"] == "ClientError: model container exited"
    started = batchjobs_fake.assert_event(status="InProgress", job=done)["detail"]
    assert (started["FailureReason"], started["TransformEndTime"]) == (None, None)


def test_a_handler_reading_failure_reason_unconditionally_gets_every_event(
    aws: dict[str, Any],
) -> None:
    """MLSpace's handler (resource_metadata/lambda_functions.py) reads
    detail["FailureReason"] of every transform job event, through an EventBridge rule."""
    url, arn = queue(aws, "transform-metadata")
    pattern = {"source": ["aws.sagemaker"], "detail-type": ["SageMaker Transform Job State Change"]}
    rule(aws, "transform-metadata", pattern, arn)
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    fake = aws["fake"]
    transform_job(sagemaker, "Fine")
    fake.sagemaker.lifecycle("Failed", message="ClientError: model container exited")
    transform_job(sagemaker, "Broken")
    fake.clock.advance(hours=1)

    def metadata(detail: dict[str, Any]) -> tuple[str, str, str | None, int | None]:
        return (
            detail["TransformJobName"],
            detail["TransformJobStatus"],
            detail["FailureReason"],
            detail["TransformEndTime"],
        )

    seen = [metadata(body["detail"]) for body in received(aws, url)]
    assert [(name, status, reason) for name, status, reason, _ in seen] == [
        ("Fine", "InProgress", None),
        ("Broken", "InProgress", None),
        ("Fine", "Completed", None),
        ("Broken", "Failed", "ClientError: model container exited"),
    ]
    assert [end is None for *_, end in seen] == [True, True, False, False]


def test_a_rule_on_transform_job_failures_gets_only_those(aws: dict[str, Any]) -> None:
    url, arn = queue(aws, "transform-failures")
    pattern = {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Transform Job State Change"],
        "detail": {"TransformJobStatus": ["Failed"]},
    }
    rule(aws, "transform-failures", pattern, arn)
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    fake = aws["fake"]
    transform_job(sagemaker, "Fine")
    fake.sagemaker.lifecycle("Failed")
    broken = transform_job(sagemaker, "Broken")
    fake.clock.advance(hours=1)
    bodies = received(aws, url)
    assert [(b["detail"]["TransformJobName"], b["resources"]) for b in bodies] == [
        ("Broken", [broken])
    ]
