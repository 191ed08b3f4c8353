"""The ``batchjobs_fake`` fixture in async tests: pytest-asyncio (strict and auto
modes, function- and module-scoped loops) and anyio's plugin (asyncio backend), on
each clock backend; the ``loop_time`` marker keyword and ini option switch loop fake
time off."""

from __future__ import annotations

import pytest

CLOCKS = ["time-machine", "freezegun"]

POLLER = """
import asyncio
import datetime as dt
import boto3
import pytest

ROLE = "arn:aws:iam::123456789012:role/BatchRole"


def create(client, name):
    return client.create_model_invocation_job(
        jobName=name,
        roleArn=ROLE,
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://batch-in/records.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://batch-out/"}},
    )["jobArn"]


async def poll(client, arn):
    while True:
        status = client.get_model_invocation_job(jobIdentifier=arn)["status"]
        if status == "Completed":
            return status
        await asyncio.sleep(60)


async def check(fake):
    fake.bedrock.lifecycle(durations={"InProgress": 2 * 3600})
    client = boto3.client("bedrock", region_name="us-east-1")
    arns = [create(client, f"job-{n}") for n in range(3)]
    start = fake.clock.now()
    assert await asyncio.gather(*(poll(client, arn) for arn in arns)) == ["Completed"] * 3
    moved = fake.clock.now() - start
    assert dt.timedelta(hours=2) <= moved <= dt.timedelta(hours=2, minutes=10), moved
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.Event().wait(), timeout=3600)
    assert fake.clock.now() - start == moved + dt.timedelta(hours=1)
"""


def run(pytester: pytest.Pytester, clock: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-o", f"batchjobs_clock={clock}", *args
    )


@pytest.mark.parametrize("clock", CLOCKS)
def test_pytest_asyncio_strict_mode_with_function_and_module_loops(
    pytester: pytest.Pytester, clock: str
) -> None:
    pytester.makepyfile(
        POLLER
        + """

@pytest.mark.asyncio
async def test_function_loop(batchjobs_fake):
    assert batchjobs_fake.clock.kind == CLOCK
    await check(batchjobs_fake)


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_first(batchjobs_fake):
    await check(batchjobs_fake)


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_second(batchjobs_fake):
    await check(batchjobs_fake)
    await asyncio.sleep(0)


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop_after_the_fakes_keeps_real_time():
    loop = asyncio.get_running_loop()
    before = loop.time()
    await asyncio.sleep(0.05)
    assert 0.05 <= loop.time() - before < 30
"""
        + f"\nCLOCK = {clock!r}\n"
    )
    run(pytester, clock, "-o", "asyncio_mode=strict").assert_outcomes(passed=4)


@pytest.mark.parametrize("clock", CLOCKS)
def test_pytest_asyncio_auto_mode(pytester: pytest.Pytester, clock: str) -> None:
    pytester.makepyfile(
        POLLER
        + """

async def test_auto(batchjobs_fake):
    await check(batchjobs_fake)


async def test_fake_batchjobs_inside_async_code():
    from pytest_batchjobs import fake_batchjobs

    async with fake_batchjobs() as fake:
        await check(fake)
    with fake_batchjobs() as fake:
        await check(fake)
"""
    )
    run(pytester, clock, "-o", "asyncio_mode=auto").assert_outcomes(passed=2)


@pytest.mark.parametrize("clock", CLOCKS)
def test_anyio_plugin_on_the_asyncio_backend(pytester: pytest.Pytester, clock: str) -> None:
    pytester.makepyfile(
        POLLER
        + """

@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_anyio(batchjobs_fake):
    import anyio

    await check(batchjobs_fake)
    start = batchjobs_fake.clock.now()
    await anyio.sleep(600)
    with anyio.move_on_after(30):
        await anyio.Event().wait()
    assert batchjobs_fake.clock.now() - start == dt.timedelta(seconds=630)
"""
    )
    run(pytester, clock).assert_outcomes(passed=1)


@pytest.mark.parametrize("clock", CLOCKS)
def test_the_marker_and_the_ini_option_switch_loop_fake_time_off(
    pytester: pytest.Pytester, clock: str
) -> None:
    pytester.makepyfile(
        """
import asyncio
import pytest


async def real_wait(fake):
    start = fake.clock.now()
    loop = asyncio.get_running_loop()
    before = loop.time()
    await asyncio.sleep(0.05)
    assert loop.time() - before >= 0.05
    assert fake.clock.now() == start
    assert not fake.loop_time


@pytest.mark.asyncio
@pytest.mark.batchjobs(loop_time=False)
async def test_marker(batchjobs_fake):
    await real_wait(batchjobs_fake)
"""
    )
    run(pytester, clock).assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nbatchjobs_loop_time = false\n")
    run(pytester, clock).assert_outcomes(passed=1)
