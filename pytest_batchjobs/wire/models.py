"""botocore's service models and data files, loaded once per process."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import ServiceModel


@functools.cache
def service_model(name: str) -> ServiceModel:
    """The botocore ``ServiceModel`` for ``name``, as the installed botocore ships it."""
    from botocore.model import ServiceModel

    return ServiceModel(data_loader().load_service_model(name, "service-2"), service_name=name)


@functools.cache
def data_loader() -> Any:
    """botocore's loader of its data files (service models, rulesets, partitions), as a
    new botocore session makes it: searching ``AWS_DATA_PATH`` (or a profile's
    ``data_path``) and ``~/.aws/models`` before botocore's own data, as clients do, so
    the fake reads the models the clients read."""
    from botocore.session import Session

    return Session().get_component("data_loader")


@functools.cache
def boto3_name(operation: str) -> str:
    """``ListModelInvocationJobs`` -> ``list_model_invocation_jobs``, as boto3 spells it."""
    from botocore import xform_name

    return str(xform_name(operation))
