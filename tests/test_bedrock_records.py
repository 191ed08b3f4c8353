"""Bedrock records as the service treats them: refused bodies, counts from the start,
the output format of the invocation type and model, and output order."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from jobs import ROLE
from model_members import needs_model_member
from moto import mock_aws

from pytest_batchjobs import BatchJobsFake, fake_batchjobs

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA = "amazon.nova-lite-v1:0"
LLAMA = "meta.llama3-1-8b-instruct-v1:0"
MISTRAL = "mistral.mistral-large-2407-v1:0"
TITAN_TEXT = "amazon.titan-text-express-v1"
TITAN_EMBED_V2 = "amazon.titan-embed-text-v2:0"
TITAN_EMBED_G1 = "amazon.titan-embed-text-v1"
COUNTS = ("totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount")
CLAUDE_BODY = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 100,
    "messages": [{"role": "user", "content": "Hello"}],
}
needs_counts = needs_model_member("bedrock", "GetModelInvocationJobResponse", "totalRecordCount")
needs_converse = needs_model_member(
    "bedrock", "CreateModelInvocationJobRequest", "modelInvocationType"
)


@pytest.fixture
def s3(batchjobs_fake: BatchJobsFake) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        for bucket in ("batch-in", "batch-out"):
            client.create_bucket(Bucket=bucket)
        yield client


def put_records(s3: Any, bodies: list[dict[str, Any]], key: str = "calls.jsonl") -> None:
    lines = [
        json.dumps({"recordId": f"REC{index:08d}", "modelInput": body})
        for index, body in enumerate(bodies)
    ]
    s3.put_object(Bucket="batch-in", Key=key, Body="\n".join(lines).encode())


def run(bedrock: Any, fake: BatchJobsFake, model: str = CLAUDE, **extra: Any) -> dict[str, Any]:
    """Submit a job over every input file, let it finish; the job as Get shows it."""
    arn = bedrock.create_model_invocation_job(
        jobName="records",
        roleArn=ROLE,
        modelId=model,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/out/"}},
        **extra,
    )["jobArn"]
    fake.clock.advance(hours=2)
    return dict(bedrock.get_model_invocation_job(jobIdentifier=arn))


def read_lines(s3: Any, job: dict[str, Any], name: str = "calls.jsonl.out") -> list[Any]:
    key = f"out/{job['jobArn'].rsplit('/', 1)[1]}/{name}"
    body = s3.get_object(Bucket="batch-out", Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines()]


# -- 1. error records leave the job Completed ------------------------------------------


@needs_counts
def test_a_job_whose_every_record_was_refused_is_completed(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    """LiteLLM's bodies lacked ``anthropic_version``: AWS reported the job ``Completed``
    and only the manifest said ``successRecordCount: 0`` (BerriAI/litellm#36156)."""
    body = {key: value for key, value in CLAUDE_BODY.items() if key != "anthropic_version"}
    put_records(s3, [body] * 100)
    job = run(bedrock, batchjobs_fake)
    assert job["status"] == "Completed"
    assert "message" not in job
    assert [job[name] for name in COUNTS] == [100, 100, 0, 100]
    lines = read_lines(s3, job)
    assert {json.dumps(line["error"]) for line in lines} == {
        json.dumps({"errorCode": 400, "errorMessage": "anthropic_version: Field required"})
    }
    assert all("modelOutput" not in line for line in lines)
    manifest = read_lines(s3, job, "manifest.json.out")[0]
    assert manifest["successRecordCount"] == 0
    assert manifest["errorRecordCount"] == 100
    assert (manifest["inputTokenCount"], manifest["outputTokenCount"]) == (0, 0)


def test_a_responders_error_records_leave_the_job_completed(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    def model(record: dict[str, Any]) -> dict[str, Any]:
        if record["recordId"].endswith("3"):
            raise ValueError("Input is too long for requested model.")
        return {"content": [{"type": "text", "text": "ok"}], "usage": {"input_tokens": 5}}

    batchjobs_fake.bedrock.responder(model)
    put_records(s3, [CLAUDE_BODY] * 100)
    job = run(bedrock, batchjobs_fake)
    assert job["status"] == "Completed"
    manifest = read_lines(s3, job, "manifest.json.out")[0]
    assert (manifest["successRecordCount"], manifest["errorRecordCount"]) == (90, 10)
    assert manifest["inputTokenCount"] == 5 * 90


def test_a_job_cut_short_by_its_timeout_is_still_partially_completed(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    put_records(s3, [CLAUDE_BODY] * 100)
    batchjobs_fake.bedrock.lifecycle(durations={"InProgress": 30 * 3600})
    arn = bedrock.create_model_invocation_job(
        jobName="records",
        roleArn=ROLE,
        modelId=CLAUDE,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/out/"}},
        timeoutDurationInHours=24,
    )["jobArn"]
    batchjobs_fake.clock.advance(hours=25)
    assert bedrock.get_model_invocation_job(jobIdentifier=arn)["status"] == "PartiallyCompleted"


# -- 2. each record's body is checked as its model checks it ---------------------------

REFUSED = [
    pytest.param(
        CLAUDE,
        {**CLAUDE_BODY, "max_tokens": None},
        "max_tokens: Input should be a valid integer",
        id="claude-null",
    ),
    pytest.param(
        CLAUDE,
        {"anthropic_version": "bedrock-2023-05-31", "messages": []},
        "max_tokens: Field required",
        id="claude-max-tokens",
    ),
    pytest.param(
        CLAUDE,
        {**CLAUDE_BODY, "max_tokens": "100"},
        "max_tokens: Input should be a valid integer",
        id="claude-type",
    ),
    pytest.param(
        CLAUDE,
        {**CLAUDE_BODY, "messages": [{"content": "Hello"}]},
        "messages.0.role: Field required",
        id="claude-nested",
    ),
    pytest.param(  # the OpenAI body LiteLLM sent to Llama (BerriAI/litellm#35639)
        LLAMA,
        {"messages": [{"role": "user", "content": "Hello"}], "max_tokens": 10},
        "Malformed input request: #: required key [prompt] not found, please reformat "
        "your input and try again.",
        id="llama-openai",
    ),
    pytest.param(  # the OpenAI body LiteLLM sent to Nova (BerriAI/litellm#21596)
        NOVA,
        {"messages": [{"role": "user", "content": "Hello"}]},
        "Malformed input request: #/messages/0/content: expected type: JSONArray, found: "
        "String, please reformat your input and try again.",
        id="nova-openai",
    ),
    pytest.param(
        NOVA,
        {"inputText": "Hello"},
        "Malformed input request: #: required key [messages] not found, please reformat "
        "your input and try again.",
        id="nova-missing",
    ),
    pytest.param(
        TITAN_TEXT,
        {"prompt": "Hello"},
        "Malformed input request: #: required key [inputText] not found, please reformat "
        "your input and try again.",
        id="titan-text",
    ),
    pytest.param(
        TITAN_EMBED_V2,
        {"inputText": "Hello", "dimensions": "256", "normalize": "yes"},
        "Malformed input request: #/dimensions: expected type: Integer, found: String"
        "#/normalize: expected type: Boolean, found: String, please reformat your input "
        "and try again.",
        id="titan-embed-types",
    ),
    pytest.param(
        TITAN_EMBED_V2,
        {"inputText": "Hello", "dimensions": 100},
        "Malformed input request: #/dimensions: 100 is not a valid enum value, please "
        "reformat your input and try again.",
        id="titan-embed-dimensions",
    ),
    pytest.param(
        MISTRAL,
        {"prompt": 5},
        "Malformed input request: #/prompt: expected type: String, found: Integer, please "
        "reformat your input and try again.",
        id="mistral-text",
    ),
    pytest.param(
        MISTRAL,
        {"messages": "Hello"},
        "Malformed input request: #/messages: expected type: JSONArray, found: String, "
        "please reformat your input and try again.",
        id="mistral-chat",
    ),
]


@pytest.mark.parametrize(("model", "body", "message"), REFUSED)
def test_a_body_the_model_refuses_is_an_error_record_and_the_job_goes_on(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any, model: str, body: Any, message: str
) -> None:
    accepted = _accepted(model)
    batchjobs_fake.bedrock.record_limits(minimum=1)
    batchjobs_fake.bedrock.record_order("input")
    put_records(s3, [accepted, body, accepted])
    job = run(bedrock, batchjobs_fake, model)
    assert job["status"] == "Completed"
    good, bad, also_good = read_lines(s3, job)
    assert bad == {
        "recordId": "REC00000001",
        "modelInput": body,
        "error": {"errorCode": 400, "errorMessage": message},
    }
    assert "modelOutput" in good
    assert "modelOutput" in also_good


@needs_converse
def test_converse_bodies_are_checked_as_the_converse_api_checks_them(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    batchjobs_fake.bedrock.record_limits(minimum=1)
    batchjobs_fake.bedrock.record_order("input")
    good = {"messages": [{"role": "user", "content": [{"text": "Hello"}]}]}
    bad = {"messages": [{"content": [{"text": "Hello"}]}, {"role": "assistant"}]}
    put_records(s3, [good, bad])
    job = run(bedrock, batchjobs_fake, CLAUDE, modelInvocationType="Converse")
    lines = read_lines(s3, job)
    assert "modelOutput" in lines[0]
    assert lines[1]["error"] == {
        "errorCode": 400,
        "errorMessage": "2 validation errors detected: Value null at 'messages.1.member.role' "
        "failed to satisfy constraint: Member must not be null; Value null at "
        "'messages.2.member.content' failed to satisfy constraint: Member must not be null",
    }


def test_a_refused_body_never_reaches_the_responder(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    asked: list[str] = []

    def model(record: dict[str, Any]) -> dict[str, Any]:
        asked.append(record["recordId"])
        return {"content": [{"type": "text", "text": "ok"}]}

    batchjobs_fake.bedrock.responder(model)
    batchjobs_fake.bedrock.record_limits(minimum=1)
    put_records(s3, [CLAUDE_BODY, {"messages": []}, CLAUDE_BODY])
    run(bedrock, batchjobs_fake)
    assert sorted(asked) == ["REC00000000", "REC00000002"]


def test_stand_in_records_are_bodies_their_model_accepts(
    batchjobs_fake: BatchJobsFake, bedrock: Any
) -> None:
    """Without moto the input is not read: the stand-ins pass their model's checks."""
    for model in (CLAUDE, NOVA, LLAMA, MISTRAL, TITAN_TEXT, TITAN_EMBED_V2):
        arn = bedrock.create_model_invocation_job(
            jobName="stand-ins",
            roleArn=ROLE,
            modelId=model,
            inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/calls.jsonl"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/out/"}},
        )["jobArn"]
        job = batchjobs_fake.advance_until(arn, status="Completed")
        text = next(
            text for uri, text in batchjobs_fake.outputs(job).items() if uri.endswith(".jsonl.out")
        )
        lines = [json.loads(line) for line in text.splitlines()]
        assert len(lines) == 100
        assert all("modelOutput" in line for line in lines), (model, lines[0])


def _accepted(model: str) -> dict[str, Any]:
    return {
        CLAUDE: CLAUDE_BODY,
        LLAMA: {"prompt": "Hello"},
        NOVA: {"messages": [{"role": "user", "content": [{"text": "Hello"}]}]},
        TITAN_TEXT: {"inputText": "Hello"},
        TITAN_EMBED_V2: {"inputText": "Hello"},
        MISTRAL: {"prompt": "<s>[INST] Hello [/INST]"},
    }[model]


# -- 3. every count the model has, from Submitted on -----------------------------------


@needs_counts
def test_get_and_list_show_every_count_from_submitted_on(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    """AWS reported ``totalRecordCount: 0`` while a job was ``Validating`` (litellm
    PR #38744): a client reading ``job["totalRecordCount"]`` gets 0, not a KeyError."""
    put_records(s3, [CLAUDE_BODY] * 120)
    arn = bedrock.create_model_invocation_job(
        jobName="records",
        roleArn=ROLE,
        modelId=CLAUDE,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/out/"}},
    )["jobArn"]
    seen = []
    for minutes in (0, 1, 3):  # Submitted, Validating, Scheduled (from 2.5 min to 7.5 min)
        batchjobs_fake.clock.advance(minutes=minutes)
        job = bedrock.get_model_invocation_job(jobIdentifier=arn)
        (summary,) = bedrock.list_model_invocation_jobs()["invocationJobSummaries"]
        assert [summary[name] for name in COUNTS] == [job[name] for name in COUNTS]
        seen.append((job["status"], [job[name] for name in COUNTS]))
    assert seen == [
        ("Submitted", [0, 0, 0, 0]),
        ("Validating", [0, 0, 0, 0]),
        ("Scheduled", [120, 0, 0, 0]),
    ]


@needs_counts
def test_a_job_failed_at_validation_shows_zero_counts(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    put_records(s3, [CLAUDE_BODY] * 20)  # fewer than the minimum of 100
    job = run(bedrock, batchjobs_fake)
    assert job["status"] == "Failed"
    assert [job[name] for name in COUNTS] == [0, 0, 0, 0]


# -- 4. outputs in the format of the invocation type and model --------------------------


def _usage_tokens(output: dict[str, Any]) -> tuple[int, int]:
    usage = output["usage"]
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    return usage["inputTokens"], usage["outputTokens"]


FORMATS = [
    pytest.param(
        CLAUDE,
        CLAUDE_BODY,
        {"id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"},
        lambda out: (out["usage"]["input_tokens"], out["usage"]["output_tokens"]),
        id="claude",
    ),
    pytest.param(
        NOVA,
        _accepted(NOVA),
        {"output", "stopReason", "usage"},
        _usage_tokens,
        id="nova",
    ),
    pytest.param(
        TITAN_TEXT,
        {"inputText": "Hello"},
        {"inputTextTokenCount", "results"},
        lambda out: (out["inputTextTokenCount"], out["results"][0]["tokenCount"]),
        id="titan-text",
    ),
    pytest.param(
        LLAMA,
        {"prompt": "Hello"},
        {"generation", "prompt_token_count", "generation_token_count", "stop_reason"},
        lambda out: (out["prompt_token_count"], out["generation_token_count"]),
        id="llama",
    ),
    pytest.param(MISTRAL, {"prompt": "Hello"}, {"outputs"}, None, id="mistral-text"),
    pytest.param(
        MISTRAL,
        {"messages": [{"role": "user", "content": "Hello"}]},
        {"choices"},
        None,
        id="mistral-chat",
    ),
    pytest.param(
        TITAN_EMBED_G1,
        {"inputText": "Hello"},
        {"embedding", "inputTextTokenCount"},
        lambda out: (out["inputTextTokenCount"], 0),
        id="titan-embed-g1",
    ),
    pytest.param(
        TITAN_EMBED_V2,
        {"inputText": "Hello"},
        {"embedding", "inputTextTokenCount", "embeddingsByType"},
        lambda out: (out["inputTextTokenCount"], 0),
        id="titan-embed-v2",
    ),
]


@pytest.mark.parametrize(("model", "body", "members", "tokens"), FORMATS)
def test_outputs_are_in_the_models_format_and_the_manifest_counts_their_tokens(
    batchjobs_fake: BatchJobsFake,
    bedrock: Any,
    s3: Any,
    model: str,
    body: dict[str, Any],
    members: set[str],
    tokens: Any,
) -> None:
    batchjobs_fake.bedrock.record_limits(minimum=1)
    put_records(s3, [body] * 3)
    job = run(bedrock, batchjobs_fake, model)
    lines = read_lines(s3, job)
    assert all(set(line["modelOutput"]) == members for line in lines)
    manifest = read_lines(s3, job, "manifest.json.out")[0]
    assert manifest["inputTokenCount"] > 0
    if tokens is not None:
        counted = [tokens(line["modelOutput"]) for line in lines]
        assert manifest["inputTokenCount"] == sum(tokens_in for tokens_in, _ in counted)
        assert manifest["outputTokenCount"] == sum(tokens_out for _, tokens_out in counted)


def test_mistral_answers_chat_bodies_in_its_chat_format_and_text_bodies_with_outputs(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    batchjobs_fake.bedrock.record_limits(minimum=1)
    batchjobs_fake.bedrock.record_order("input")
    put_records(s3, [{"messages": [{"role": "user", "content": "Hi"}]}, {"prompt": "Hi"}])
    chat, text = (
        line["modelOutput"] for line in read_lines(s3, run(bedrock, batchjobs_fake, MISTRAL))
    )
    (choice,) = chat["choices"]
    assert choice["index"] == 0
    assert choice["message"]["role"] == "assistant"
    assert isinstance(choice["message"]["content"], str)
    assert choice["stop_reason"] == "stop"
    (output,) = text["outputs"]
    assert set(output) == {"text", "stop_reason"}


def test_titan_embeddings_v2_always_answers_embeddings_by_type(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    """AWS: embeddingsByType "will always appear. Even if you don't specify
    embeddingTypes in your input, there will still be 'float'"."""
    batchjobs_fake.bedrock.record_limits(minimum=1)
    batchjobs_fake.bedrock.record_order("input")
    put_records(
        s3,
        [
            {"inputText": "Hello"},
            {"inputText": "Hello", "dimensions": 256, "embeddingTypes": ["float", "binary"]},
            {"inputText": "Hello", "embeddingTypes": ["binary"]},
        ],
    )
    plain, both, binary = (
        line["modelOutput"] for line in read_lines(s3, run(bedrock, batchjobs_fake, TITAN_EMBED_V2))
    )
    assert set(plain["embeddingsByType"]) == {"float"}
    assert len(plain["embedding"]) == 1024
    assert plain["embeddingsByType"]["float"] == plain["embedding"]
    assert abs(sum(value * value for value in plain["embedding"]) - 1) < 1e-3  # normalized
    assert set(both["embeddingsByType"]) == {"float", "binary"}
    assert len(both["embedding"]) == len(both["embeddingsByType"]["binary"]) == 256
    assert set(both["embeddingsByType"]["binary"]) <= {0, 1}
    assert set(binary["embeddingsByType"]) == {"binary"}
    assert all(isinstance(value, float) for value in binary["embedding"])


@needs_converse
@pytest.mark.parametrize("model", [CLAUDE, LLAMA, MISTRAL, NOVA])
def test_converse_jobs_answer_in_the_converse_format_for_every_model(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any, model: str
) -> None:
    batchjobs_fake.bedrock.record_limits(minimum=1)
    put_records(
        s3, [{"messages": [{"role": "user", "content": [{"text": f"Q{n}"}]}]} for n in range(2)]
    )
    job = run(bedrock, batchjobs_fake, model, modelInvocationType="Converse")
    assert job["modelInvocationType"] == "Converse"
    outputs = [line["modelOutput"] for line in read_lines(s3, job)]
    for output in outputs:
        assert set(output) == {"output", "stopReason", "usage", "metrics"}
        assert output["output"]["message"]["role"] == "assistant"
        assert isinstance(output["output"]["message"]["content"][0]["text"], str)
        assert isinstance(output["metrics"]["latencyMs"], int)
    manifest = read_lines(s3, job, "manifest.json.out")[0]
    counted = [_usage_tokens(output) for output in outputs]
    assert manifest["inputTokenCount"] == sum(tokens_in for tokens_in, _ in counted)
    assert manifest["outputTokenCount"] == sum(tokens_out for _, tokens_out in counted)


# -- 5. output order is not input order ------------------------------------------------


def _ids(lines: list[dict[str, Any]]) -> list[str]:
    return [line["recordId"] for line in lines]


INPUT_IDS = [f"REC{index:08d}" for index in range(100)]


def test_outputs_are_out_of_input_order_by_default_and_join_on_record_id(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    bodies = [
        {**CLAUDE_BODY, "messages": [{"role": "user", "content": f"Q{n}"}]} for n in range(100)
    ]
    put_records(s3, bodies)
    lines = read_lines(s3, run(bedrock, batchjobs_fake))
    assert _ids(lines) != INPUT_IDS
    assert sorted(_ids(lines)) == INPUT_IDS
    by_id = {f"REC{index:08d}": body for index, body in enumerate(bodies)}
    assert all(line["modelInput"] == by_id[line["recordId"]] for line in lines)


def test_record_order_input_keeps_input_order(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    batchjobs_fake.bedrock.record_order("input")
    put_records(s3, [CLAUDE_BODY] * 100)
    assert _ids(read_lines(s3, run(bedrock, batchjobs_fake))) == INPUT_IDS


def test_reset_restores_the_shuffled_order(
    batchjobs_fake: BatchJobsFake, bedrock: Any, s3: Any
) -> None:
    batchjobs_fake.bedrock.record_order("input")
    batchjobs_fake.reset()
    put_records(s3, [CLAUDE_BODY] * 100)
    assert _ids(read_lines(s3, run(bedrock, batchjobs_fake))) != INPUT_IDS


def test_a_wrong_record_order_is_refused_at_once(batchjobs_fake: BatchJobsFake) -> None:
    with pytest.raises(
        ValueError, match=r"^record_order takes one of 'shuffled', 'input', got 'random'$"
    ):
        batchjobs_fake.bedrock.record_order("random")  # type: ignore[arg-type]


def _order_with_seed(seed: int) -> list[str]:
    with fake_batchjobs(seed=seed) as fake, mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for bucket in ("batch-in", "batch-out"):
            s3.create_bucket(Bucket=bucket)
        put_records(s3, [CLAUDE_BODY] * 100)
        return _ids(read_lines(s3, run(boto3.client("bedrock", region_name="us-east-1"), fake)))


def test_the_order_is_drawn_from_the_seed() -> None:
    first = _order_with_seed(20261207)
    assert _order_with_seed(20261207) == first
    assert _order_with_seed(7) != first


def test_the_converse_rules_are_botocores_converse_input() -> None:
    """The Converse rules agree with the Converse API's own model (bedrock-runtime)."""
    from botocore.session import get_session

    from pytest_batchjobs.services.bedrock.invocation_jobs.bodies import CONVERSE

    model = get_session().get_service_model("bedrock-runtime")
    request = model.shape_for("ConverseRequest")
    members = {member.name: member for member in CONVERSE.members}
    assert set(members) <= set(request.members)
    assert not any(member.required for member in CONVERSE.members)
    assert "messages" not in request.required_members
    message = model.shape_for("Message")
    assert {item.name for item in members["messages"].items if item.required} == set(
        message.required_members
    )
