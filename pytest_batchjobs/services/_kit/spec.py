"""What a service and each of its job kinds declare: the entries of the registry.

A service folder (``services/bedrock/``) declares one :class:`Service`; each job kind in
it (``services/bedrock/invocation_jobs/``) declares one :class:`JobKind`. The registry
(:mod:`pytest_batchjobs.core.registry`) lists the services; everything else, from the
hosts the transports recognise to the fake's attributes, is read from these entries.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...time.lifecycles import ServiceStatuses
    from ...wire.errors import CommonError
    from .job import StoredJob


@dataclass(frozen=True)
class TagStyle:
    """How a service's tag operations name things: the operations themselves, the member
    holding the resource's ARN, the tags' and tag keys' members, a tag's key and value,
    whether its ``TooManyTagsException`` carries ``resourceName``, and whether the tag
    operation answers with the tags it added (SageMaker's ``AddTags`` does)."""

    arn_member: str
    key: str
    value: str
    names_resource: bool = False
    tag: str = "TagResource"
    untag: str = "UntagResource"
    list: str = "ListTagsForResource"
    tags_member: str = "tags"
    keys_member: str = "tagKeys"
    echoes_tags: bool = False

    @property
    def operations(self) -> tuple[str, str, str]:
        return (self.tag, self.untag, self.list)


@dataclass(frozen=True)
class StateEvents:
    """The EventBridge event a service sends for each status change of a kind's jobs.

    ``source`` and ``detail_type`` are the envelope's (``aws.bedrock``, ``Batch
    Inference Job State Change``); ``detail(job, status, at)`` builds the event's
    ``detail`` for ``job`` entering ``status`` at ``at``, member for member as the
    service's documentation shows it. ``status_member`` and ``name_member`` are where
    that detail holds the status and the job's name (what ``assert_event`` matches and
    its failure message lists). The envelope and the delivery are the kit's
    (:mod:`pytest_batchjobs.events`): a kind declares only this.
    """

    source: str
    detail_type: str
    detail: Callable[[StoredJob, str, _dt.datetime], dict[str, Any]]
    status_member: str = "status"
    name_member: str = "jobName"


@dataclass(frozen=True)
class JobKind:
    """One kind of job a service runs: its own operations, statuses and ARN.

    ``name`` is the fake's attribute for it (``batchjobs_fake.<name>``) and its segment
    in the control API's paths. ``arn`` is its ARN template, with ``{partition}``,
    ``{region}``, ``{account}`` and ``{id}``; its resource type (what follows the fifth
    colon, up to the slash) is how a tag operation finds the kind a job belongs to;
    ``arn_member`` is the member holding it in a job as get / describe shows it.
    ``statuses`` are its statuses in its service's words (running, outcomes, failed,
    stopping and stopped, its timeout: :class:`~..time.lifecycles.ServiceStatuses`).
    ``create`` is the operation that creates a job (the factory's overrides are its
    members), ``listing`` the one that lists them. ``message_member`` is where a
    lifecycle's message shows in a job. ``backend`` is its class of handlers (its
    operations are the ones it handles), ``controls`` the class of its façade, and
    ``extra_controls`` the façade's methods beyond every kind's that the control API
    serves (``{name}/<control>``). ``events`` is the EventBridge event its service
    sends on each status change, if it sends one.
    """

    name: str
    service: str
    arn: str
    arn_member: str
    statuses: ServiceStatuses
    create: str
    listing: str
    message_member: str
    backend: Any
    controls: Any
    extra_controls: tuple[str, ...] = ()
    events: StateEvents | None = None

    @property
    def resource(self) -> str:
        """The ARN's resource type: ``model-invocation-job``."""
        return self.arn.split(":", 5)[5].split("/", 1)[0]

    @property
    def operations(self) -> tuple[str, ...]:
        """The kind's own operations (tag operations are the service's), sorted."""
        return tuple(sorted(self.backend.handlers))

    def arn_of(self, partition: str, region: str, account: str, ident: str) -> str:
        """The ARN of the job ``ident`` (its id or its name) in (account, region)."""
        return self.arn.format(partition=partition, region=region, account=account, id=ident)


@dataclass(frozen=True)
class Service:
    """One faked service: its botocore model, its hosts, its errors and its job kinds.

    ``name`` is botocore's service name (its model, ``boto3.client(name)``, the
    journal's ``service``); ``endpoint_prefix`` is the first labels of its hosts
    (``bedrock``.us-east-1.amazonaws.com), from which :mod:`..wire.endpoints` derives
    them. ``validation_error`` answers input that breaks the model's constraints;
    ``token_error`` and ``token_message`` a ``nextToken`` that cannot continue.
    """

    name: str
    endpoint_prefix: str
    validation_error: str
    token_error: str
    token_message: str
    common_errors: Mapping[str, CommonError]
    tags: TagStyle | None  # None: the service tags no jobs
    kinds: tuple[JobKind, ...]

    def owner_of(self, arn: str) -> JobKind | None:
        """The job kind whose jobs have ARNs like ``arn``, if any of this service's."""
        for kind in self.kinds:
            if f":{kind.resource}/" in arn:
                return kind
        return None
