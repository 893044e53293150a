"""joblib with a Manager's event as a task argument: the proxy pickles,
so it reaches loky's workers like any other argument."""

import multiprocessing

from _tasks import search
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor

if __name__ == "__main__":
    with multiprocessing.Manager() as manager:
        found = manager.Event()
        try:
            # batch_size=1: each task goes to a worker on its own, so
            # candidate 1 never waits behind candidate 0 in one worker.
            results = Parallel(n_jobs=2, batch_size=1)(
                delayed(search)(candidate, found) for candidate in range(2)
            )
        finally:
            # loky keeps its workers for the next call: stop them now.
            get_reusable_executor().shutdown(wait=True)
    print(f"candidate 1: {results[1]}")
    print(f"candidate 0: {results[0]}")
    print(f"processes left: {multiprocessing.active_children()}")
