"""Default answers for Bedrock records, in each model family's own response format.

A test that cares what the model says sets its own responder; these make every output
well-formed and deterministic (the same record gives the same answer).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def _digest(value: Any) -> int:
    text = json.dumps(value, sort_keys=True, default=str)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _words(value: Any) -> int:
    return max(1, len(json.dumps(value, default=str).split()))


def bedrock_output(model_id: str, record_id: str, model_input: Any) -> dict[str, Any]:
    """A model output shaped like the InvokeModel response body of ``model_id``'s family."""
    seed = _digest(model_input)
    text = f"Answer {seed % 100000:05d} for record {record_id}."
    tokens_in, tokens_out = _words(model_input), 8 + seed % 40
    family = _family(model_id)
    if family == "anthropic":
        return {
            "id": f"msg_bdrk_{seed:016x}",
            "type": "message",
            "role": "assistant",
            "model": model_id.split(".", 1)[-1].rsplit("-v", 1)[0],
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out},
        }
    if family == "meta":
        return {
            "generation": text,
            "prompt_token_count": tokens_in,
            "generation_token_count": tokens_out,
            "stop_reason": "stop",
        }
    if family == "mistral":
        return {"outputs": [{"text": text, "stop_reason": "stop"}]}
    if "embed" in model_id:
        return {
            "embedding": [((seed >> shift) % 2000 - 1000) / 1000 for shift in range(8)],
            "inputTextTokenCount": tokens_in,
        }
    return {  # Amazon Nova and the Converse response format
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": tokens_in,
            "outputTokens": tokens_out,
            "totalTokens": tokens_in + tokens_out,
        },
    }


def _family(model_id: str) -> str:
    """``anthropic`` for ``anthropic.claude-...``, an ARN of one, or ``us.anthropic...``."""
    parts = model_id.rsplit("/", 1)[-1].split(".")
    if parts[0] in ("us", "eu", "apac", "global") and len(parts) > 1:
        return parts[1]
    return parts[0]


def token_counts(output: Any) -> tuple[int, int]:
    """(input tokens, output tokens) of a model output, in any family's format."""
    if not isinstance(output, dict):
        return 0, 0
    usage = output.get("usage")
    if isinstance(usage, dict):
        return (
            int(usage.get("input_tokens", usage.get("inputTokens", 0)) or 0),
            int(usage.get("output_tokens", usage.get("outputTokens", 0)) or 0),
        )
    if "prompt_token_count" in output:
        return int(output["prompt_token_count"]), int(output.get("generation_token_count", 0))
    if "inputTextTokenCount" in output:
        results = output.get("results") or []
        return int(output["inputTextTokenCount"]), sum(int(r.get("tokenCount", 0)) for r in results)
    return 0, 0
