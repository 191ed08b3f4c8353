"""Hypothesis strategies generated from botocore's input shapes, valid and invalid.

Nothing here is written per operation: ``cases(service, operation)`` walks the
operation's input shape (structures, unions, lists, maps, strings with min / max /
pattern / enum, numbers with min / max, timestamps) and draws either a valid request or
a valid request with one member broken:

* ``constraint``: the right JSON type, but out of range, too long or short, off its
  pattern, not in its enum, a list or map with too many or too few items, a union with
  no member or two;
* ``missing``: a required member left out;
* ``type``: a value of the wrong JSON type (a number for a string, a string for a
  structure, a fraction for an integer...).

The models' patterns are Java regular expressions applied to the whole value. They are
translated for :func:`hypothesis.strategies.from_regex` with Java's meaning: ``\\d``,
``\\s``, ``\\S``, ``\\w`` are ASCII-only and ``.`` matches no line terminator
(``\\n \\r \\u0085 \\u2028 \\u2029``); ``\\p{L}``, ``\\p{Z}``, ``\\p{N}`` become samples of
their classes (a valid subset is all a generator needs). Generated text stays in the
Basic Multilingual Plane, where Java's UTF-16 length and Python's length agree.

Whether a mutated request is really invalid is decided afterwards by the package's own
checker, :func:`pytest_batchjobs.wire.constraints.violations` (an inserted character
may still match the pattern), see :func:`expectation`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import strategies as st

from pytest_batchjobs.wire.constraints import violations
from pytest_batchjobs.wire.messages import WireRequest
from pytest_batchjobs.wire.models import service_model

FAKED: dict[str, tuple[str, ...]] = {
    "personalize": (
        "CreateBatchInferenceJob",
        "DescribeBatchInferenceJob",
        "ListBatchInferenceJobs",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
    ),
    "bedrock": (
        "CreateModelInvocationJob",
        "GetModelInvocationJob",
        "ListModelInvocationJobs",
        "StopModelInvocationJob",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
    ),
}
HOSTS = {
    "personalize": "https://personalize.us-east-1.amazonaws.com",
    "bedrock": "https://bedrock.us-east-1.amazonaws.com",
}
JSON_11 = "application/x-amz-json-1.1"

# -- Java patterns, for from_regex ---------------------------------------------------------

_SPACE = r" \t\n\x0b\x0c\r"
_DOT = r"[^\n\r\x85\u2028\u2029]"
_PROPERTY_SAMPLES = {
    "L": r"a-zA-Z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0391-\u03a1\u03a3-\u03a9"
    r"\u0430-\u044f\u4e00-\u4e0f",
    "Z": r" \u00a0\u2000-\u200a\u2028\u2029\u3000",
    "N": r"0-9\u00b2\u00b3\u0660-\u0669\u2160-\u2164",
    "ASCII": r"\x00-\x7f",
}
_IN_CLASS = {"d": "0-9", "s": _SPACE, "w": "a-zA-Z_0-9"}
_OUTSIDE = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "w": "[a-zA-Z_0-9]",
    "W": "[^a-zA-Z_0-9]",
}


def java_to_python(pattern: str) -> str:
    """``pattern`` (a Java regex) as a Python ``re`` pattern generating only values Java's
    ``Matcher.matches()`` accepts."""
    out: list[str] = []
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            escape = pattern[index + 1]
            if escape == "p":
                end = pattern.index("}", index)
                chars = _PROPERTY_SAMPLES[pattern[index + 3 : end]]
                out.append(chars if in_class else f"[{chars}]")
                index = end + 1
                continue
            table = _IN_CLASS if in_class else _OUTSIDE
            out.append(table.get(escape, "\\" + escape))
            index += 2
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
            if pattern[index + 1 : index + 2] == "^":  # a negated class
                out.append("^")
                index += 1
            if pattern[index + 1 : index + 2] == "]":  # a literal ] first in a class
                out.append("\\]")
                index += 1
        else:
            out.append(_DOT if char == "." else char)
        index += 1
    return "".join(out)


# Text the services can carry: no lone surrogates, and no astral characters (whose
# length differs between Java, which counts UTF-16 units, and Python).
TEXT = st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",))

# ModelInvocationJobName's pattern backtracks exponentially in the number of dashes of a
# value it rejects (test_fuzz.py::test_bedrock_job_name_pattern_is_checked_in_bounded_time):
# the fake cuts such a check short after a second, still too slow for hundreds of
# examples. Generated values of that shape keep at most a few dashes (the others become
# "x", which keeps a valid name valid).
_DASH_LIMITED = {"ModelInvocationJobName": 4}


def _calm(shape: Any, strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    limit = _DASH_LIMITED.get(shape.name)
    if limit is None:
        return strategy
    return strategy.map(lambda value: _few_dashes(value, limit))


def _few_dashes(value: Any, limit: int) -> Any:
    if not isinstance(value, str) or value.count("-") <= limit:
        return value
    head, *rest = value.split("-")
    return head + "".join(("-" if n < limit else "x") + part for n, part in enumerate(rest))


# Patterns whose values from_regex rarely fits into the shape's length: known-good
# sub-languages instead (each one an alternative of the model's pattern).
_SUBPATTERNS = {
    "TaggableResourcesArn": [
        r"arn:aws(-[a-z]{2,6})?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:"
        r"(model-invocation-job|provisioned-model|model-evaluation-job|async-invoke)/[a-z0-9]{12}",
        r"arn:aws:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:custom-model/imported/[a-z0-9]{12}",
        r"arn:aws:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]{1,12}",
        r"[a-zA-Z0-9][a-zA-Z0-9\-]{19,40}",
    ],
}


# -- valid values ----------------------------------------------------------------------------

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
_ZONES = st.builds(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)),
    st.integers(-14 * 60, 14 * 60),
)
TIMESTAMPS = st.datetimes(
    min_value=dt.datetime(1971, 1, 1),
    max_value=dt.datetime(2100, 1, 1),
    timezones=_ZONES,
).map(lambda value: value.replace(microsecond=value.microsecond // 1000 * 1000))
_ROOM = 3  # how many items beyond a list's or map's minimum a valid one gets


def _bounds(shape: Any) -> tuple[int, int | None]:
    meta = shape.metadata
    return int(meta.get("min", 0)), meta.get("max")


@functools.cache
def _valid(shape: Any) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        members = shape.members
        if shape.metadata.get("union"):
            return st.one_of(
                [st.fixed_dictionaries({name: valid(m)}) for name, m in members.items()]
            )
        required = set(shape.required_members)
        return st.fixed_dictionaries(
            {name: valid(m) for name, m in members.items() if name in required},
            optional={name: valid(m) for name, m in members.items() if name not in required},
        )
    if kind == "list":
        low, high = _bounds(shape)
        top = low + _ROOM if high is None else min(high, low + _ROOM)
        return st.lists(valid(shape.member), min_size=low, max_size=top)
    if kind == "map":
        low, high = _bounds(shape)
        top = low + _ROOM if high is None else min(high, low + _ROOM)
        return st.dictionaries(valid(shape.key), valid(shape.value), min_size=low, max_size=top)
    if kind == "string":
        return _valid_string(shape)
    if kind in ("integer", "long"):
        low, high = INT32 if kind == "integer" else INT64
        meta = shape.metadata
        return st.integers(meta.get("min", low), meta.get("max", high))
    if kind in ("float", "double"):
        meta = shape.metadata
        return st.floats(meta.get("min"), meta.get("max"), allow_nan=False, allow_infinity=False)
    if kind == "timestamp":
        return TIMESTAMPS
    if kind == "boolean":
        return st.booleans()
    raise NotImplementedError(f"no strategy for {kind} shape {shape.name}")


def valid(shape: Any) -> st.SearchStrategy[Any]:
    """Values of ``shape`` that the real service accepts."""
    return _valid(shape)


def _valid_string(shape: Any) -> st.SearchStrategy[str]:
    if shape.enum:
        return st.sampled_from(list(shape.enum))
    low, high = _bounds(shape)
    pattern = shape.metadata.get("pattern")
    if pattern is None:
        top = low + 24 if high is None else min(high, low + 24)
        strategy = st.text(TEXT, min_size=low, max_size=top)
        if high is not None and high <= 300:
            strategy |= st.text(TEXT, min_size=high, max_size=high)  # the boundary
        return strategy
    sources = _SUBPATTERNS.get(shape.name, [java_to_python(pattern)])
    generated = st.one_of(
        [st.from_regex(source, fullmatch=True, alphabet=TEXT) for source in sources]
    )
    fitting = generated.filter(lambda value: low <= len(value) <= (high or len(value)))
    return _calm(shape, fitting)


# -- constraint-breaking values (the right JSON type) ----------------------------------------

_BAD_CHARS = ["!", " ", "\n", "\t", "\x00", "/", ":", "_", "\u00e9", "\u2028", "'", '"', "%"]


@functools.cache
def broken(shape: Any) -> st.SearchStrategy[Any] | None:
    """Values of ``shape``'s type breaking one of its constraints, or ``None`` if it has none.

    Usually invalid; :func:`expectation` asks the checker whether one really is."""
    kind = shape.type_name
    meta = shape.metadata
    options: list[st.SearchStrategy[Any]] = []
    if kind == "string":
        low, high = _bounds(shape)
        if shape.enum:
            options.append(
                st.sampled_from([e.lower() for e in shape.enum] + [e + " " for e in shape.enum])
                | st.text(TEXT, max_size=12)
            )
        if high is not None:
            options.append(
                valid(shape).map(lambda value, high=high: _stretch(value, high + 1))
                | st.integers(1, 40).map(lambda extra, high=high: "a" * (high + extra))
            )
        if low > 0:
            options.append(st.text(TEXT, max_size=low - 1))
        if "pattern" in meta:
            options.append(
                st.tuples(valid(shape), st.sampled_from(_BAD_CHARS), st.integers(0, 10**6)).map(
                    lambda drawn: _insert(*drawn)
                )
                | st.text(TEXT, max_size=30)
            )
    elif kind in ("integer", "long", "float", "double"):
        whole = kind in ("integer", "long")
        if "min" in meta:
            below = st.integers(1, 2**31) if whole else st.floats(0.001, 1e12)
            options.append(below.map(lambda step, low=meta["min"]: low - step))
        if "max" in meta:
            above = st.integers(1, 2**31) if whole else st.floats(0.001, 1e12)
            options.append(above.map(lambda step, high=meta["max"]: high + step))
    elif kind in ("list", "map"):
        low, high = _bounds(shape)
        if low > 0:
            empty: Any = [] if kind == "list" else {}
            options.append(st.just(empty))
        if high is not None:
            if kind == "list":
                options.append(
                    st.tuples(valid(shape.member), st.integers(1, 3)).map(
                        lambda drawn, high=high: [drawn[0]] * (high + drawn[1])
                    )
                )
            elif not shape.key.enum and "pattern" not in shape.key.metadata:
                options.append(
                    valid(shape.value).map(
                        lambda item, high=high: {f"k{n}": item for n in range(high + 1)}
                    )
                )
    elif kind == "structure" and meta.get("union"):
        members = shape.members
        options.append(st.just({}))
        if len(members) > 1:
            options.append(st.fixed_dictionaries({name: valid(m) for name, m in members.items()}))
    if not options:
        return None
    return _calm(shape, st.one_of(options))


def _stretch(value: str, length: int) -> str:
    seed = value or "a"
    return (seed * (length // len(seed) + 1))[:length]


def _insert(value: str, char: str, where: int) -> str:
    at = where % (len(value) + 1)
    return value[:at] + char + value[at:]


# -- values of the wrong JSON type ------------------------------------------------------------

_SCALARS = {
    "string": st.one_of(
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(),
    ),
    "number": st.one_of(
        st.text(TEXT, max_size=8),
        st.booleans(),
    ),
}


@functools.cache
def wrong_type(shape: Any) -> st.SearchStrategy[Any]:
    """JSON values that are not of ``shape``'s type (never ``null``: that is "absent")."""
    kind = shape.type_name
    containers = st.one_of(
        st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers())
    )
    if kind == "string":
        return _SCALARS["string"] | containers
    if kind in ("integer", "long"):
        fractions = st.floats(allow_nan=False, allow_infinity=False).filter(
            lambda value: not value.is_integer()
        )
        return _SCALARS["number"] | fractions | containers
    if kind in ("float", "double"):
        return _SCALARS["number"] | containers
    if kind == "timestamp":
        return st.one_of(st.booleans(), containers, st.sampled_from(["yesterday", "", "now"]))
    if kind == "boolean":
        return st.one_of(st.sampled_from(["true", "1", ""]), st.integers(0, 1), containers)
    if kind == "structure":
        return st.one_of(
            st.text(TEXT, max_size=8), st.integers(), st.booleans(), st.lists(st.integers())
        )
    if kind == "list":
        return st.one_of(
            st.text(TEXT, max_size=8),
            st.integers(),
            st.dictionaries(st.text(max_size=3), st.integers()),
        )
    if kind == "map":
        return st.one_of(st.text(TEXT, max_size=8), st.integers(), st.lists(st.integers()))
    raise NotImplementedError(kind)


