"""Operation names as users write them: API casing or boto3 casing, checked at once."""

from __future__ import annotations

from collections.abc import Iterable

from ..wire.models import boto3_name


def canonical(name: str, valid: Iterable[str], *, what: str = "operation") -> str:
    """``name`` in API casing, if it names one of ``valid`` (API casing) in either casing.

    Raises ``ValueError`` naming the valid choices, in both casings, otherwise.
    """
    choices = sorted(set(valid))
    if name in choices:
        return name
    for choice in choices:
        if boto3_name(choice) == name:
            return choice
    listed = ", ".join(f"{choice} ({boto3_name(choice)})" for choice in choices)
    article = "an" if what[:1] in "aeiou" else "a"
    raise ValueError(
        f"{name!r} is not {article} {what} pytest-batchjobs fakes; valid ones: {listed}"
    )
