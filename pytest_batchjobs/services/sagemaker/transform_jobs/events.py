"""The ``detail`` of SageMaker's "SageMaker Transform Job State Change" event.

The SageMaker developer guide ("Events that Amazon SageMaker AI sends to Amazon
EventBridge", "Transform job state change") shows the detail as the job's
DescribeTransformJob members (``TransformJobName``, ``TransformJobArn``,
``TransformJobStatus``, ``ModelName``, ``MaxConcurrentTransforms``, ``MaxPayloadInMB``,
``BatchStrategy``, ``Environment``, ``TransformInput``, ``TransformOutput``,
``TransformResources``, ``CreationTime``, ``TransformStartTime``,
``TransformEndTime``) with the job's tags as a map (``Tags``). Its sample writes the
times as ISO 8601 strings; events recorded from the service (AWS's own MLSpace keeps
one in its tests) carry them as epoch milliseconds, as its other state-change events
do, and so does the fake.

``FailureReason`` and ``TransformEndTime`` are in every event, ``null`` until they have
a value: MLSpace's recorded event carries both as ``null`` for an ``InProgress`` job,
and its production handler reads ``detail["FailureReason"]`` of every transform job
event without a default (a handler that would fail on every other event if the key
were ever absent). The developer guide's transform sample, of a completed job, shows
neither; of training jobs it says a ``Failed`` event "contains the FailureReason
field", which the fake's ``Failed`` events do, with the reason.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..._kit.job import StoredJob

_TIMES = ("CreationTime", "TransformStartTime", "TransformEndTime")


def transform_job_detail(job: StoredJob, status: str, at: _dt.datetime) -> dict[str, Any]:
    """The event's ``detail`` for ``job`` entering ``status`` at ``at``."""
    detail = job.shown(at)
    detail["TransformJobStatus"] = status
    for member in _TIMES:
        moment = detail.get(member)
        if isinstance(moment, _dt.datetime):
            detail[member] = round(moment.timestamp() * 1000)
    if status != "Failed":
        detail["FailureReason"] = None
    detail.setdefault("TransformEndTime", None)
    detail["Tags"] = dict(job.tags)
    return detail
