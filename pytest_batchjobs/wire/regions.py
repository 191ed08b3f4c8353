"""Regions and their partitions, as botocore's ``partitions.json`` defines them.

One source for the three questions the fake asks of a region: is it a region at all (a
request signed for ``../..`` is refused as AWS refuses it), which partition's ARNs does
it get (``aws``, ``aws-cn``, ``aws-us-gov``, ``aws-iso``, ``aws-eusc``, ...), and so
which suffix its endpoints have. A region a partition lists by name belongs to it
(``us-gov-west-1`` also fits the ``aws`` pattern); any other is matched against each
partition's ``regionRegex``, in the file's order, as botocore's endpoint rules do. The
listed pseudo-regions that fit no pattern (``aws-global``) are no regions here: no job
lives in them.
"""

from __future__ import annotations

import functools
import re

from .models import data_loader


def partition_of(region: str) -> str | None:
    """The partition ``region`` belongs to (``aws``, ``aws-cn``, ...), or ``None`` when
    it has the shape of no partition's regions."""
    return _partition_of(region) if len(region) <= 64 else None


def is_region(region: str) -> bool:
    """Whether ``region`` is a region name of one of botocore's partitions."""
    return partition_of(region) is not None


@functools.lru_cache(maxsize=1024)  # bounded: the server reads regions from requests
def _partition_of(region: str) -> str | None:
    named, patterns = _partitions()
    if region in named:
        return named[region]
    for partition, pattern in patterns:
        if pattern.fullmatch(region):
            return partition
    return None


@functools.cache
def _partitions() -> tuple[dict[str, str], tuple[tuple[str, re.Pattern[str]], ...]]:
    partitions = data_loader().load_data("partitions")["partitions"]
    # ASCII: the patterns' \w and \d mean what they mean to the SDKs.
    patterns = tuple((p["id"], re.compile(p["regionRegex"], re.ASCII)) for p in partitions)
    named = {
        region: p["id"]
        for p in partitions
        for region in p.get("regions", {})
        if any(pattern.fullmatch(region) for _, pattern in patterns)
    }
    return named, patterns
