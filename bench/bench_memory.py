"""What a completed job keeps in memory, against the bytes of the outputs it wrote.

Run from the repository root (about a minute)::

    .venv/bin/python bench/bench_memory.py            # both arms
    .venv/bin/python bench/bench_memory.py --jobs 50  # fewer jobs, quicker

Each arm creates ``--jobs`` Bedrock jobs through a real boto3 client, moves the clock
past their end (every job writes its ``.out`` file and its manifest), and measures with
``tracemalloc`` the bytes still allocated after a garbage collection, against the same
measure taken before the first create (the clients and the fake already warm). The
figure is that growth per job divided by the bytes of the job's outputs (the sum of the
lengths of what ``batchjobs_fake.outputs()`` answers): target <= 2.

* without moto: the job answers its stand-in records (100, the default without input);
* inside moto's ``mock_aws``: the job reads a 200-record input file from moto's S3, and
  writes its outputs there too: moto's copy of the outputs is counted, as a user's
  process holds it (the input file is uploaded before the first measure).

The growth counts everything a job leaves behind: the job itself (its request, its
timeline), the journal's record of the create call, the outputs kept for
``batchjobs_fake.outputs()``, moto's objects.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tracemalloc
from dataclasses import dataclass

import boto3
from bench_core import MODEL, job_params

from pytest_batchjobs import BatchJobsFake

TARGET = 2.0
RECORDS = 200


@dataclass
class Held:
    """What ``jobs`` completed jobs left behind."""

    arm: str
    jobs: int
    held: int  # bytes allocated after, less before
    outputs: int  # bytes of their outputs

    @property
    def ratio(self) -> float:
        return self.held / self.outputs

    def row(self) -> str:
        per_job, per_output = self.held / self.jobs / 1024, self.outputs / self.jobs / 1024
        return (
            f"| memory per completed Bedrock job ({self.arm}) | {per_job:,.1f} KiB held "
            f"| outputs {per_output:,.1f} KiB | {self.ratio:.2f} | - | <= {TARGET:g} "
            f"| {'yes' if self.ratio <= TARGET else '**NO**'} |"
        )


def _record(index: int) -> str:
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 64,
        "messages": [{"role": "user", "content": f"Summarize ticket {index} in one line."}],
    }
    return json.dumps({"recordId": f"R{index:010d}", "modelInput": body})


def _measure(fake: BatchJobsFake, arm: str, jobs: int) -> Held:
    client = boto3.client("bedrock", region_name="us-east-1")
    # Warm every path once (imports, the model's caches), then forget that job.
    warm = client.create_model_invocation_job(**job_params("warm"))["jobArn"]
    fake.advance_until(warm)
    fake.reset()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    arns = [
        client.create_model_invocation_job(**job_params(f"memory-{index}"))["jobArn"]
        for index in range(jobs)
    ]
    fake.clock.advance(days=3)
    statuses = {client.get_model_invocation_job(jobIdentifier=arn)["status"] for arn in arns}
    assert statuses == {"Completed"}, statuses
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    outputs = sum(len(text) for arn in arns for text in fake.outputs(arn).values())
    assert outputs, "the jobs wrote nothing"
    return Held(arm, jobs, after - before, outputs)


def without_moto(jobs: int) -> Held:
    with BatchJobsFake(seed=1) as fake:
        return _measure(fake, "no moto, 100 records", jobs)


def with_moto(jobs: int) -> Held:
    import moto

    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="batch-in")
        s3.create_bucket(Bucket="batch-out")
        text = "".join(_record(index) + "\n" for index in range(RECORDS))
        s3.put_object(Bucket="batch-in", Key="records.jsonl", Body=text.encode())
        with BatchJobsFake(seed=1) as fake:
            return _measure(fake, f"moto, {RECORDS} records", jobs)


def rows(jobs: int) -> list[Held]:
    return [without_moto(jobs), with_moto(jobs)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    args = parser.parse_args()
    print(f"{args.jobs} jobs per arm, model {MODEL}\n")
    print("| measure | candidate | baseline | ratio | ratio (min/min) | target | ok |")
    print("|---|---|---|---|---|---|---|")
    found = rows(args.jobs)
    for held in found:
        print(held.row())
    return 0 if all(held.ratio <= TARGET for held in found) else 1


if __name__ == "__main__":
    sys.exit(main())
