"""The model of a job as Bedrock answers it: an ARN, whatever form the request gave.

GetModelInvocationJob and ListModelInvocationJobs answer ``modelId`` as an ARN, and so
does the state-change event's ``batchModelId``:

* a foundation model's id (``amazon.nova-pro-v1:0``) becomes its foundation-model ARN,
  which has no account (``arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0``):
  recorded in aws-samples/amazon-bedrock-samples, batch-inference-launch-and-compare-jobs
  (ListModelInvocationJobs of jobs created with plain model ids);
* a cross-Region inference profile's id (``us.amazon.nova-2-lite-v1:0``) becomes the
  profile's ARN in the job's account and region: the Terraform AWS provider, whose
  acceptance tests run against AWS, maps GetModelInvocationJob's answer back to the id
  it sent ("GetModelInvocationJob resolves a model_id containing an inference profile
  ID ... to its fully-qualified ARN");
* an ARN (a provisioned or custom model's, an application inference profile's) is
  answered as it was given; so is an id no foundation model could have (the fake keeps
  no catalogue of models, and such an ARN would break the model's output pattern).
"""

from __future__ import annotations

import re

# The first label of a cross-Region inference profile's id (``us.anthropic.claude-...``).
_PROFILE_PREFIXES = frozenset({"us", "us-gov", "eu", "apac", "jp", "au", "ca", "global"})
# A foundation model's id, as the foundation-model ARN in botocore's bedrock model allows
# it: ``provider.model[-version][:n[:m]]``.
_FOUNDATION_ID = re.compile(
    r"[a-z0-9-]{1,63}[.][a-z0-9-]{1,63}(?:[.]?[a-z0-9-]{1,63})(?:[:][a-z0-9-]{1,63}){0,2}"
)


def model_arn(model_id: str, partition: str, region: str, account: str) -> str:
    """``model_id`` as Bedrock answers it for a job in (``partition``, ``region``,
    ``account``)."""
    if model_id.startswith("arn:"):
        return model_id
    prefix, _, rest = model_id.partition(".")
    if prefix in _PROFILE_PREFIXES and _FOUNDATION_ID.fullmatch(rest):
        return f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{model_id}"
    if _FOUNDATION_ID.fullmatch(model_id):
        return f"arn:{partition}:bedrock:{region}::foundation-model/{model_id}"
    return model_id
