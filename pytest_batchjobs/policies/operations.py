"""Names as users write them: operations in API or boto3 casing, checked at once, and
the nearest valid names suggested for a misspelt one ("did you mean ...").

:func:`did_you_mean` words the refusal of any name the fake takes (operations, job
kinds, status words, error codes). :func:`nearest` compares names case-insensitively
and ignoring separators, so ``list_model_invocation_job``, ``LISTMODELINVOCATIONJOB``
and ``ListModelInvocationJob`` are all one letter from ``ListModelInvocationJobs``,
and ``CREATE_FAILED`` is ``CREATE FAILED``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable

from ..wire.models import boto3_name

# How close a name must be to be suggested (difflib's ratio), and how far behind the
# nearest one another may be and still be named beside it: a typo names the one name
# it is a typo of, not every name sharing its long common words.
_CUTOFF = 0.6
_MARGIN = 0.05
_MOST = 3
_SEPARATORS = re.compile(r"[\s_\-.]+")


def _folded(name: str) -> str:
    """``name`` without case or separators: how two spellings of a name are compared."""
    return _SEPARATORS.sub("", name).casefold()


def nearest(name: str, choices: Iterable[str]) -> list[str]:
    """The choices nearest ``name`` (at most three, nearest first), or none if no choice
    is near: compared case-insensitively, ignoring spaces, underscores and hyphens."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(_folded(choice), choice)
    wanted = _folded(name)
    close = difflib.get_close_matches(wanted, list(by_folded), n=_MOST, cutoff=_CUTOFF)
    if not close:
        return []
    best = difflib.SequenceMatcher(None, wanted, close[0]).ratio()
    return [
        by_folded[folded]
        for folded in close
        if difflib.SequenceMatcher(None, wanted, folded).ratio() >= best - _MARGIN
    ]


def did_you_mean(
    refused: str,
    name: object,
    choices: Iterable[str],
    valid: str,
    spell: Callable[[str], str] = str,
) -> str:
    """An error message for a name that is none of ``choices``: ``refused`` (what is
    wrong), the choices nearest ``name`` (each written by ``spell``) if any is near,
    then ``valid`` (the valid choices): ``"<refused> (did you mean 'X'?); <valid>"``,
    or ``"<refused>; <valid>"``."""
    found = nearest(name, choices) if isinstance(name, str) else []
    if not found:
        return f"{refused}; {valid}"
    return f"{refused} (did you mean {' or '.join(repr(spell(c)) for c in found)}?); {valid}"


def canonical(
    name: str, valid: Iterable[str], *, what: str = "operation", owner: str | None = None
) -> str:
    """``name`` in API casing, if it names one of ``valid`` (API casing) in either casing.

    Raises ``ValueError`` otherwise, naming the nearest valid names (in the casing
    ``name`` was written in) and every valid one, in both casings. ``owner``: the
    service the names are of, when the caller took one (``bedrock has no operation``).
    """
    choices = sorted(set(valid))
    if name in choices:
        return name
    for choice in choices:
        if boto3_name(choice) == name:
            return choice
    listed = ", ".join(f"{choice} ({boto3_name(choice)})" for choice in choices)
    # Suggest in the user's casing: boto3's for a lower-case name, the API's otherwise.
    spell = boto3_name if isinstance(name, str) and name == name.lower() else str
    if owner is not None:
        refused, valid_ones = f"{owner} has no {what} {name!r}", f"its {what}s: {listed}"
    else:
        article = "an" if what[:1] in "aeiou" else "a"
        refused = f"{name!r} is not {article} {what} pytest-batchjobs fakes"
        valid_ones = f"valid ones: {listed}"
    raise ValueError(did_you_mean(refused, name, choices, valid_ones, spell))
