"""What Personalize's two job kinds (batch inference jobs, batch segment jobs) share.

Both are created, described and listed alike, differ only in member names, and read
and write JSON lines alike, differing only in what a line holds. Each kind's folder
keeps what is its own: its member names, its shown members, its factory's values, its
input check and default answer.
"""

from __future__ import annotations

import abc
import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ...time.lifecycles import ServiceStatuses
from ...wire.errors import ServiceError
from .._kit.backend import Handler, J, handles
from .._kit.job import StoredJob
from .._kit.named import NamedJobs
from .._kit.outputs import JobData, Outputs, folder, json_lines, read_jsonl
from .._kit.tagging import tags_of

if TYPE_CHECKING:
    from .._kit.context import CallContext
    from .._kit.factory import JobFactory

# Personalize sends "CREATE PENDING" and "CREATE IN_PROGRESS", not the "PENDING" and
# "IN PROGRESS" of its API reference: recorded describe_batch_inference_job polling
# output in aws-samples/amazon-personalize-samples, and AWS's Solution
# "maintaining-personalized-experiences-with-machine-learning", which waits on exactly
# these strings (docs/fidelity.md has the quotes).
PERSONALIZE = ServiceStatuses(
    service="Personalize",
    running=("CREATE PENDING", "CREATE IN_PROGRESS"),
    outcomes=("ACTIVE", "CREATE FAILED"),
    default_durations={"CREATE PENDING": 60.0, "CREATE IN_PROGRESS": 1800.0},
    working="CREATE IN_PROGRESS",
    failed=("CREATE FAILED",),
    documented_only={"PENDING": "CREATE PENDING", "IN PROGRESS": "CREATE IN_PROGRESS"},
)

# Reported when the request leaves numResults out, by either kind (AWS documents no
# default: a choice the kinds' handlers list).
DEFAULT_NUM_RESULTS = 25


# -- the job ------------------------------------------------------------------------------


@dataclass(eq=False, kw_only=True, slots=True)
class PersonalizeBatchJob(StoredJob):
    """One batch job of either kind: what was asked, and its timeline. A kind names its
    ARN's member, the request members its list shows (``listed``) and its describe
    call adds (``described``), those members' defaults, and its failure reason."""

    arn_member: ClassVar[str]
    listed: ClassVar[tuple[str, ...]]
    described: ClassVar[tuple[str, ...]]
    defaults: ClassVar[Mapping[str, Any]] = {"numResults": DEFAULT_NUM_RESULTS}
    default_failure: ClassVar[str]

    def summary(self, now: _dt.datetime) -> dict[str, Any]:
        """The job as the kind's list call summarises it at ``now``."""
        status = self.timeline.status(now)
        summary: dict[str, Any] = {
            self.arn_member: self.arn,
            "jobName": self.name,
            "status": status,
            "creationDateTime": self.created,
            "lastUpdatedDateTime": self.timeline.changed_at(now),
            **self._members(self.listed),
        }
        if status == "CREATE FAILED":
            summary["failureReason"] = (
                self.failure or self.lifecycle.message or self.default_failure
            )
        return summary

    def shown(self, now: _dt.datetime, *, shared: bool = False) -> dict[str, Any]:
        """The job as the kind's describe call shows it at ``now``, without empty
        members. ``shared=True``: its kept rendering (:meth:`kept`), made again when its
        status or failure changes."""
        if shared:
            made_of = (self.timeline, self.timeline.index(now), self.failure)
            return self.kept(made_of, lambda: self.shown(now))
        described = {**self.summary(now), **self._members(self.described)}
        return {key: value for key, value in described.items() if value is not None}

    def _members(self, names: Sequence[str]) -> dict[str, Any]:
        """The request's ``names``, each as sent, else its default (else None)."""
        request, defaults = self.request, self.defaults
        return {name: request.get(name, defaults.get(name)) for name in names}


# -- what a job writes --------------------------------------------------------------------


