"""The shape normaliser of the parity suite: what it keeps, what it forgets, and that
each kind of difference a recording can show is caught and reported with its path."""

from __future__ import annotations

import datetime as _dt

from shape import differences, generated_ids, shape

RECORDED_JOB = {
    "jobArn": "arn:aws:bedrock:us-east-1:716845917484:model-invocation-job/6dy9j0cby1hy",
    "status": "Completed",
    "submitTime": "2025-01-16 19:42:37.583000+00:00",
    "timeoutDurationInHours": 24,
    "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://subshreyevals/"}},
}


def fake_job(**changes: object) -> dict[str, object]:
    job: dict[str, object] = {
        "jobArn": "arn:aws:bedrock:eu-west-1:123456789012:model-invocation-job/abcdefghijkl",
        "status": "Completed",
        "submitTime": _dt.datetime(2026, 12, 7, 9, 0, tzinfo=_dt.timezone.utc),
        "timeoutDurationInHours": 72,
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://subshreyevals/"}},
    }
    job.update(changes)
    return job


def test_ids_times_accounts_regions_and_data_are_forgotten() -> None:
    assert shape(RECORDED_JOB) == shape(fake_job())
    assert shape(RECORDED_JOB) == {
        "jobArn": "arn:aws:bedrock:<region>:<account>:model-invocation-job/<id>",
        "status": "Completed",
        "submitTime": "<timestamp>",
        "timeoutDurationInHours": "<number>",
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://subshreyevals/"}},
    }


def test_instants_in_every_form_are_timestamps() -> None:
    forms = [1542392161.837, "2024-01-01T09:00:39.407Z", _dt.datetime(2024, 1, 1)]
    assert {shape({"creationDateTime": form})["creationDateTime"] for form in forms} == {
        "<timestamp>"
    }


def test_a_generated_id_is_forgotten_in_the_s3_keys_of_its_job() -> None:
    arn = "arn:aws:bedrock:us-east-1:716845917484:model-invocation-job/6dy9j0cby1hy"
    keys = ["s3://out/6dy9j0cby1hy/manifest.json.out", "s3://out/6dy9j0cby1hy/in.jsonl.out"]
    assert generated_ids({"jobArn": arn}) == {"6dy9j0cby1hy"}
    assert shape(keys, ids={"6dy9j0cby1hy"}) == [
        "s3://out/<id>/manifest.json.out",
        "s3://out/<id>/in.jsonl.out",
    ]
    assert shape({"jobArn": arn, "uri": keys[0]})["uri"] == "s3://out/<id>/manifest.json.out"


def test_lists_keep_their_distinct_element_shapes() -> None:
    assert shape({"usersList": ["2131", "2504", "4680"]}) == {"usersList": ["<str>"]}
    assert shape({"scores": [0.84, 3.773e-4, 1]}) == {"scores": ["<number>"]}
    assert shape([{"status": "ACTIVE"}, {"status": "CREATE FAILED"}, {"status": "ACTIVE"}]) == [
        {"status": "ACTIVE"},
        {"status": "CREATE FAILED"},
    ]


def test_null_is_kept_apart_from_a_missing_member_and_from_a_value() -> None:
    recorded = shape({"input": {"itemId": "B00D97LWTE"}, "error": None})
    assert differences(recorded, shape({"input": {"itemId": "105"}, "error": None})) == []
    assert differences(recorded, shape({"input": {"itemId": "105"}})) == [
        "$.error: missing; recorded None"
    ]
    assert differences(recorded, shape({"input": {"itemId": "105"}, "error": "boom"})) == [
        "$.error: recorded None, the fake sent '<str>'"
    ]


def test_a_missing_member_is_reported_with_its_path() -> None:
    fake = fake_job()
    del fake["timeoutDurationInHours"]
    assert differences(shape(RECORDED_JOB), shape(fake)) == [
        "$.timeoutDurationInHours: missing; recorded '<number>'"
    ]


def test_an_extra_member_is_reported_unless_the_recording_is_an_excerpt() -> None:
    fake = fake_job(message="")
    assert differences(shape(RECORDED_JOB), shape(fake)) == [
        "$.message: not in the recording; the fake sent '<str>'"
    ]
    assert differences(shape(RECORDED_JOB), shape(fake), subset=True) == []


def test_a_wrong_status_word_is_reported() -> None:
    assert differences(shape(RECORDED_JOB), shape(fake_job(status="COMPLETED"))) == [
        "$.status: recorded 'Completed', the fake sent 'COMPLETED'"
    ]


def test_a_wrong_type_is_reported() -> None:
    assert differences(shape(RECORDED_JOB), shape(fake_job(timeoutDurationInHours="24"))) == [
        "$.timeoutDurationInHours: recorded '<number>', the fake sent '<str>'"
    ]
    assert differences(shape({"a": {"b": 1}}), shape({"a": [1]})) == [
        "$.a: recorded {'b': '<number>'}, the fake sent ['<number>']"
    ]


def test_a_different_uri_layout_or_arn_resource_is_reported() -> None:
    recorded = shape({"s3Uri": "s3://videos/reels/<id>"})
    assert differences(recorded, shape({"s3Uri": "s3://videos/reels"})) == [
        "$.s3Uri: recorded 's3://videos/reels/<id>', the fake sent 's3://videos/reels'"
    ]
    arn = "arn:aws:sagemaker:us-east-1:802041417063:transform-job/SM-job"
    assert differences(shape({"a": arn}), shape({"a": arn.lower()})) == [
        "$.a: recorded 'arn:aws:sagemaker:<region>:<account>:transform-job/SM-job', "
        "the fake sent 'arn:aws:sagemaker:<region>:<account>:transform-job/sm-job'"
    ]


def test_list_elements_are_checked_against_the_recorded_shapes() -> None:
    recorded = shape([{"recordId": "A", "modelOutput": {"text": "x"}}])
    error_line = {"recordId": "B", "error": {"errorCode": 400, "errorMessage": "bad"}}
    assert differences(recorded, shape([error_line])) == [
        "$[0].modelOutput: missing; recorded {'text': '<str>'}",
        "$[0].error: not in the recording; the fake sent "
        "{'errorCode': 400, 'errorMessage': '<str>'}",
    ]


def test_a_recorded_element_shape_the_fake_never_sends_is_reported() -> None:
    recorded = shape(["s3://v/1/manifest.json", "s3://v/1/output.mp4"])
    assert differences(recorded, shape(["s3://v/1/manifest.json"])) == [
        "$: recorded an element 's3://v/1/output.mp4'; the fake sent none like it"
    ]
    assert differences(recorded, shape(["s3://v/1/manifest.json"]), subset=True) == []
    assert differences(shape({"a": ["x"]}), shape({"a": []})) == [
        "$.a: recorded ['<str>'], the fake sent []"
    ]
