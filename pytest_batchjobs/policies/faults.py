"""Injected failures: errors, throttling, chaos and broken connections.

Faults are answered inside the request path, after the request is routed and its
params read, so the client's real retry handler sees them exactly as it sees AWS's:
an error in the service's wire format and HTTP status, or, for transport faults, the
exception botocore raises when a connection is reset or a read times out.

Rules are small policies tried in the order they were added; the first that fires
answers the call, and the journal records which rule it was (``Call.fault``). The
request path asks :class:`FaultRules`; tests configure them through :class:`Faults`.
"""

from __future__ import annotations

import abc
import datetime as _dt
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .. import arguments
from ..arguments import did_you_mean
from ..documented import Documented
from ..errors import docs_link
from ..wire.errors import ServiceError
from ..wire.models import boto3_name, service_model
from .operations import canonical

if TYPE_CHECKING:
    from ..wire.errors import CommonError

DOCS = docs_link("throttling-and-retries")

TRANSPORT_FAULTS = ("connection_reset", "read_timeout", "bad_gateway")
BAD_GATEWAY_BODY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


class TransportFault(Exception):
    """Not an answer but a broken connection (``kind`` is one of
    :data:`TRANSPORT_FAULTS`): each transport breaks it its own way."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


Fault = ServiceError | TransportFault
"""What a rule answers a call with: the service's error, or a broken connection."""


Matcher = Callable[[dict[str, Any]], bool]
R = TypeVar("R", bound="FaultRule")
C = TypeVar("C", bound="CountedRule")


@dataclass
class FaultRule(Documented, abc.ABC):
    """A fault rule, as ``faults.fail()``, ``throttle()``, ``chaos()`` and
    ``transport()`` return it and ``faults.rules`` lists it: what it is
    (``description``) and how many calls it answered (``fired``).

    For the fake, one fault policy: ``fire`` returns the error to answer with, or
    ``None``. ``common`` holds each service's common errors (their HTTP statuses and
    default messages), which an injected error is given when the model does not say
    them.
    """

    _documented = ("description", "fired")

    services: frozenset[str]
    operations: frozenset[str] | None
    when: Matcher | None = None
    fired: int = 0
    """How many calls the rule answered so far."""
    description: str = ""
    """The call that made it, as ``Call.fault`` and ``assert_all_fired`` name it:
    ``faults.fail('GetModelInvocationJob', error='ThrottlingException', times=3)``."""
    common: Mapping[str, Mapping[str, CommonError]] = field(default_factory=dict)

    def error(self, service: str, code: str, message: str | None = None) -> ServiceError:
        """``code`` as ``service`` answers it: the common error's status and message."""
        known = self.common.get(service, {}).get(code)
        return ServiceError(
            code,
            message or (known.message if known else f"{code} (injected)"),
            status=known.status if known else None,
        )

    def applies(self, service: str, operation: str, params: dict[str, Any]) -> bool:
        """Whether the call is one this rule is about."""
        return (
            service in self.services
            and (self.operations is None or operation in self.operations)
            and (self.when is None or self.when(params))
        )

    @abc.abstractmethod
    def fire(self, service: str, operation: str, now: _dt.datetime) -> Fault | None:
        """The fault for this call, or ``None`` to let it through."""


@dataclass
class CountedRule(FaultRule):
    """A rule for the next ``times`` matching calls (``None``: every one of them)."""

    times: int | None = 1

    def fire(self, service: str, operation: str, now: _dt.datetime) -> Fault | None:
        if self.times is not None and self.fired >= self.times:
            return None
        self.fired += 1
        return self.fault(service)

    @abc.abstractmethod
    def fault(self, service: str) -> Fault:
        """What answers a call this rule fires for."""


@dataclass
class FailRule(CountedRule):
    """``faults.fail(...)``: the next ``times`` matching calls get ``error``."""

    code: str = "ThrottlingException"
    message: str | None = None

    def fault(self, service: str) -> Fault:
        return self.error(service, self.code, self.message)


