"""What each model checks in a record's ``modelInput``: a table of request-body rules.

Bedrock hands each record's ``modelInput`` to the model as its request body; a body the
model rejects becomes that record's ``error: {"errorCode": 400, "errorMessage": ...}``
and the job goes on (a job whose every record was refused with
``anthropic_version: Field required`` still ended ``Completed``: BerriAI/litellm#36156).

Each family's rules hold only what its page in the Bedrock user guide marks required,
or gives a type; nothing else is checked (values, ranges, extra keys pass). The wording
of a refusal is the family's own:

* Anthropic Claude (Messages API) answers as its validator does,
  ``<field>: Field required`` (recorded: BerriAI/litellm#36156) and
  ``<field>: Input should be a valid <type>``; one problem per message, the first found.
* Amazon Titan, Amazon Nova (``messages-v1``), Meta Llama and Mistral bodies are checked
  against a JSON schema: ``Malformed input request: #: required key [prompt] not found,
  please reformat your input and try again.``, each problem appended (recorded in
  InvokeModel errors quoted by public code, e.g. ``#: required key [prompt] not
  found#: extraneous key [messages] is not permitted``), and ``#/messages: expected
  type: JSONArray, found: String``.
* Converse bodies (``modelInvocationType="Converse"``) are checked as the Converse API
  checks its input: ``1 validation error detected: Value null at
  'messages.1.member.role' failed to satisfy constraint: Member must not be null``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# The JSON types the pages name, and what each accepts.
_ACCEPTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
}


@dataclass(frozen=True)
class Member:
    """A member of a request body: its JSON type (``None``: any, the page allows several),
    whether it is required, the members each object of an array must have, and the only
    values the page accepts (if it lists them)."""

    name: str
    type: str | None = None
    required: bool = False
    items: tuple[Member, ...] = ()
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Problem:
    """What is wrong at ``path`` (keys and array positions from the body's top):
    ``member`` is missing there, or (``expected`` set) the value at ``path + member``
    is not of that type, or (``choices`` set) not one of them."""

    path: tuple[str | int, ...]
    member: str
    expected: str | None = None
    found: Any = None
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class BodyRules:
    """One model family's request body: its members, the page they come from, how the
    model words a refusal, and a body it accepts (for stand-in records)."""

    family: str
    source: str
    members: tuple[Member, ...]
    refusal: Callable[[Sequence[Problem]], str]
    sample: Callable[[str], dict[str, Any]]

    def refuse(self, body: Any) -> str | None:
        """The model's refusal of ``body``, or ``None`` if it accepts it."""
        problems: list[Problem] = []
        _check(self.members, body, (), problems)
        return self.refusal(problems) if problems else None


def _check(
    members: tuple[Member, ...], body: Any, path: tuple[str | int, ...], found: list[Problem]
) -> None:
    if not isinstance(body, dict):
        return
    for member in members:
        if member.name not in body:
            if member.required:
                found.append(Problem(path, member.name))
            continue
        value = body[member.name]
        if value is None and not member.required:
            continue
        if member.type is not None and not _ACCEPTS[member.type](value):
            found.append(Problem(path, member.name, member.type, value))
            continue
        if member.choices and value not in member.choices:
            found.append(Problem(path, member.name, member.type, value, member.choices))
            continue
        if member.items and isinstance(value, list):
            for index, item in enumerate(value):
                _check(member.items, item, (*path, member.name, index), found)


# -- how each family words a refusal ---------------------------------------------------

_PYDANTIC_TYPES = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "array": "list",
    "object": "dictionary",
}


def _anthropic(problems: Sequence[Problem]) -> str:
    """``messages.0.role: Field required``: Anthropic's validator, first problem."""
    problem = problems[0]
    where = ".".join(str(part) for part in (*problem.path, problem.member))
    if problem.expected is None:
        return f"{where}: Field required"
    if problem.choices:
        listed = " or ".join(repr(choice) for choice in problem.choices)
        return f"{where}: Input should be {listed}"
    return f"{where}: Input should be a valid {_PYDANTIC_TYPES[problem.expected]}"


