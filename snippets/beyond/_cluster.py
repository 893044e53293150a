"""The Dask cluster the examples of this folder use: several worker
processes on this machine, reachable on loopback only, quiet, and leaving
no files behind."""

import contextlib
import logging
import tempfile

import dask
from distributed import Client, LocalCluster


@contextlib.contextmanager
def local_cluster(workers):
    """Yield a Client of a fresh cluster; close everything on exit."""
    with contextlib.ExitStack() as stack:
        scratch = stack.enter_context(tempfile.TemporaryDirectory())
        # The scheduler and each worker keep a work directory, by default
        # under the system's temporary directory; this one is removed.
        stack.enter_context(dask.config.set({"temporary-directory": scratch}))
        cluster = LocalCluster(
            n_workers=workers,
            processes=True,  # a process per worker, as on separate machines
            threads_per_worker=1,
            host="127.0.0.1",  # loopback only; ports picked by the system
            dashboard_address=None,  # no dashboard
            # The scheduler still serves a few HTTP routes (health,
            # metrics); by default on port 8787, which a second cluster
            # finds taken, with a warning. Port 0: a free one, no warning.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,  # start and stop notices vary
        )
        stack.enter_context(cluster)
        yield stack.enter_context(Client(cluster))


def workers_by_name(client):
    """The workers' addresses, in the order of their names (0, 1, ...)."""
    workers = client.scheduler_info()["workers"]
    return sorted(workers, key=lambda address: workers[address]["name"])