@dataclass
class TransportRule(CountedRule):
    """``faults.transport(...)``: the next ``times`` matching calls break the connection."""

    kind: str = "connection_reset"

    def fault(self, service: str) -> Fault:
        return TransportFault(self.kind)


@dataclass
class ThrottleRule(FaultRule):
    """``faults.throttle(...)``: a token bucket measured on the fake clock."""

    per_second: float = 1.0
    burst: int = 1
    tokens: float = 0.0
    last: _dt.datetime | None = None

    def fire(self, service: str, operation: str, now: _dt.datetime) -> Fault | None:
        if self.last is None:
            self.tokens = float(self.burst)
        else:
            elapsed = max((now - self.last).total_seconds(), 0.0)
            self.tokens = min(float(self.burst), self.tokens + elapsed * self.per_second)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        self.fired += 1
        return self.error(service, "ThrottlingException")


@dataclass
class ChaosRule(FaultRule):
    """``faults.chaos(...)``: each call fails with probability ``rate``, seeded."""

    rate: float = 0.1
    errors: tuple[str, ...] = ()
    rng: random.Random = field(default_factory=random.Random)
    valid: Callable[[str, str], list[str]] = lambda service, operation: []

    def fire(self, service: str, operation: str, now: _dt.datetime) -> Fault | None:
        roll = self.rng.random()
        choices = [e for e in self.errors if e in self.valid(service, operation)]
        if roll >= self.rate or not choices:
            return None
        self.fired += 1
        return self.error(service, self.rng.choice(choices))


