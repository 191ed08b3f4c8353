"""Bedrock async invocations (bedrock-runtime): the API's handlers.

Choices where AWS documentation is silent (each is tested; the fidelity page has the
evidence):

* GetAsyncInvoke of a well-formed ARN that names no invocation of the caller's
  (account, region) is a ``ValidationException``: the model gives the operation no
  ``ResourceNotFoundException``, only ValidationException, AccessDenied, Throttling
  and InternalServer (unverified against the service).
* A ``clientRequestToken`` reused with the same request returns the same invocation;
  with a different request it is a ``ConflictException`` (modeled for
  StartAsyncInvoke, and AWS's documented idempotency convention).
* A ``modelId`` that is an ARN must be a foundation-model or provisioned-model ARN
  (the pattern of ``modelArn``); anything else is a ``ValidationException`` in the
  wording Bedrock uses for a bad model id. The fake does not know which models exist
  or support async invocation.
* An output location in a bucket that does not exist (moto's S3, when active) is a
  ``ValidationException`` "Invalid Output Config/Credentials" of StartAsyncInvoke:
  the service checks the output location when the invocation starts (recorded by
  its callers; the fidelity page has the evidence), not when it ends.
* ``submitTimeAfter`` / ``submitTimeBefore`` are exclusive bounds; newest first
  unless ``sortOrder=Ascending``; a page holds at most 1000 summaries when
  ``maxResults`` is omitted (the model's maximum).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any

from ....time.lifecycles import to_millis
from ....wire.errors import ServiceError
from ..._kit.backend import KindBackend, handles
from ..._kit.storage import OutputProblem
from ..._kit.store import created_window, next_sequence
from . import factory
from .job import ID_ALPHABET, AsyncInvocation, model_arn
from .outputs import AsyncOutputs

if TYPE_CHECKING:
    from ..._kit.context import CallContext

# The pattern of modelArn (AsyncInvokeArn in botocore's model).
_MODEL_ARN = re.compile(
    r"arn:[a-z0-9\-]+:bedrock:[a-z0-9\-]*:[0-9]*:(provisioned-model|foundation-model)/.+"
)


class AsyncInvokes(KindBackend[AsyncInvocation]):
    """StartAsyncInvoke, GetAsyncInvoke, ListAsyncInvokes."""

    outputs_class = AsyncOutputs
    outputs: AsyncOutputs
    extra_overrides = ("submitTime", "failureMessage")
    quota_error = "ServiceQuotaExceededException"
    quota_message = (
        "You have reached the quota of {limit} concurrent asynchronous invocations "
        "({active} in progress). Wait for an invocation to finish, or request a "
        "quota increase."
    )
    default_page_size = 1000

    # -- handlers ---------------------------------------------------------------------

    @handles("StartAsyncInvoke")
    def start_async_invoke(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        def check() -> None:
            model_id = params["modelId"]
            if model_id.startswith("arn:") and _MODEL_ARN.fullmatch(model_id) is None:
                raise ServiceError(
                    "ValidationException", "The provided model identifier is invalid."
                )
            try:
                self.outputs.storage.check_output(self.outputs.output_location(params))
            except OutputProblem:
                raise ServiceError(
                    "ValidationException", "Invalid Output Config/Credentials"
                ) from None

        arn = self.create_once(
            context,
            params,
            "The clientRequestToken {token} was already used for invocation {arn} "
            "with a different request. Use a new token, or resend the same request.",
            lambda: self.new_job(context, params, context.now),
            check,
        )
        return {"invocationArn": arn}

    @handles("GetAsyncInvoke")
    def get_async_invoke(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        return self.find_arn(context, params["invocationArn"]).shown(context.now, shared=True)

    @handles("ListAsyncInvokes")
    def list_async_invokes(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        now = context.now
        after = params.get("submitTimeAfter")
        before = params.get("submitTimeBefore")
        status = params.get("statusEquals")

        def accept(job: AsyncInvocation) -> bool:
            return (
                (after is None or job.created > after)
                and (before is None or job.created < before)
                and (status is None or job.timeline.status(now) == status)
            )

        filters = {
            "submitTimeAfter": after,
            "submitTimeBefore": before,
            "statusEquals": status,
            "sortBy": params.get("sortBy", "SubmissionTime"),
        }
        descending = params.get("sortOrder", "Descending") == "Descending"
        window = created_window(after, before)
        jobs, token = self.page(
            context, params, filters, accept, descending, window=window, status=status
        )
        return {"asyncInvokeSummaries": [job.shown(now) for job in jobs], "nextToken": token}

    # -- invocations ------------------------------------------------------------------

    def new_job(
        self, context: CallContext, params: dict[str, Any], submitted: _dt.datetime
    ) -> AsyncInvocation:
        """An invocation of ``params`` started at ``submitted`` (cut to the millisecond,
        as sent), answered by the responder now: one that raises fails the invocation."""
        submitted = to_millis(submitted)
        lifecycle = self.lifecycle_for(params["modelId"])
        invocation_id = "".join(self.random.choices(ID_ALPHABET, k=12))
        arn = self.job_arn(context, invocation_id)
        job = AsyncInvocation(
            arn=arn,
            invocation_id=invocation_id,
            model=model_arn(context.partition, context.region, params["modelId"]),
            request=dict(params),
            created=submitted,
            timeline=lifecycle.timeline(submitted),
            lifecycle=lifecycle,
            sequence=next_sequence(),
            tags={tag["key"]: tag["value"] for tag in params.get("tags", ())},
        )
        if lifecycle.outcome == "Completed":
            self.outputs.answer(job)
        return job

    made_jobs = factory.made_jobs  # drawn a column at a time, in factory.py

    def find_arn(self, context: CallContext, arn: str) -> AsyncInvocation:
        """The invocation with ``arn`` in the caller's (account, region), else the
        ValidationException the fake answers for one that does not exist."""
        job = self.state(context.account, context.region).jobs.get(arn)
        if job is None:
            raise ServiceError(
                "ValidationException",
                f"The specified invocation {arn} was not found. Check the invocationArn "
                "(it names one account and Region) and try your request again.",
            )
        return job