# -- requests ------------------------------------------------------------------------------------

Step = tuple[str, ...]  # ("member", name) | ("item",) | ("key",) | ("value",)
_DELETE = object()


@dataclass(frozen=True)
class Slot:
    """A place in a request that a mutation can break."""

    path: tuple[Step, ...]
    shape: Any
    required: bool  # a structure member its structure requires

    def describe(self) -> str:
        parts = []
        for step in self.path:
            parts.append(step[1] if step[0] == "member" else f"[{step[0]}]")
        return ".".join(parts) or "<request>"


def slots(shape: Any, path: tuple[Step, ...] = ()) -> list[Slot]:
    """Every member, list item, map key and map value reachable in ``shape``."""
    found: list[Slot] = []
    kind = shape.type_name
    if kind == "structure":
        required = set(shape.required_members)
        for name, member in shape.members.items():
            here = (*path, ("member", name))
            found.append(Slot(here, member, name in required))
            found.extend(slots(member, here))
    elif kind == "list":
        here = (*path, ("item",))
        found.append(Slot(here, shape.member, False))
        found.extend(slots(shape.member, here))
    elif kind == "map":
        found.append(Slot((*path, ("key",)), shape.key, False))
        here = (*path, ("value",))
        found.append(Slot(here, shape.value, False))
        found.extend(slots(shape.value, here))
    return found


