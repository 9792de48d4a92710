"""A task for the two-worker test only: records which process ran it, in a table the test makes (no model)."""

from __future__ import annotations

import os
import time

from django.db import connection
from django.tasks import task

TABLE = "scaleout_task_runs"


@task
def record_run(n: int) -> int:
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {TABLE} (n, pid) VALUES (%s, %s)", [n, os.getpid()])
    time.sleep(0.1)  # long enough that both workers are busy at once
    return n
