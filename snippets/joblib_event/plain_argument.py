"""joblib with a plain multiprocessing.Event as a task argument: the
arguments must be pickled for the workers, and the event refuses.

Usage: python plain_argument.py [loky|multiprocessing]
"""

import multiprocessing
import sys

from _tasks import search
from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor

if __name__ == "__main__":
    backend = sys.argv[1] if len(sys.argv) > 1 else "loky"
    found = multiprocessing.Event()
    print(f"main: backend {backend}")
    try:
        # One task: with a second one queued, loky's manager thread can
        # look it up after joblib has dropped it and print a KeyError of
        # its own, which has nothing to do with the event.
        Parallel(n_jobs=2, backend=backend)([delayed(search)(0, found)])
    finally:
        get_reusable_executor().shutdown(wait=True)