_SCHEMA_TYPES = {
    "string": "String",
    "integer": "Integer",
    "number": "Number",
    "boolean": "Boolean",
    "array": "JSONArray",
    "object": "JSONObject",
}


def _schema_type(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "BigDecimal"
    if isinstance(value, list):
        return "JSONArray"
    if isinstance(value, dict):
        return "JSONObject"
    return "String"


def _schema(problems: Sequence[Problem]) -> str:
    """``Malformed input request: #: required key [prompt] not found, ...``: a JSON
    schema validator's report, every problem appended."""
    parts = []
    for problem in problems:
        pointer = "#" + "".join(f"/{part}" for part in problem.path)
        if problem.expected is None:
            parts.append(f"{pointer}: required key [{problem.member}] not found")
        elif problem.choices:
            parts.append(f"{pointer}/{problem.member}: {problem.found} is not a valid enum value")
        else:
            parts.append(
                f"{pointer}/{problem.member}: expected type: "
                f"{_SCHEMA_TYPES[problem.expected]}, found: {_schema_type(problem.found)}"
            )
    return f"Malformed input request: {''.join(parts)}, please reformat your input and try again."


_CORAL_TYPES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "a list",
    "object": "a structure",
}


def _coral(problems: Sequence[Problem]) -> str:
    """``1 validation error detected: Value null at 'messages.1.member.role' failed to
    satisfy constraint: Member must not be null``: AWS's validation of an API input."""
    parts = []
    for problem in problems:
        path = ".".join(
            f"{part + 1}.member" if isinstance(part, int) else part
            for part in (*problem.path, problem.member)
        )
        if problem.expected is None:
            parts.append(
                f"Value null at '{path}' failed to satisfy constraint: Member must not be null"
            )
        elif problem.choices:
            parts.append(
                f"Value '{problem.found}' at '{path}' failed to satisfy constraint: Member "
                f"must satisfy enum value set: [{', '.join(map(str, problem.choices))}]"
            )
        else:
            parts.append(
                f"Value at '{path}' failed to satisfy constraint: Member must be "
                f"{_CORAL_TYPES[problem.expected]}"
            )
    count = len(parts)
    return f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(parts)}"


# -- the table -------------------------------------------------------------------------

_GUIDE = "https://docs.aws.amazon.com/bedrock/latest/userguide/"
_ROLE_CONTENT = (Member("role", "string", True), Member("content", required=True))

