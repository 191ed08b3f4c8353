"""The one way a test says it needs a member of botocore's model that older releases
lack: ``@needs_model_member(service, shape, member)`` skips it on a botocore whose model
has no such member, saying which release adds it (the fake's own table,
:data:`pytest_batchjobs.wire.members.ADDED`)."""

from __future__ import annotations

import botocore
import pytest

from pytest_batchjobs.wire.members import has_member, release_adding


def needs_model_member(service: str, shape: str, member: str) -> pytest.MarkDecorator:
    """Skip unless the installed botocore's ``service`` model has ``shape.member``."""
    release = release_adding(service, shape, member)
    assert release is not None, f"{shape}.{member} is not in the fake's table of newer members"
    return pytest.mark.skipif(
        not has_member(service, shape, member),
        reason=f"the {service} model of botocore {botocore.__version__} has no "
        f"{shape}.{member} (botocore {release} adds it)",
    )