class PersonalizeOutputs(Outputs, abc.ABC):
    """Reads, answers and writes a kind's input lines: ``<output path><input file
    name>.out``, one JSON line per input line. A kind checks its lines (``checked``),
    says how a line's answer starts (``echoed``), and answers it by default
    (``default_output``) or from the responder's answer (``answered``)."""

    output_member = ("jobOutput", "s3DataDestination", "path")

    def on_transition(self, job: PersonalizeBatchJob, new: str) -> bool:
        if new == "CREATE IN_PROGRESS":
            return self.read_input(job, self._records, "CREATE FAILED", ("ACTIVE",))
        if new in ("ACTIVE", "CREATE FAILED") and job.data is not None:
            if new == "ACTIVE":
                base = folder(job.request["jobOutput"]["s3DataDestination"]["path"])
                for name, lines in job.data.files:
                    self.storage.write(job.arn, f"{base}{name}.out", json_lines(lines))
                self.storage.settle(job.arn)
            job.data = None  # it ended: nothing reads its lines again
        return False

    def _records(self, job: PersonalizeBatchJob) -> JobData:
        """Read, check and answer a job's input lines."""
        path = job.request["jobInput"]["s3DataSource"]["path"]
        if self.storage.has_s3:
            files = [
                (name, read_jsonl(text, name, self.checked))
                for name, text in self.storage.read_inputs(path)
            ]
        else:
            files = [(path.rsplit("/", 1)[-1] or "input.json", self.placeholders())]
        count = self.count(job)
        responder = self.responder
        data = JobData()
        for name, records in files:
            lines = []
            for record in records:
                line = self.echoed(record)
                try:
                    if responder is None:
                        line["output"] = self.default_output(record, count)
                    else:
                        line["output"] = self.answered(responder(dict(record)), count)
                except Exception as error:
                    line["error"] = str(error)
                data.count("error" in line)
                lines.append(line)
            data.files.append((name, lines))
        return data

    def count(self, job: PersonalizeBatchJob) -> int:
        """How many results each line's answer holds."""
        return int(job.request.get("numResults", DEFAULT_NUM_RESULTS))

    @abc.abstractmethod
    def placeholders(self) -> list[dict[str, Any]]:
        """The input lines a job answers when there is no S3 to read them from."""

    @abc.abstractmethod
    def checked(self, value: Any, name: str, number: int) -> dict[str, Any]:
        """Input line ``number`` of file ``name``, else an ``InputProblem``."""

    @abc.abstractmethod
    def echoed(self, record: dict[str, Any]) -> dict[str, Any]:
        """The start of a line's answer: its input, where AWS puts it."""

    @abc.abstractmethod
    def default_output(self, record: dict[str, Any], count: int) -> dict[str, Any]:
        """The answer to a line when no responder is set."""

    @abc.abstractmethod
    def answered(self, answer: Any, count: int) -> dict[str, Any]:
        """The responder's ``answer`` to a line, as the line's output."""


# -- the factory's jobs -------------------------------------------------------------------


@dataclass(frozen=True)
class FactoryStyle:
    """What a kind's factory jobs are drawn from: their names' and buckets' prefix, the
    failure reasons, the recipes (each with the input file it reads) and the
    ``numResults`` values."""

    prefix: str
    failures: Sequence[str]
    recipes: Sequence[tuple[str, str]]
    results: Sequence[int]


