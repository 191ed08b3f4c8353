"""A small Amazon Bedrock batch-jobs client on ``requests``, for a service without boto3.

It signs each request with botocore's SigV4 signer, follows ``nextToken`` to list every
job, and retries throttling and 5xx answers with exponential backoff. ``endpoint_url``
points it somewhere other than AWS (a VPC endpoint, or a local fake server). Nothing
here knows about tests.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any
from urllib.parse import quote, urlencode

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.session import get_session

RETRIED = {429, 500, 502, 503, 504}


class BedrockError(Exception):
    """An error answer: the service's error code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(f"{code} ({status}): {message}")
        self.code = code
        self.message = message
        self.status = status


class BedrockJobs:
    """List, read and stop model invocation jobs over plain HTTPS."""

    def __init__(
        self,
        region: str,
        *,
        endpoint_url: str | None = None,
        http: requests.Session | None = None,
        max_attempts: int = 5,
        timeout: float = 10.0,
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url or f"https://bedrock.{region}.amazonaws.com"
        self.http = http or requests.Session()
        self.max_attempts = max_attempts
        self.timeout = timeout
        self._credentials = get_session().get_credentials()

    # -- operations -------------------------------------------------------------------

    def list_jobs(self, *, status: str | None = None, page_size: int = 100) -> list[dict[str, Any]]:
        """Every job (of ``status``, if given), newest first, following every page."""
        query: dict[str, Any] = {"maxResults": page_size}
        if status is not None:
            query["statusEquals"] = status
        jobs: list[dict[str, Any]] = []
        while True:
            page = self._call("GET", "/model-invocation-jobs", query)
            jobs.extend(_with_times(job) for job in page.get("invocationJobSummaries", []))
            token = page.get("nextToken")
            if not token:
                return jobs
            query["nextToken"] = token

    def get_job(self, job_arn: str) -> dict[str, Any]:
        """One job, by ARN or id."""
        return _with_times(self._call("GET", f"/model-invocation-job/{quote(job_arn, safe='')}"))

    def stop_job(self, job_arn: str) -> None:
        """Ask Bedrock to stop a job; it goes Stopping, then Stopped."""
        self._call("POST", f"/model-invocation-job/{quote(job_arn, safe='')}/stop")

    # -- HTTP -------------------------------------------------------------------------

    def _call(self, method: str, path: str, query: dict[str, Any] | None = None) -> Any:
        url = self.endpoint_url.rstrip("/") + path
        if query:
            url += "?" + urlencode(query)
        delay = 0.5
        for attempt in range(1, self.max_attempts + 1):
            signed = AWSRequest(method=method, url=url, data=b"")
            SigV4Auth(self._credentials, "bedrock", self.region).add_auth(signed)
            answer = self.http.request(
                method, url, headers=dict(signed.headers), timeout=self.timeout
            )
            if answer.status_code < 300:
                return answer.json() if answer.content else {}
            if answer.status_code not in RETRIED or attempt == self.max_attempts:
                raise _error(answer)
            time.sleep(delay)
            delay = min(delay * 2, 20.0)
        raise AssertionError("unreachable")


def _error(answer: requests.Response) -> BedrockError:
    try:
        message = json.loads(answer.content).get("message", answer.text)
    except ValueError:
        message = answer.text
    code = answer.headers.get("x-amzn-ErrorType", str(answer.status_code)).split(":", 1)[0]
    return BedrockError(code, message, answer.status_code)


def _with_times(job: dict[str, Any]) -> dict[str, Any]:
    """The job with its ISO 8601 timestamps as aware datetimes."""
    for name in ("submitTime", "lastModifiedTime", "endTime", "jobExpirationTime"):
        if name in job:
            job[name] = dt.datetime.fromisoformat(job[name].replace("Z", "+00:00"))
    return job
