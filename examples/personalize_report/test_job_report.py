"""Tests of the job report: it must follow every page."""

from __future__ import annotations

import boto3
import pytest
from job_report import status_counts

from pytest_batchjobs import BatchJobsFake

SOLUTION = "arn:aws:personalize:us-east-1:123456789012:solution/movies/abcdef12"


@pytest.mark.batchjobs(max_page_size=7)  # small pages, so a missed nextToken shows
def test_counts_every_job_across_pages(batchjobs_fake: BatchJobsFake) -> None:
    client = boto3.client("personalize", region_name="us-east-1")
    for index in range(30):
        batchjobs_fake.clock.advance(minutes=1)
        client.create_batch_inference_job(
            jobName=f"movies-{index}",
            solutionVersionArn=SOLUTION,
            jobInput={"s3DataSource": {"path": f"s3://recs-input/{index}/users.json"}},
            jobOutput={"s3DataDestination": {"path": f"s3://recs-output/{index}/"}},
            roleArn="arn:aws:iam::123456789012:role/PersonalizeBatch",
        )
    counts = status_counts(client, SOLUTION)
    assert sum(counts.values()) == 30
    assert counts == {"CREATE IN_PROGRESS": 29, "CREATE PENDING": 1}
