"""Background tasks (Django's task framework; the database backend's worker runs them: ``carbonpeak worker``)."""

from __future__ import annotations

from django.tasks import task


@task()
def run_scenario(run_id: int) -> None:
    from carbonpeak.scenarios.services import execute

    execute(run_id)
