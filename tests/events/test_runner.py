"""The job runner: each job on its interval with jitter, backing off while it fails, once per
interval across workers where asked, and visible in /metrics."""

import asyncio
from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY, generate_latest

from events import outbox
from events.bus import MemoryBus
from events.messages import PublicDataChanged
from events.outbox import Outbox
from events.runner import Job, Runner, claim, pause
from models.notification import JobLease, OutboxEvent


def job(interval: float = 10.0, **options: object) -> Job:
    async def nothing() -> None:
        return None

    return Job("test", interval, nothing, **options)  # type: ignore[arg-type]


def test_pauses_spread_by_jitter_and_double_while_failing_up_to_a_cap() -> None:
    plain = job(10.0, jitter=0.1, max_backoff=60.0)
    for _ in range(200):
        assert 9.0 <= pause(plain, 0) <= 11.0
    assert 18.0 <= pause(plain, 1) <= 22.0
    assert 36.0 <= pause(plain, 2) <= 44.0
    assert 54.0 <= pause(plain, 9) <= 66.0  # capped
    steady = job(10.0, jitter=0.0)
    assert pause(steady, 0) == 10.0 and pause(steady, 3) == 80.0


async def test_one_worker_of_many_claims_each_interval(clean_db: None) -> None:
    claims = await asyncio.gather(*(claim("purge", 3600) for _ in range(8)))
    assert claims.count(True) == 1
    assert not await claim("purge", 3600)  # still this interval
    assert await claim("other", 3600)  # another job has its own lease
    await JobLease.filter(name="purge").update(until=datetime.now(UTC) - timedelta(seconds=1))
    claims = await asyncio.gather(*(claim("purge", 3600) for _ in range(8)))
    assert claims.count(True) == 1


async def test_two_runners_run_a_once_per_interval_job_once(clean_db: None) -> None:
    runs: list[str] = []

    def counted(worker: str) -> Job:
        async def run() -> None:
            runs.append(worker)

        return Job("prune", 3600, run, once_per_interval=True)

    box = Outbox(MemoryBus())
    first, second = Runner(box, [counted("a")]), Runner(box, [counted("b")])
    done = await asyncio.gather(first.run_once(first.jobs[0]), second.run_once(second.jobs[0]))
    assert sorted(done) == [False, True] and len(runs) == 1


async def test_what_a_job_writes_is_published_when_it_ends(clean_db: None) -> None:
    bus = MemoryBus()

    async def announce() -> None:
        await outbox.write(PublicDataChanged(occurred_at=datetime.now(UTC)))

    runner = Runner(Outbox(bus), [Job("announce", 3600, announce)])
    async with bus.subscribe("public-data") as events:
        assert await runner.run_once(runner.jobs[0])
        assert events.pending == 1
    assert await OutboxEvent.all().count() == 0


def metric(name: str, job_name: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"job": job_name})


async def test_a_failing_job_keeps_running_and_its_failures_and_last_run_are_metrics() -> None:
    calls = 0
    recovered = asyncio.Event()

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise RuntimeError("database blip")
        recovered.set()

    before = metric("bnm_job_failures_total", "flaky") or 0.0
    runner = Runner(Outbox(MemoryBus()), [Job("flaky", 0.01, flaky)])
    runner.start()
    try:
        async with asyncio.timeout(10):
            await recovered.wait()
    finally:
        await runner.stop()
    assert metric("bnm_job_failures_total", "flaky") == before + 2
    last_run = metric("bnm_job_last_run_timestamp_seconds", "flaky")
    assert last_run is not None and abs(last_run - datetime.now(UTC).timestamp()) < 60
    exposed = generate_latest().decode()
    assert 'bnm_job_failures_total{job="flaky"}' in exposed
    assert 'bnm_job_last_run_timestamp_seconds{job="flaky"}' in exposed