def _apply(draw: Any, value: Any, shape: Any, path: tuple[Step, ...], new: Any) -> Any:
    """``value`` with the place at ``path`` replaced by ``new`` (or removed: ``_DELETE``).

    Containers missing on the way are filled in with valid values first."""
    if not path:
        return new
    step, rest = path[0], path[1:]
    if step[0] == "member":
        member = shape.members[step[1]]
        changed = dict(value)
        inner = changed.get(step[1])
        if inner is None and rest:
            inner = draw(valid(member))
        result = _apply(draw, inner, member, rest, new)
        if result is _DELETE:
            changed.pop(step[1], None)
        else:
            changed[step[1]] = result
        return changed
    if step[0] == "item":
        items = list(value) or [draw(valid(shape.member))]
        at = draw(st.integers(0, len(items) - 1))
        items[at] = _apply(draw, items[at], shape.member, rest, new)
        return items
    entries = dict(value) or {draw(valid(shape.key)): draw(valid(shape.value))}
    key = draw(st.sampled_from(sorted(entries)))
    item = entries.pop(key)
    if step[0] == "key":
        entries[new] = item
    else:
        entries[key] = _apply(draw, item, shape.value, rest, new)
    return entries


@dataclass(frozen=True)
class Case:
    """One generated request: its params, how it was made, and which job it aims at."""

    params: dict[str, Any]
    kind: str  # "valid", "constraint", "missing" or "type"
    where: str  # the broken place, for "constraint", "missing", "type"
    location: str  # where the broken member travels: "body", "uri", "querystring"
    target: str | None  # aim at the stored job: by "arn", by "id", or not (None)

    def __repr__(self) -> str:
        return (
            f"Case(kind={self.kind!r}, where={self.where!r}, location={self.location!r}, "
            f"target={self.target!r}, params={self.params!r})"
        )


