"""What the notebook docs/notebooks/pool_in_jupyter.ipynb imports.

Keep this file in the same folder as the notebook: Jupyter runs the
kernel there, so `import _pool_tasks` finds it, and so do pool workers
started with spawn or forkserver, which import it by name.
"""

import os
import tempfile
import time
from contextlib import contextmanager


def wait_then_work(number, ready, start):
    """A pool task: report that it is waiting, then wait for the event."""
    ready.put(number)  # lets the notebook know this task is waiting
    if not start.wait(timeout=10):
        raise TimeoutError(f"task {number}: the event was never set")
    return f"task {number}: started after the event was set"


class WorkerStderr:
    """What processes started inside `worker_stderr()` wrote to stderr."""

    def __init__(self, path):
        self.path = path
        self.kept = None  # the text, once the block has ended

    def text(self):
        if self.kept is not None:
            return self.kept
        with open(self.path, encoding="utf-8", errors="replace") as file:
            return file.read()

    def wait_for(self, fragment, timeout):
        """Wait until `fragment` has been written, or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        while fragment not in self.text():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {fragment!r} on stderr in {timeout} s")
            time.sleep(0.05)


@contextmanager
def worker_stderr():
    """Point file descriptor 2 at a file while the block runs.

    Worker processes write their errors to file descriptor 2, which a
    notebook does not reliably show in the cell that caused them. Workers
    started inside the block inherit the file instead, so their errors
    can be read back and printed.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "stderr.txt")
        saved = os.dup(2)
        try:
            with open(path, "w", encoding="utf-8") as file:
                os.dup2(file.fileno(), 2)
            captured = WorkerStderr(path)
            yield captured
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.kept = captured.text()  # the file is about to go
