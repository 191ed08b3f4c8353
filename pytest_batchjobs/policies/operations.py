"""Operations as users write them, in API or boto3 casing, checked at once, and the
nearest valid names suggested for a misspelt one (``arguments.did_you_mean``)."""

from __future__ import annotations

from collections.abc import Iterable

from ..arguments import did_you_mean
from ..wire.models import boto3_name


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