def mutations(shape: Any) -> list[tuple[Slot, str]]:
    """Every (slot, kind) a request of ``shape`` can be broken with."""
    found: list[tuple[Slot, str]] = []
    for slot in slots(shape):
        if broken(slot.shape) is not None:
            found.append((slot, "constraint"))
        if slot.path[-1][0] != "key":  # JSON object keys are always strings
            found.append((slot, "type"))
        if slot.required:
            found.append((slot, "missing"))
    return found


@functools.cache
def cases(service: str, operation: str) -> st.SearchStrategy[Case]:
    """Valid and broken requests of ``operation``, about half each."""
    shape = service_model(service).operation_model(operation).input_shape
    options = mutations(shape)

    @st.composite
    def draw_case(draw: Any) -> Case:
        params = draw(valid(shape))
        target = draw(st.sampled_from([None, "arn", "id"]))
        if draw(st.booleans()):
            return Case(params, "valid", "", "body", target)
        slot, kind = draw(st.sampled_from(options))
        if kind == "missing":
            new = _DELETE
        elif kind == "constraint":
            strategy = broken(slot.shape)
            assert strategy is not None
            new = draw(strategy)
        else:
            new = draw(wrong_type(slot.shape))
        params = _apply(draw, params, shape, slot.path, new)
        top = shape.members[slot.path[0][1]]
        location = top.serialization.get("location", "body")
        return Case(params, kind, slot.describe(), location, target)

    return draw_case()


