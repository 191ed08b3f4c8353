"""The fake on a botocore whose models lack members it uses (aioboto3 pins botocore
1.40.61, before record counts, ``modelInvocationType`` and ``rankingInfluence``).

``older_model_suite.py`` runs in a fresh process on such a model: on a botocore that old, its
own; on a newer one, its own with those members removed, from a folder on
``AWS_DATA_PATH`` (where botocore looks for models before its own, for clients and the
fake alike). Either way it proves what a user of that botocore sees: the members are
never sent, the fake never fails, a job keeps its counts for its outputs, and the
factory and the control API refuse such a field with the same sentence, naming the
release that adds it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import botocore
import pytest

from pytest_batchjobs import BatchJobsFake
from pytest_batchjobs.transports.server.control import ControlAPI
from pytest_batchjobs.wire.members import ADDED, Added, has_member
from pytest_batchjobs.wire.models import data_loader

AIOBOTO3_BOTOCORE = (1, 40, 61)  # what aioboto3 15.5 (through aiobotocore 2.25.1) pins


def _newer(added: Added) -> bool:
    return tuple(map(int, added.release.split("."))) > AIOBOTO3_BOTOCORE


NEWER = [added for added in ADDED if _newer(added)]


def _older_models(folder: Path) -> Path | None:
    """A data folder holding the installed models without :data:`NEWER`'s members, or
    ``None`` when the installed models lack them already."""
    if not any(has_member(a.service, a.shape, a.member) for a in NEWER):
        return None
    for service in sorted({added.service for added in NEWER}):
        model = copy.deepcopy(data_loader().load_service_model(service, "service-2"))
        for added in NEWER:
            if added.service == service:
                model["shapes"][added.shape]["members"].pop(added.member, None)
        version = model["metadata"]["apiVersion"]
        path = folder / service / version / "service-2.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(model))
    return folder


def test_on_an_older_model_the_fake_sends_what_that_model_has(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _older_models(pytester.path / "models")
    if folder is not None:
        monkeypatch.setenv("AWS_DATA_PATH", str(folder))
    suite = Path(__file__).with_name("older_model_suite.py").read_text()
    pytester.makepyfile(test_older=suite)
    pytester.makeini("[pytest]\nbatchjobs_validate_outputs = true\nfilterwarnings = error\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=8)


def test_a_member_no_model_has_is_refused_with_the_members_it_could_be(
    batchjobs_fake: BatchJobsFake,
) -> None:
    with pytest.raises(ValueError, match="colour") as refused:
        batchjobs_fake.personalize.add_job(batchInferenceJobConfig={"colour": "blue"})
    said = str(refused.value)
    assert said.startswith(
        "cannot set batchInferenceJobConfig.colour on personalize jobs: "
        "BatchInferenceJobConfig has no member 'colour' in the personalize model of the "
        f"installed botocore {botocore.__version__}; its members: itemExplorationConfig"
    )
    body = json.dumps({"batchInferenceJobConfig": {"colour": "blue"}}).encode()
    assert ControlAPI(batchjobs_fake).handle("POST", "/_batchjobs/personalize/jobs", body) == (
        400,
        {"error": said},
    )
