"""Exceptions the plugin raises in the test process (never sent over the wire)."""

from __future__ import annotations

DOCS_URL = "https://pytest-batchjobs.readthedocs.io/en/latest/"


def docs_link(section: str) -> str:
    """Where the user guide explains ``section`` of the cookbook."""
    return f"{DOCS_URL}cookbook/#{section}"


class BatchJobsError(Exception):
    """Base class of the plugin's own errors."""


class UnfakedOperationError(BatchJobsError):
    """A call to an operation of a faked service that the fake does not implement.

    It is raised instead of letting the request reach AWS.
    """


class FakeInternalError(BatchJobsError):
    """The fake itself failed while answering a call: a bug in pytest-batchjobs."""
