"""Reading what flow runs left in a Prefect API (the test harness's, or a real server's)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas import filters
from prefect.settings import PREFECT_API_URL, temporary_settings


@contextmanager
def client(api_url: str | None = None) -> Iterator[SyncPrefectClient]:
    if api_url is None:
        with get_client(sync_client=True) as api:
            yield api
        return
    with temporary_settings({PREFECT_API_URL: api_url}), get_client(sync_client=True) as api:
        yield api


def artifacts(flow_run_id: UUID | str, api_url: str | None = None) -> list[Any]:
    with client(api_url) as api:
        return api.read_artifacts(
            artifact_filter=filters.ArtifactFilter(
                flow_run_id=filters.ArtifactFilterFlowRunId(any_=[UUID(str(flow_run_id))])
            )
        )


def task_runs(flow_run_id: UUID | str, api_url: str | None = None) -> list[Any]:
    """The task runs of a flow run, once the server has recorded them all as finished: task
    run states reach the API as events, recorded a moment after the flow run returns."""
    deadline = time.monotonic() + 30
    with client(api_url) as api:
        while True:
            runs = api.read_task_runs(
                flow_run_filter=filters.FlowRunFilter(
                    id=filters.FlowRunFilterId(any_=[UUID(str(flow_run_id))])
                )
            )
            settled = all(r.state and r.state.is_final() and r.start_time for r in runs)
            if (runs and settled) or time.monotonic() > deadline:
                return runs
            time.sleep(0.2)


def child_flow_runs(flow_run_id: UUID | str, api_url: str | None = None) -> list[Any]:
    """The subflow runs of a flow run (each backfill date's experiment and grading)."""
    with client(api_url) as api:
        parents = api.read_task_runs(
            flow_run_filter=filters.FlowRunFilter(
                id=filters.FlowRunFilterId(any_=[UUID(str(flow_run_id))])
            )
        )
        return api.read_flow_runs(
            flow_run_filter=filters.FlowRunFilter(
                parent_task_run_id=filters.FlowRunFilterParentTaskRunId(
                    any_=[run.id for run in parents]
                )
            )
        )
