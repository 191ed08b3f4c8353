"""The control API's limits, each documented in docs/reference/control-api.md.

They exist so that no value a client sends can overflow what the fake computes with it
(a ``timedelta``, a ``datetime``, a float) or exhaust the host's memory: such a value is
a ``400`` before anything changes, not a ``500`` later.
"""

from __future__ import annotations

# The bounds both doors share: the Python API checks the same ones.
from ....arguments import EARLIEST, INT64, LATEST, MAX_SECONDS

__all__ = ["EARLIEST", "INT64", "JOB_BYTES", "LATEST", "MAX_JOBS", "MAX_SECONDS"]

MAX_JOBS = 1_000_000
"""Jobs one ``{kind}/jobs`` request may add. A job holds about 2.3 KB in the store,
and rendering the answer (every job, as JSON) takes about 3 KB more per job while it is
sent: a million jobs cost about 2.3 GB kept and 5.5 GB at the peak."""

DEFAULT_JOB_LIMIT = MAX_JOBS
"""Jobs a server keeps at most, all kinds and regions together, unless told otherwise
(``FakeServer(job_limit=...)``, ``batchjobs-fake serve --job-limit``): a factory
request that would store more is refused. As many as one request may add, so one
request at the cap still works, and ten of them no longer exhaust the host."""

JOB_BYTES = "2.3 KB"
"""What one factory job holds, as error messages quote it (measured with tracemalloc
and RSS over 100,000 jobs: 2.1 to 2.4 KiB a Bedrock job, 2.0 to 2.2 KiB a Personalize
one)."""
