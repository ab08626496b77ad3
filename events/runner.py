"""One runner for background work: each job runs now and then every `interval` seconds (with
jitter, so workers started together drift apart), backs off exponentially while it fails, and runs
inside an outbox unit, so what it writes is published when it ends. A job with `once_per_interval`
runs on one worker per interval (a lease row claimed by a conditional update); the others claim
their own rows (reminders, calendars, webhook deliveries) and may run on every worker.

`/metrics` shows each job's last successful run and its failures.
"""

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter, Gauge
from tortoise.exceptions import IntegrityError

from events.outbox import Outbox
from models.notification import JobLease

log = logging.getLogger(__name__)

LAST_RUN = Gauge("bnm_job_last_run_timestamp_seconds", "Last successful run of a job", ["job"])
FAILURES = Counter("bnm_job_failures_total", "Failed runs of a background job", ["job"])
RUNS = Counter("bnm_job_runs_total", "Runs of a background job on this worker", ["job"])


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    interval: float
    run: Callable[[], Awaitable[object]]
    once_per_interval: bool = False
    jitter: float = 0.1  # each pause is interval * (1 +- jitter)
    max_backoff: float = 300.0


async def claim(name: str, interval: float) -> bool:
    """True for the one worker that takes this interval's run of `name`."""
    now = datetime.now(UTC)
    until = now + timedelta(seconds=interval)
    if await JobLease.filter(name=name, until__lte=now).update(until=until):
        return True
    try:
        await JobLease.create(name=name, until=until)
    except IntegrityError:
        return False
    return True


def pause(job: Job, failures: int) -> float:
    base = job.interval if failures == 0 else min(job.interval * 2**failures, job.max_backoff)
    return max(base * (1 + random.uniform(-job.jitter, job.jitter)), 0.0)  # noqa: S311


class Runner:
    def __init__(self, outbox: Outbox, jobs: list[Job]) -> None:
        self.outbox = outbox
        self.jobs = jobs
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop(job), name=f"job {job.name}") for job in self.jobs
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def run_once(self, job: Job) -> bool:
        """Runs `job` if this worker may; False when another worker has this interval."""
        if job.once_per_interval and not await claim(job.name, job.interval):
            return False
        async with self.outbox.unit():
            await job.run()
        RUNS.labels(job.name).inc()
        LAST_RUN.labels(job.name).set(time.time())
        return True

    async def _loop(self, job: Job) -> None:
        failures = 0
        while True:
            try:
                await self.run_once(job)
                failures = 0
            except Exception:
                failures += 1
                FAILURES.labels(job.name).inc()
                log.exception("background job %s failed (%d in a row)", job.name, failures)
            await asyncio.sleep(pause(job, failures))
