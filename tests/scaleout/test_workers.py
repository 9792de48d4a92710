"""Several `carbonpeak worker` processes share one task queue (issue 15, scale-out) and never run a task twice:
the database backend claims a task with SELECT … FOR UPDATE SKIP LOCKED, so two workers polling at once take
different rows. Two real worker processes on the PostgreSQL test database; every task records the process that
ran it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.scaleout.conftest import db_url, subprocess_env
from tests.scaleout.tasks import TABLE, record_run
from tests.serving import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TASKS = 40


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_task_is_claimed_with_skip_locked():
    from django_tasks_db.models import DBTaskResult

    assert connection.vendor == "postgresql"
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        DBTaskResult.objects.ready().get_locked()
    (claim,) = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert claim.endswith("FOR UPDATE SKIP LOCKED"), claim


def test_two_workers_share_the_queue_and_run_each_task_once(tmp_path):
    from django_tasks_db.models import DBTaskResult

    assert connection.vendor == "postgresql"
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE {TABLE} (n integer NOT NULL, pid integer NOT NULL)")
    workers, logs = [], []
    try:
        env = subprocess_env(tmp_path, DATABASE_URL=db_url(connection.settings_dict), CARBONPEAK_LOG_LEVEL="INFO")
        for i in range(2):
            logs.append(tmp_path / f"worker-{i}.log")
            with logs[-1].open("wb") as err:
                workers.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "carbonpeak.cli", "worker", "--interval", "0.1"],
                        cwd=ROOT,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=err,
                    )
                )
        # both poll the queue before the tasks arrive, all in one transaction: they compete for every task
        _wait_for(lambda: all("Starting worker" in log.read_text() for log in logs), 120, "both workers to start")
        with transaction.atomic():
            for n in range(TASKS):
                record_run.enqueue(n)
        _wait_for(lambda: DBTaskResult.objects.finished().count() == TASKS, 120, "the tasks to finish")
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        with connection.cursor() as cur:
            cur.execute(f"SELECT n, pid FROM {TABLE}")
            runs = cur.fetchall()
            cur.execute(f"DROP TABLE {TABLE}")

    assert DBTaskResult.objects.successful().count() == TASKS
    times_run = Counter(n for n, _ in runs)
    assert sorted(times_run) == list(range(TASKS)) and set(times_run.values()) == {1}, "a task ran twice or never"
    by_process = Counter(pid for _, pid in runs)
    assert len(by_process) == 2, f"one worker ran everything: {by_process}"
    claimed_by = Counter(tuple(r.worker_ids) for r in DBTaskResult.objects.all())
    assert all(len(ids) == 1 for ids in claimed_by), "a task was claimed by two workers"
    assert len(claimed_by) == 2