def expectation(operation: Any, case: Case, params: dict[str, Any], raw: bool) -> str:
    """What the fake must answer ``params`` (``case``'s params, perhaps aimed at a job):

    ``"serialization"`` (a JSON value of the wrong type in the body, sent raw),
    ``"invalid"`` (the checker finds a violation), ``"valid"``, or ``"either"``
    (a wrong type that boto3's serializer or the query string may have turned valid).
    """
    if case.kind == "type":
        return "serialization" if raw and case.location == "body" else "either"
    if violations(operation.input_shape, params):
        return "invalid"
    return "valid"


# -- raw HTTP requests from params ---------------------------------------------------------------


def _text(value: Any) -> str:
    """A member's value as text in a URI or query string (as botocore writes it)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def raw_request(service: str, operation: str, params: dict[str, Any]) -> WireRequest:
    """``params`` as the HTTP request a client sends, members where the model puts them."""
    model = service_model(service).operation_model(operation)
    host = HOSTS[service]
    if model.metadata["protocol"] == "json":
        headers = {
            "X-Amz-Target": f"{model.service_model.metadata['targetPrefix']}.{operation}",
            "Content-Type": JSON_11,
        }
        return WireRequest.build("POST", host + "/", headers, json.dumps(_jsonable(params)))
    uri = model.http["requestUri"]
    query: list[tuple[str, str]] = []
    body: dict[str, Any] = {}
    for name, value in params.items():
        member = model.input_shape.members[name]
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location == "uri":
            uri = uri.replace("{" + wire + "}", quote(_text(value), safe=""))
        elif location == "querystring":
            values = value if member.type_name == "list" and isinstance(value, list) else [value]
            query.extend((wire, _text(v)) for v in values)
        else:
            body[name] = _jsonable(value)
    for label in _labels(uri):
        uri = uri.replace("{" + label + "}", "")  # a missing label: an empty path segment
    url = host + uri + ("?" + urlencode(query, quote_via=quote) if query else "")
    headers = {"Content-Type": "application/json"} if body else {}
    return WireRequest.build(model.http["method"], url, headers, json.dumps(body) if body else b"")


def _labels(uri: str) -> list[str]:
    return [part.split("}", 1)[0] for part in uri.split("{")[1:]]


# -- raw malformed pieces -------------------------------------------------------------------------

PERCENT_ODDITIES = st.sampled_from(
    ["%", "%2", "%ZZ", "%00", "%FF", "%C0%AF", "%2F", "%252F", "%E2%80%A8", "%ED%A0%80", "+", "%20"]
)
PATH_TEXT = st.text(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/%", max_size=30)


def fragments(alphabet: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text mixing ``alphabet`` and odd percent-encodings."""
    return st.lists(alphabet | PERCENT_ODDITIES, max_size=6).map("".join)
