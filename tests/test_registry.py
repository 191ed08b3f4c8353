"""The registry is the only list of services and job kinds: what the fake, the hosts
and the control API show is read from it."""

from __future__ import annotations

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.core.registry import KINDS, SERVICES, control_routes
from pytest_batchjobs.services._kit.controls import JobControls
from pytest_batchjobs.wire.endpoints import endpoint_of_host


def test_the_fake_has_the_controls_of_each_kind_and_declares_their_types() -> None:
    fake = BatchJobsFake()
    # Annotations are strings (from __future__ import annotations): compare class names.
    declared = {
        name: hint
        for name, hint in BatchJobsFake.__annotations__.items()
        if isinstance(getattr(fake, name, None), JobControls)
    }
    assert declared == {kind.name: kind.controls.__name__ for kind in KINDS}
    for kind in KINDS:
        controls = getattr(fake, kind.name)
        assert type(controls) is kind.controls
        assert controls.kind is kind


def test_each_kind_belongs_to_its_service_and_owns_its_arns() -> None:
    for service in SERVICES:
        for kind in service.kinds:
            assert kind.service == service.name
            arn = kind.arn_of("aws", "us-east-1", "123456789012", "x")
            assert service.owner_of(arn) is kind
            assert kind.operations  # it handles something
            assert kind.create in kind.operations
            assert kind.listing in kind.operations


def test_every_faked_operation_is_answered_by_exactly_one_owner() -> None:
    fake = BatchJobsFake()
    for service in SERVICES:
        own = [op for kind in service.kinds for op in kind.operations]
        tags = list(service.tags.operations) if service.tags else []
        assert sorted(own + tags) == fake.faked_operations(service.name)


def test_hosts_come_from_each_services_endpoint_prefix() -> None:
    for service in SERVICES:
        found = endpoint_of_host(f"{service.endpoint_prefix}.eu-west-1.amazonaws.com")
        assert found is not None
        assert (found.service, found.region) == (service.name, "eu-west-1")


def test_the_control_routes_name_kinds() -> None:
    names = {kind.name for kind in KINDS}
    routes = control_routes()
    assert {"jobs", "lifecycle", "quota"} <= set(routes)
    assert all(set(kinds) <= names for kinds in routes.values())
    assert routes["record_limits"] == ("bedrock",)
