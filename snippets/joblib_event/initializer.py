"""joblib (loky) with a plain event through an initializer: the event
must come from a spawn or forkserver context, because loky starts its
workers as new interpreters.

Usage: python initializer.py [spawn|forkserver|fork]
"""

import multiprocessing
import sys

import _tasks
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor

if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else "spawn"
    found = multiprocessing.get_context(method).Event()
    print(f"main: an event from the {method} context")
    parallel = Parallel(
        n_jobs=2,
        batch_size=1,
        # Passed on to loky's executor, which gives initargs to each
        # worker as it starts.
        initializer=_tasks.init_worker,
        initargs=(found,),
    )
    try:
        results = parallel(delayed(_tasks.search)(n) for n in range(2))
        print(f"candidate 1: {results[1]}")
        print(f"candidate 0: {results[0]}")
    finally:
        get_reusable_executor().shutdown(wait=True)
