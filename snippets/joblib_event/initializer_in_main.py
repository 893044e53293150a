"""The initializer and the task defined in the main program: loky sends
each function by value, with a copy of its globals, so the global the
initializer sets is not the one the task reads."""

import multiprocessing

from joblib import Parallel, delayed
from joblib.externals.loky import get_reusable_executor

stop = None


def init_worker(stop_event):
    global stop
    stop = stop_event


def check(number):
    # Reports what it sees rather than calling stop.is_set() and failing:
    # after a task's error joblib kills loky's workers, and loky's resource
    # tracker may then print warnings of its own, in no fixed order.
    return f"task {number}: stop is {stop!r}"


if __name__ == "__main__":
    stop_event = multiprocessing.get_context("spawn").Event()
    parallel = Parallel(
        n_jobs=2, initializer=init_worker, initargs=(stop_event,)
    )
    try:
        print(parallel(delayed(check)(n) for n in range(2)))
    finally:
        get_reusable_executor().shutdown(wait=True)
