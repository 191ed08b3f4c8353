"""Default answers for Bedrock records, in the response format of the job's invocation
type and model.

A batch record's ``modelOutput`` is the model's InvokeModel response body, or the
Converse response for a ``modelInvocationType="Converse"`` job, whatever the model
(Bedrock user guide, "Format and upload your batch inference data"). Each format below
is the one its model-parameters page gives (:mod:`.bodies` names the pages). A test that
cares what the model says sets its own responder; these make every output well-formed
and deterministic (the same record gives the same answer).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import bodies


@dataclass(frozen=True)
class Answer:
    """What the default model says to one record, and the tokens it counted (in the
    manifest even where the format shows none, as Mistral's)."""

    body: dict[str, Any]
    tokens: tuple[int, int]


@dataclass(frozen=True)
class _Asked:
    model_id: str
    record_id: str
    body: dict[str, Any]
    seed: int
    text: str
    tokens_in: int
    tokens_out: int


def answer(
    model_id: str, invocation_type: str | None, record_id: str, model_input: dict[str, Any]
) -> Answer:
    """The default model's answer to ``model_input`` in ``model_id``'s format (or the
    Converse format in a Converse job)."""
    text_in = json.dumps(model_input, sort_keys=True, default=str)
    seed = int.from_bytes(hashlib.sha256(text_in.encode()).digest()[:8], "big")
    asked = _Asked(
        model_id=model_id,
        record_id=record_id,
        body=model_input,
        seed=seed,
        text=f"Answer {seed % 100000:05d} for record {record_id}.",
        tokens_in=max(1, len(text_in.split())),
        tokens_out=8 + seed % 40,
    )
    rules = bodies.rules_for(model_id, invocation_type, model_input)
    if rules is bodies.TITAN_EMBEDDINGS:
        return Answer(_embedding(asked), (asked.tokens_in, 0))
    write = _FORMATS.get(rules, _converse)
    return Answer(write(asked), (asked.tokens_in, asked.tokens_out))


def _anthropic(asked: _Asked) -> dict[str, Any]:
    return {
        "id": f"msg_bdrk_{asked.seed:016x}",
        "type": "message",
        "role": "assistant",
        "model": asked.model_id.rsplit("/", 1)[-1].split("anthropic.", 1)[-1].rsplit("-v", 1)[0],
        "content": [{"type": "text", "text": asked.text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": asked.tokens_in, "output_tokens": asked.tokens_out},
    }


def _usage(asked: _Asked) -> dict[str, int]:
    return {
        "inputTokens": asked.tokens_in,
        "outputTokens": asked.tokens_out,
        "totalTokens": asked.tokens_in + asked.tokens_out,
    }


def _nova(asked: _Asked) -> dict[str, Any]:
    """Nova's InvokeModel response: the Converse shape without ``metrics``."""
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": asked.text}]}},
        "stopReason": "end_turn",
        "usage": _usage(asked),
    }


def _converse(asked: _Asked) -> dict[str, Any]:
    """The Converse response (API_runtime_Converse): output.message, stopReason, usage,
    metrics. Also the answer of a model whose family the fake does not know."""
    return {**_nova(asked), "metrics": {"latencyMs": 200 + asked.seed % 1800}}


def _titan_text(asked: _Asked) -> dict[str, Any]:
    # "FINISH", as Titan sends it (recorded in the batch results page's sample and in
    # public tests of real InvokeModel answers); its parameters page says "FINISHED".
    return {
        "inputTextTokenCount": asked.tokens_in,
        "results": [
            {
                "tokenCount": asked.tokens_out,
                "outputText": f"\n{asked.text}",
                "completionReason": "FINISH",
            }
        ],
    }


def _embedding(asked: _Asked) -> dict[str, Any]:
    """Titan Embeddings: ``embedding`` and ``inputTextTokenCount``; V2 adds
    ``embeddingsByType``, which "will always appear" (``float`` even when
    ``embeddingTypes`` was not given), with ``binary`` when asked for, and honours
    ``dimensions`` (1024 by default; G1 answers 1536) and ``normalize`` (default true)."""
    v2 = "titan-embed-text-v2" in asked.model_id
    body = asked.body
    size = body.get("dimensions", 1024) if v2 else 1536
    floats, bits = _unit_vector(size)
    shift = asked.seed % size  # each text its own vector, at the cost of a copy
    vector = floats[shift:] + floats[:shift]
    if v2 and not body.get("normalize", True):
        scale = 0.5 + (asked.seed >> 16) % 1000 / 1000
        vector = [round(value * scale, 6) for value in vector]
    output: dict[str, Any] = {"embedding": vector, "inputTextTokenCount": asked.tokens_in}
    if v2:
        kinds = body.get("embeddingTypes") or ["float"]
        by_type: dict[str, list[Any]] = {}
        if "float" in kinds:
            by_type["float"] = vector
        if "binary" in kinds:
            by_type["binary"] = bits[shift:] + bits[:shift]
        output["embeddingsByType"] = by_type
    return output


@functools.cache
def _unit_vector(size: int) -> tuple[list[float], list[int]]:
    """A fixed unit vector of ``size`` floats (6 decimals), and its signs as bits."""
    draw = random.Random(size)
    vector = [draw.uniform(-1.0, 1.0) for _ in range(size)]
    norm = math.sqrt(sum(value * value for value in vector))
    floats = [round(value / norm, 6) for value in vector]
    return floats, [1 if value > 0 else 0 for value in floats]


def _llama(asked: _Asked) -> dict[str, Any]:
    return {
        "generation": asked.text,
        "prompt_token_count": asked.tokens_in,
        "generation_token_count": asked.tokens_out,
        "stop_reason": "stop",
    }


def _mistral_text(asked: _Asked) -> dict[str, Any]:
    return {"outputs": [{"text": asked.text, "stop_reason": "stop"}]}


def _mistral_chat(asked: _Asked) -> dict[str, Any]:
    return {
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": asked.text},
                "stop_reason": "stop",
            }
        ]
    }


_FORMATS: dict[bodies.BodyRules | None, Callable[[_Asked], dict[str, Any]]] = {
    bodies.ANTHROPIC: _anthropic,
    bodies.NOVA: _nova,
    bodies.CONVERSE: _converse,
    bodies.TITAN_TEXT: _titan_text,
    bodies.LLAMA: _llama,
    bodies.MISTRAL_TEXT: _mistral_text,
    bodies.MISTRAL_CHAT: _mistral_chat,
}


def token_counts(output: Any) -> tuple[int, int]:
    """(input tokens, output tokens) of a responder's output, in any family's format
    that shows them; (0, 0) for one that does not."""
    if not isinstance(output, dict):
        return 0, 0
    usage = output.get("usage")
    if isinstance(usage, dict):
        return (
            _int(usage, "input_tokens", "inputTokens", "prompt_tokens"),
            _int(usage, "output_tokens", "outputTokens", "completion_tokens"),
        )
    if "prompt_token_count" in output:
        return _int(output, "prompt_token_count"), _int(output, "generation_token_count")
    if "inputTextTokenCount" in output:
        results = output.get("results") or []
        return _int(output, "inputTextTokenCount"), sum(
            _int(result, "tokenCount") for result in results if isinstance(result, dict)
        )
    return 0, 0


def _int(where: dict[str, Any], *names: str) -> int:
    """The first of ``names`` in ``where`` as an int; 0 if none is a number."""
    for name in names:
        value = where.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return 0
