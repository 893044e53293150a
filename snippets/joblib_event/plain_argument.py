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
        Parallel(n_jobs=2, backend=backend, batch_size=1)(
            delayed(search)(candidate, found) for candidate in range(2)
        )
    finally:
        get_reusable_executor().shutdown(wait=True)
