"""What the plugin keeps in pytest's stashes, shared by the plugin and the fixtures."""

from __future__ import annotations

import pytest

SEED = pytest.StashKey[int]()  # config: the session's seed
HORIZON_SHOWN = pytest.StashKey[bool]()  # item: the test failed on the horizon guard
# config: per job kind, the statuses this session's clients received (first seen
# first), kept only with --batchjobs-status-report
STATUSES_RECEIVED = pytest.StashKey[dict[str, dict[str, None]]]()
