"""After a task's arguments fail to pickle, the same pool still runs
other tasks: the error belongs to that call, not to the pool."""

import multiprocessing
from multiprocessing.pool import Pool


def wait_for(event):
    return event.wait(timeout=10)


def double(number):
    return 2 * number


if __name__ == "__main__":
    event = multiprocessing.Event()
    with Pool(2) as pool:
        failed = pool.apply_async(wait_for, (event,))
        try:
            failed.get(timeout=10)
        except RuntimeError as error:
            print(f"main: the first call failed: {error}")
        doubled = pool.map_async(double, range(4)).get(timeout=10)
        print(f"main: then map(double, range(4)) -> {doubled}")
