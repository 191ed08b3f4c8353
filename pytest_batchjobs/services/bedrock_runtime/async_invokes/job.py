"""A Bedrock async invocation, and how GetAsyncInvoke and ListAsyncInvokes show it."""

from __future__ import annotations

import datetime as _dt
import string
from dataclasses import dataclass
from typing import Any

from ....time.lifecycles import ServiceStatuses
from ..._kit.job import StoredJob

# AsyncInvokeStatus in botocore's model. An invocation is InProgress from the moment it
# is started; AWS's Nova Reel guide gives "about 90 seconds for a 6 second video".
BEDROCK_ASYNC = ServiceStatuses(
    service="Bedrock async invoke",
    running=("InProgress",),
    outcomes=("Completed", "Failed"),
    default_durations={"InProgress": 90.0},
    working="InProgress",
    failed=("Failed",),
)

ID_ALPHABET = string.ascii_lowercase + string.digits  # the 12 characters of an id
DEFAULT_FAILURE = "The model could not process the input. Check the modelInput and try again."


def model_arn(partition: str, region: str, model_id: str) -> str:
    """``modelArn`` as GetAsyncInvoke shows it: a model ARN as given, else the ARN of
    the foundation model ``model_id`` (foundation-model ARNs name no account)."""
    if model_id.startswith("arn:"):
        return model_id
    return f"arn:{partition}:bedrock:{region}::foundation-model/{model_id}"


@dataclass(eq=False, kw_only=True, slots=True)
class AsyncInvocation(StoredJob):
    """One async invocation: what was asked, its timeline and its model's ARN."""

    invocation_id: str
    model: str  # modelArn
    files: dict[str, str] | None = None  # what it writes on completing (outputs.py)

    @property
    def name(self) -> str:
        """Invocations have no name: a lifecycle's ``match`` globs the model id."""
        return str(self.request["modelId"])

    @property
    def output_folder(self) -> str:
        """``<s3Uri>/<invocation id>``: where the invocation writes its files, and the
        ``s3Uri`` GetAsyncInvoke and ListAsyncInvokes report (AWS's samples read
        ``s3Uri + "/output.mp4"``). A given ``s3Uri`` ending in a slash gets no second
        one."""
        given = str(self.request["outputDataConfig"]["s3OutputDataConfig"]["s3Uri"])
        return f"{given.rstrip('/')}/{self.invocation_id}"

    @property
    def output_config(self) -> dict[str, Any]:
        """``outputDataConfig`` as the invocation reports it: as given, with the
        invocation's folder for its ``s3Uri``."""
        given = self.request["outputDataConfig"]
        return {
            **given,
            "s3OutputDataConfig": {**given["s3OutputDataConfig"], "s3Uri": self.output_folder},
        }

    def shown(self, now: _dt.datetime, *, shared: bool = False) -> dict[str, Any]:
        """The invocation as GetAsyncInvoke (and each summary of ListAsyncInvokes)
        shows it at ``now``, without empty members. ``shared=True``: its kept rendering
        (:meth:`kept`), made again when its status or failure changes."""
        timeline = self.timeline
        index = timeline.index(now)
        if shared:
            return self.kept((timeline, index, self.failure), lambda: self.shown(now))
        status, changed = timeline.statuses[index], timeline.at(index)
        shown: dict[str, Any] = {
            "invocationArn": self.arn,
            "modelArn": self.model,
            "status": status,
            "submitTime": self.created,
            "lastModifiedTime": changed,
            "outputDataConfig": self.output_config,
        }
        token = self.request.get("clientRequestToken")
        if token is not None:
            shown["clientRequestToken"] = token
        if status != "InProgress":
            shown["endTime"] = changed
        if status == "Failed":
            shown["failureMessage"] = self.failure or self.lifecycle.message or DEFAULT_FAILURE
        return shown