class FaultRules:
    """The rules in force, in the order they are tried: what the request path asks."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()

    def add(self, rule: R) -> R:
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def check(
        self, service: str, operation: str, params: dict[str, Any], now: _dt.datetime
    ) -> tuple[Fault, FaultRule] | None:
        """The fault answering this call, and its rule, if any rule fires."""
        if not self._rules:
            return None
        with self._lock:
            for rule in self._rules:
                if rule.applies(service, operation, params):
                    fault = rule.fire(service, operation, now)
                    if fault is not None:
                        return fault, rule
        return None


class Faults(arguments.Settings):
    """``batchjobs_fake.faults``: inject errors, throttling, chaos and broken connections.

    Every argument is checked at the call, by the rules the control API's ``faults/...``
    endpoints apply too: a wrong type is a ``TypeError``, a wrong value a ``ValueError``.
    """

    def __init__(
        self,
        rules: FaultRules,
        faked: Mapping[str, Iterable[str]],
        common: Mapping[str, Mapping[str, CommonError]],
    ) -> None:
        self._rules = rules
        self._faked = {service: sorted(ops) for service, ops in faked.items()}
        self._common = common

    # -- configuration ----------------------------------------------------------------

    def fail(
        self,
        operation: str,
        error: str = "ThrottlingException",
        times: int | None = 1,
        message: str | None = None,
        when: Mapping[str, Any] | Matcher | None = None,
        *,
        service: str | None = None,
    ) -> FailRule:
        """The next ``times`` calls of ``operation`` (``None``: every call) answer ``error``.

        ``when`` limits the rule to calls whose params include a dict's items, or for
        which a callable returns true. ``error`` must be one the operation can return
        (its modeled errors, or a service-wide one such as throttling).
        """
        services, name = self._target(operation, service)
        arguments.text("faults.fail() error", error)
        arguments.text("faults.fail() message", message, nullable=True)
        for each in services:
            valid = self.valid_errors(each, name)
            if error not in valid:
                refused = f"{each} {name} cannot return {error!r}"
                raise ValueError(
                    did_you_mean(refused, error, valid, f"choose one of: {', '.join(valid)}")
                )
        description = f"faults.fail({name!r}, error={error!r}, times={times})"
        return self._add_counted(
            FailRule(
                frozenset(services),
                frozenset({name}),
                common=self._common,
                code=error,
                message=message,
            ),
            times,
            self._when("faults.fail()", when, services, name),
            description,
        )

    def throttle(
        self, operation: str, per_second: float, burst: int = 1, *, service: str | None = None
    ) -> ThrottleRule:
        """Throttle ``operation`` with a token bucket: ``burst`` calls at once, refilled
        at ``per_second`` calls a second of fake time; ThrottlingException when empty."""
        services, name = self._target(operation, service)
        if not (
            _finite_number(per_second)
            and per_second > 0
            and arguments.is_integer(burst)
            and 1 <= burst <= arguments.INT64
        ):
            raise ValueError(
                "throttle needs a finite per_second > 0 and an integer burst >= 1 (at most "
                f"{arguments.INT64}), "
                f"got per_second={per_second!r}, burst={burst!r}"
            )
        rule = ThrottleRule(
            frozenset(services),
            frozenset({name}),
            per_second=per_second,
            burst=burst,
            common=self._common,
            description=f"faults.throttle({name!r}, per_second={per_second}, burst={burst})",
        )
        return self._add(rule)

    def chaos(
        self,
        rate: float,
        errors: Iterable[str] | None = None,
        seed: int = 0,
    ) -> ChaosRule:
        """Fail any faked call with probability ``rate``, with one of ``errors`` that the
        operation can return (by default, the services' transient common errors:
        throttling, internal errors, unavailability); reproducible for the same ``seed``
        and calls."""
        if not (_finite_number(rate) and 0 < rate <= 1):
            raise ValueError(f"chaos rate must be a number in (0, 1], got {rate!r}")
        arguments.integer("faults.chaos() seed", seed, minimum=-arguments.INT64 - 1)
        if isinstance(errors, str) or not (errors is None or isinstance(errors, Iterable)):
            arguments.wrong_type(
                "faults.chaos() errors",
                "a list of error codes, or None (the transient ones)",
                errors,
            )
        if errors is None:
            transient = (
                code for each in self._common.values() for code, e in each.items() if e.transient
            )
            errors = dict.fromkeys(transient)
        chosen = tuple(errors)
        for code in chosen:
            arguments.text("faults.chaos() errors (each)", code)
        known = {e for s, ops in self._faked.items() for o in ops for e in self.valid_errors(s, o)}
        unknown = sorted(set(chosen) - known)
        if unknown:
            refused = f"chaos errors {', '.join(unknown)} are returned by no faked operation"
            raise ValueError(
                did_you_mean(
                    refused, unknown[0], sorted(known), f"choose among: {', '.join(sorted(known))}"
                )
            )
        rule = ChaosRule(
            frozenset(self._faked),
            None,
            rate=rate,
            errors=chosen,
            rng=random.Random(seed),
            valid=self.valid_errors,
            common=self._common,
            description=f"faults.chaos(rate={rate}, seed={seed})",
        )
        return self._add(rule)

    def transport(
        self,
        operation: str,
        kind: str = "connection_reset",
        times: int | None = 1,
        when: Mapping[str, Any] | Matcher | None = None,
        *,
        service: str | None = None,
    ) -> TransportRule:
        """Break the next ``times`` calls' connections: ``connection_reset``,
        ``read_timeout``, or ``bad_gateway`` (a 502 with an HTML body, as a load
        balancer sends)."""
        services, name = self._target(operation, service)
        arguments.text("faults.transport() kind", kind)
        if kind not in TRANSPORT_FAULTS:
            raise ValueError(
                did_you_mean(
                    f"unknown transport fault {kind!r}",
                    kind,
                    TRANSPORT_FAULTS,
                    f"choose one of: {', '.join(TRANSPORT_FAULTS)}",
                )
            )
        description = f"faults.transport({name!r}, kind={kind!r}, times={times})"
        return self._add_counted(
            TransportRule(frozenset(services), frozenset({name}), common=self._common, kind=kind),
            times,
            self._when("faults.transport()", when, services, name),
            description,
        )

    def clear(self) -> None:
        """Remove every fault."""
        self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """The active rules, in the order they are tried."""
        return self._rules.rules

    def assert_all_fired(self) -> None:
        """Assert that every rule answered at least one call.

        A rule that never fired usually means the client never made the call the test
        expected to fault (a wrong operation name, a ``when`` that matches nothing, or
        an earlier rule that answered first), so the test proved less than it seems.
        """
        __tracebackhide__ = True
        idle = [rule for rule in self.rules if rule.fired == 0]
        if not idle:
            return
        listed = "\n".join(f"  {rule.description}" for rule in idle)
        raise AssertionError(
            f"{len(idle)} of {len(self.rules)} fault rule(s) never fired:\n{listed}\n"
            "No call matched them: check the operation name and the rule's when=, or an "
            "earlier rule that answered those calls first; remove a rule the test does "
            f"not need. See {DOCS}"
        )

    def valid_errors(self, service: str, operation: str) -> list[str]:
        """Errors ``operation`` can return: its modeled ones and the service-wide ones."""
        if not isinstance(service, str) or service not in self._faked:
            raise ValueError(
                did_you_mean(
                    f"valid_errors(): {service!r} is not a faked service",
                    service,
                    self._faked,
                    f"the services are {', '.join(self._faked)}",
                )
            )
        operation = canonical(operation, self._faked[service], owner=service)
        model = service_model(service).operation_model(operation)
        modeled = [shape.name for shape in model.error_shapes]
        return sorted({*modeled, *self._common[service]})

    # -- helpers ----------------------------------------------------------------------

    def _add(self, rule: R) -> R:
        return self._rules.add(rule)

    def _add_counted(
        self,
        rule: C,
        times: int | None,
        when: Mapping[str, Any] | Matcher | None,
        description: str,
    ) -> C:
        """Add a rule for the next ``times`` calls that ``when`` matches."""
        if times is not None and not (
            arguments.is_integer(times) and 1 <= times <= arguments.INT64
        ):
            raise ValueError(
                f"times must be a positive integer or None (every call), got {times!r}"
            )
        rule.times, rule.when, rule.description = times, _matcher(when), description
        return self._add(rule)

    def _when(
        self,
        where: str,
        when: Mapping[str, Any] | Matcher | None,
        services: list[str],
        operation: str,
    ) -> Mapping[str, Any] | Matcher | None:
        """``when``: a callable, or a dict whose keys are members of the operation's
        request (a misspelt one would make a rule that never fires), or ``None``."""
        if when is None or callable(when):
            return when
        expected = "a dict of request members and values, a callable, or None"
        if not isinstance(when, Mapping) or not all(isinstance(key, str) for key in when):
            arguments.wrong_type(f"{where} when", expected, when)
        members = sorted(
            {
                member
                for each in services
                for member in service_model(each).operation_model(operation).input_shape.members
            }
        )
        unknown = sorted(set(when) - set(members))
        if members and unknown:
            refused = (
                f"{where} when: key {unknown[0]!r} is not a member of {operation}'s request, "
                "so the rule would never fire"
            )
            raise ValueError(
                did_you_mean(refused, unknown[0], members, f"its members: {', '.join(members)}")
            )
        return when

    def _target(self, operation: str, service: str | None) -> tuple[list[str], str]:
        arguments.text("the operation", operation)
        arguments.text("service", service, nullable=True)
        if service is not None and service not in self._faked:
            raise ValueError(
                did_you_mean(
                    f"{service!r} is not a faked service",
                    service,
                    self._faked,
                    f"the services are {', '.join(self._faked)}",
                )
            )
        everything = sorted({op for ops in self._faked.values() for op in ops})
        if service is not None and operation not in {*everything, *map(boto3_name, everything)}:
            # No operation of any service: suggest among the named service's operations.
            canonical(operation, self._faked[service], owner=service)
        name = canonical(operation, everything)
        services = [s for s, ops in self._faked.items() if name in ops]
        if service is not None:
            if service not in services:
                raise ValueError(
                    f"{service!r} does not have {name}; it is an operation of {', '.join(services)}"
                )
            services = [service]
        return services, name


def _finite_number(value: object) -> bool:
    """A real number (not a bool, not NaN or an infinity): what rates and speeds must be."""
    return arguments.is_number(value) and arguments.is_finite(value)  # type: ignore[arg-type]


def _matcher(when: Mapping[str, Any] | Matcher | None) -> Matcher | None:
    if when is None or callable(when):
        return when
    expected = dict(when)
    return lambda params: all(params.get(k) == v for k, v in expected.items())