def made_jobs(
    backend: NamedJobs[J],
    style: FactoryStyle,
    factory: JobFactory,
    context: CallContext,
    wanted: list[str],
    overrides: dict[str, Any],
) -> list[J]:
    """Factory jobs, one in each status of ``wanted``; ``overrides`` (API casing) hold
    the same value for every job."""
    count = len(wanted)
    account, region = context.account, context.region
    prefix = style.prefix
    names = factory.each(overrides.pop("jobName", None), count, lambda n: factory.names(prefix, n))
    reason = overrides.pop("failureReason", None)
    failures = factory.picks(style.failures, count)
    created = overrides.pop("creationDateTime", None)
    recipes = factory.picks(style.recipes, count)
    stems = factory.picks(factory.stems, count)
    versions = factory.integers(0, 2**32 - 1, count)
    results = factory.picks(style.results, count)
    inputs = factory.buckets(f"{prefix}-input", count)
    outputs = factory.buckets(f"{prefix}-output", count)
    keys = factory.kms_keys(region, account, 0.2, count)
    roles = factory.roles(account, count)
    tags = tags_of(backend.service, overrides)
    solutions = f"arn:{context.partition}:personalize:{region}:{account}:solution"
    jobs = []
    for index, status in enumerate(wanted):
        name = names[index]
        placed = factory.place(
            backend.lifecycle_for(name, explored=False),
            status,
            context.now,
            submitted=created,
            timeout=None,
            message=reason,
            failure=failures[index],
        )
        day = factory.day(placed.submitted)
        recipe, input_file = recipes[index]
        source: dict[str, Any] = {"path": f"s3://{inputs[index]}/{day}/{input_file}"}
        if keys[index] is not None:
            source["kmsKeyArn"] = keys[index]
        params: dict[str, Any] = {
            "jobName": name,
            "solutionVersionArn": f"{solutions}/{stems[index]}-{recipe}/{versions[index]:08x}",
            "numResults": results[index],
            "jobInput": {"s3DataSource": source},
            "jobOutput": {"s3DataDestination": {"path": f"s3://{outputs[index]}/{day}/{name}/"}},
            "roleArn": roles[index],
            **overrides,
        }
        jobs.append(backend.factory_job(backend.job_arn(context, name), params, placed, tags))
    return jobs


P = TypeVar("P", bound=PersonalizeBatchJob)


# -- the API ------------------------------------------------------------------------------


class PersonalizeJobs(NamedJobs[P]):
    """Create, Describe and List of a kind whose responses name its jobs ``job_member``
    (one) and ``list_member`` (a page), and its factory's jobs as ``factory_style``
    draws them. A kind marks its handlers with :func:`operation`."""

    name_member = "jobName"
    extra_overrides = ("creationDateTime", "failureReason")
    quota_error = "LimitExceededException"
    default_page_size = 100
    job_member: ClassVar[str]
    list_member: ClassVar[str]
    factory_style: ClassVar[FactoryStyle]

    def create_job(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        """A new job; its name is unique per (account, region) among the kind's jobs."""
        state = self.state(context.account, context.region)
        arn = self.job_arn(context, params["jobName"])
        if state.jobs.get(arn) is not None:
            raise ServiceError(
                "ResourceAlreadyExistsException",
                f"Another resource with Arn {arn} already exists.",
            )
        self.check_quota(context)
        job = self.new_job(arn, params, context.now)
        self.created(state, job, context.now)
        return {self.kind.arn_member: arn}

    def describe_job(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        job = self.find_arn(context, params[self.kind.arn_member])
        return {self.job_member: job.shown(context.now, shared=True)}

    def list_jobs(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        """A page of the kind's jobs, of one solution version if the call names one."""
        solution = params.get("solutionVersionArn")

        def accept(job: P) -> bool:
            return solution is None or job.request["solutionVersionArn"] == solution

        jobs, token = self.page(context, params, {"solutionVersionArn": solution}, accept)
        now = context.now
        return {self.list_member: [job.summary(now) for job in jobs], "nextToken": token}

    def made_jobs(
        self,
        factory: JobFactory,
        context: CallContext,
        wanted: list[str],
        overrides: dict[str, Any],
    ) -> list[P]:
        return made_jobs(self, self.factory_style, factory, context, wanted, overrides)

    def find_arn(self, context: CallContext, arn: str) -> P:
        """The kind's job with ``arn`` in the caller's (account, region)."""
        job = self.state(context.account, context.region).jobs.get(arn)
        if job is None:
            raise ServiceError(
                "ResourceNotFoundException", f"Could not find resource with arn {arn}."
            )
        return job


def operation(name: str, implementation: Handler) -> Handler:
    """``implementation`` as a kind's handler of the operation ``name``: a function of
    the kind's own, since :func:`handles` marks the very function it is given."""

    def handler(self: Any, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        return implementation(self, context, params)

    handler.__doc__ = implementation.__doc__
    return handles(name)(handler)
