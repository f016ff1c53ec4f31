"""The Dask engine: each partition file of a usage log is read, checked and summed by group on
a Dask worker with the same :func:`aicost.usage.pipeline.process_file` as the local engine; the
groups come back to the client, which prices them with the same function as the local engine."""

from __future__ import annotations

import os
from pathlib import Path

from aicost.base.errors import AicostError


class DaskMissing(AicostError):
    exit_code = 2


def run_parts(files: list[Path], layout, by, rates, on_error, chunk_rows, scheduler: str | None = None):
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise DaskMissing("the dask engine needs Dask: pip install dask distributed (or the 'dask' extra of aicost-calc)") from None
    from aicost.usage.pipeline import process_file

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise DaskMissing(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    else:
        cluster = LocalCluster(n_workers=max(1, min(len(files), os.cpu_count() or 1)), threads_per_worker=1,
                               processes=True, dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        futures = client.map(process_file, [str(f) for f in files], layout=layout, by=by, rates=rates,
                             on_error=on_error, chunk_rows=chunk_rows, pure=False)
        order = {f.key: i for i, f in enumerate(futures)}
        parts = [None] * len(futures)
        for fut in as_completed(futures):
            parts[order[fut.key]] = fut.result()  # a worker's InputError is raised here, as locally
        return parts
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