ANTHROPIC = BodyRules(
    family="Anthropic Claude (Messages API)",
    source=_GUIDE + "model-parameters-anthropic-claude-messages-request-response.html",
    members=(
        Member("anthropic_version", "string", True),
        Member("max_tokens", "integer", True),
        Member("messages", "array", True, _ROLE_CONTENT),
        Member("temperature", "number"),
        Member("top_p", "number"),
        Member("top_k", "integer"),
        Member("stop_sequences", "array"),
    ),
    refusal=_anthropic,
    sample=lambda text: {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 256,
        "messages": [{"role": "user", "content": text}],
    },
)
NOVA = BodyRules(
    family="Amazon Nova (messages-v1)",
    source="https://docs.aws.amazon.com/nova/latest/nova2-userguide/request-response-schema.html",
    members=(
        Member(
            "messages",
            "array",
            True,
            (Member("role", "string", True), Member("content", "array", True)),
        ),
        Member("system", "array"),
        Member("inferenceConfig", "object"),
    ),
    refusal=_schema,
    sample=lambda text: {
        "schemaVersion": "messages-v1",
        "messages": [{"role": "user", "content": [{"text": text}]}],
    },
)
# As botocore's bedrock-runtime model has it: ConverseRequest's messages are optional,
# each Message requires role and content (tests/test_bedrock_records.py checks it).
CONVERSE = BodyRules(
    family="Converse",
    source="https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html",
    members=(
        Member(
            "messages",
            "array",
            False,
            (Member("role", "string", True), Member("content", "array", True)),
        ),
        Member("system", "array"),
        Member("inferenceConfig", "object"),
    ),
    refusal=_coral,
    sample=lambda text: {"messages": [{"role": "user", "content": [{"text": text}]}]},
)
TITAN_TEXT = BodyRules(
    family="Amazon Titan Text",
    source=_GUIDE + "model-parameters-titan-text.html",
    members=(Member("inputText", "string", True), Member("textGenerationConfig", "object")),
    refusal=_schema,
    sample=lambda text: {"inputText": text},
)
TITAN_EMBEDDINGS = BodyRules(
    family="Amazon Titan Embeddings",
    source=_GUIDE + "model-parameters-titan-embed-text.html",
    members=(
        Member("inputText", "string", True),
        Member("dimensions", "integer", choices=(1024, 512, 256)),
        Member("normalize", "boolean"),
        Member("embeddingTypes", "array"),
    ),
    refusal=_schema,
    sample=lambda text: {"inputText": text},
)
LLAMA = BodyRules(
    family="Meta Llama",
    source=_GUIDE + "model-parameters-meta.html",
    members=(
        Member("prompt", "string", True),
        Member("temperature", "number"),
        Member("top_p", "number"),
        Member("max_gen_len", "integer"),
    ),
    refusal=_schema,
    sample=lambda text: {"prompt": text, "max_gen_len": 256},
)
MISTRAL_TEXT = BodyRules(
    family="Mistral AI text completion",
    source=_GUIDE + "model-parameters-mistral-text-completion.html",
    members=(
        Member("prompt", "string", True),
        Member("max_tokens", "integer"),
        Member("stop", "array"),
        Member("temperature", "number"),
        Member("top_p", "number"),
        Member("top_k", "integer"),
    ),
    refusal=_schema,
    sample=lambda text: {"prompt": f"<s>[INST] {text} [/INST]", "max_tokens": 256},
)
MISTRAL_CHAT = BodyRules(
    family="Mistral AI chat completion",
    source=_GUIDE + "model-parameters-mistral-chat-completion.html",
    members=(
        Member("messages", "array", True, _ROLE_CONTENT),
        Member("tools", "array"),
        Member("tool_choice", "string"),
        Member("max_tokens", "integer"),
        Member("top_p", "number"),
        Member("temperature", "number"),
    ),
    refusal=_schema,
    sample=lambda text: {"messages": [{"role": "user", "content": text}], "max_tokens": 256},
)


def family_of(model_id: str) -> str:
    """The provider part of a model id: ``anthropic`` for ``anthropic.claude-...``, an
    ARN of one, or a cross-Region profile such as ``us.anthropic.claude-...``."""
    parts = model_id.rsplit("/", 1)[-1].split(".")
    if parts[0] in ("us", "eu", "apac", "global", "us-gov", "jp", "au", "ca") and len(parts) > 1:
        return parts[1]
    return parts[0]


def rules_for(model_id: str, invocation_type: str | None, body: Any) -> BodyRules | None:
    """The rules ``model_id``'s model applies to ``body`` in a job of
    ``modelInvocationType`` ``invocation_type``; ``None`` for a family the fake does not
    know (its bodies are not checked). Mistral takes a chat body (``messages``) or a
    text one (``prompt``)."""
    if invocation_type == "Converse":
        return CONVERSE
    family = family_of(model_id)
    name = model_id.rsplit("/", 1)[-1]
    if family == "anthropic":
        return ANTHROPIC
    if family == "meta":
        return LLAMA
    if family == "mistral":
        return MISTRAL_CHAT if isinstance(body, dict) and "messages" in body else MISTRAL_TEXT
    if family == "amazon":
        if "nova" in name:
            return NOVA
        if "titan-embed-text" in name or "titan-embed-g1-text" in name:
            return TITAN_EMBEDDINGS
        if "titan-text" in name or "titan-tg1" in name:
            return TITAN_TEXT
    return None
