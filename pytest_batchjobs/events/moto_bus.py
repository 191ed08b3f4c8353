"""Events onto moto's EventBridge: the default bus of the event's account and Region.

AWS services put their events on the account's default bus, where the account's
rules match them against their event patterns and send them to their targets. moto
keeps the buses, rules and targets the test created (``put_rule``, ``put_targets``)
and matches patterns; its own ``put_events`` would deliver to only some targets
(not SNS topics), drop the event's ``account`` from what an SQS queue receives and
ignore a disabled rule. So the routing is done here, with moto's parts: its rules and
their patterns, its input transformer, and its SQS, SNS and CloudWatch Logs backends.

moto is imported only when an event is delivered while its ``mock_aws`` is active;
its EventBridge needs its ``events`` extra (``pip install "moto[events]"``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

DEFAULT_BUS = "default"
# Targets delivered to, by the service of their ARN (the others are reported).
DELIVERED = ("sqs", "sns", "logs", "events")


def deliver(event: dict[str, Any]) -> list[str]:
    """Send ``event`` to the targets of every enabled rule of its default bus that
    matches it; what could not be delivered, in words (empty when all was). Without
    moto's EventBridge installed there can be no rules: nothing to deliver to."""
    try:
        from moto.events.models import events_backends
    except ImportError:
        return []

    backend = events_backends[event["account"]][event["region"]]
    return _to_bus(event, backend, DEFAULT_BUS, hops=0)


def _to_bus(event: dict[str, Any], backend: Any, bus_name: str, hops: int) -> list[str]:
    bus = backend.event_buses.get(bus_name)
    if bus is None:
        return [f"the event bus {bus_name!r} of {backend.account_id} does not exist in moto"]
    problems: list[str] = []
    for rule in list(bus.rules.values()):
        if rule.state != "ENABLED" or not rule.event_pattern.matches_event(event):
            continue
        for target in list(rule.targets):
            problem = _to_target(event, target, hops)
            if problem:
                problems.extend(f"rule {rule.name!r}: {line}" for line in problem)
    return problems


def _to_target(event: dict[str, Any], target: dict[str, Any], hops: int) -> list[str]:
    """Deliver to one target (``InputTransformer``, ``Input`` and ``InputPath`` shape
    what it receives, as in EventBridge)."""
    from moto.utilities.arns import parse_arn

    arn = parse_arn(target["Arn"])
    service, account, region = arn.service, arn.account, arn.region
    if service == "events" and arn.resource_type == "event-bus":
        if hops >= 1:  # EventBridge forwards an event from one bus to another once
            return []
        from moto.events.models import events_backends

        return _to_bus(event, events_backends[account][region], arn.resource_id, hops + 1)
    if service not in DELIVERED[:3]:
        return [
            f"pytest-batchjobs does not deliver events to the target {target['Arn']} "
            f"(only to SQS queues, SNS topics, CloudWatch Logs groups and other event "
            "buses): hand the events to your code with batchjobs_fake.on_event(handler)"
        ]
    body = json.dumps(_input_of(event, target))
    if service == "sqs":
        return _to_queue(account, region, arn.resource_id, body, target)
    if service == "sns":
        from moto.sns.models import sns_backends

        sns_backends[account][region].get_topic(target["Arn"]).publish(body)
        return []
    from moto.logs.models import logs_backends

    logs = logs_backends[account][region]
    group = arn.resource_id.split(":", 1)[0]
    stream = str(uuid.uuid4())
    logs.create_log_stream(group, stream)
    stamp = int(_dt_of(event).timestamp() * 1000)
    logs.put_log_events(group, stream, [{"timestamp": stamp, "message": body}])
    return []


def _to_queue(account: str, region: str, name: str, body: str, target: dict[str, Any]) -> list[str]:
    from moto.sqs.models import sqs_backends

    sqs = sqs_backends[account][region]
    group = target.get("SqsParameters", {}).get("MessageGroupId")
    if name.endswith(".fifo"):
        dedup = sqs.get_queue_attributes(name, ["ContentBasedDeduplication"])
        if dedup.get("ContentBasedDeduplication") != "true":
            return [
                f"the FIFO queue {name} has no content-based deduplication: EventBridge "
                "cannot send events to it (enable ContentBasedDeduplication)"
            ]
    sqs.send_message(queue_name=name, message_body=body, group_id=group)
    return []


def _input_of(event: dict[str, Any], target: dict[str, Any]) -> Any:
    """What the target receives: the event, or what its input settings make of it."""
    if "Input" in target:
        return json.loads(target["Input"])
    if "InputPath" in target:
        from jsonpath_ng.ext.parser import parse

        found = parse(target["InputPath"]).find(event)
        return found[0].value if found else None
    transformer = target.get("InputTransformer")
    if transformer:
        from moto.events.utils import EventTemplateParser

        stamped: Any = dict(event, **{"ingestion-time": event["time"]})
        return EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=stamped,
        )
    return event


def _dt_of(event: dict[str, Any]) -> Any:
    from ..wire.instants import parse_iso

    return parse_iso(event["time"])
