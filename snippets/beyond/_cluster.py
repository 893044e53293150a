"""The Dask cluster the examples of this folder use: several worker
processes on this machine, reachable on loopback only, quiet, and leaving
no files behind."""

import contextlib
import logging
import tempfile

import dask
from distributed import Client, LocalCluster, WorkerPlugin
from distributed.comm import CommClosedError
from distributed.core import Status

HEARTBEAT_FAILED = "Failed to communicate with scheduler during heartbeat."


class CloseRaceFilter(logging.Filter):
    """Drops one log record: a worker's heartbeat cut off by the worker's
    own shutdown. A worker sends the scheduler a heartbeat every half
    second; when it closes, it closes its connections without waiting for
    a reply in flight, and logs that reply's loss as an ERROR. Any other
    record, and this one while the worker runs, still gets through."""

    def __init__(self, worker):
        super().__init__()
        self.worker = worker

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        return not (
            record.getMessage() == HEARTBEAT_FAILED
            and isinstance(error, CommClosedError)
            and self.worker.status in (Status.closing, Status.closed)
        )


class QuietClose(WorkerPlugin):
    """Installs CloseRaceFilter in each worker process."""

    def setup(self, worker):
        logging.getLogger("distributed.worker").addFilter(
            CloseRaceFilter(worker)
        )


@contextlib.contextmanager
def local_cluster(workers):
    """Yield a Client of a fresh cluster; close everything on exit."""
    with contextlib.ExitStack() as stack:
        scratch = stack.enter_context(tempfile.TemporaryDirectory())
        settings = {
            # The scheduler and each worker keep a work directory, by
            # default under the system's temporary directory; this one is
            # removed.
            "temporary-directory": scratch,
            # Workers start from a fork server that imported Dask once,
            # instead of each new process importing it again (spawn, the
            # default).
            "distributed.worker.multiprocessing-method": "forkserver",
        }
        stack.enter_context(dask.config.set(settings))
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
        client = stack.enter_context(Client(cluster))
        client.register_plugin(QuietClose())
        yield client


def workers_by_name(client):
    """The workers' addresses, in the order of their names (0, 1, ...)."""
    workers = client.scheduler_info()["workers"]
    return sorted(workers, key=lambda address: workers[address]["name"])
