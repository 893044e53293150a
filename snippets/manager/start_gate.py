"""A Manager's Event can be sent to pool tasks: it travels as a proxy."""

import random
import time
from multiprocessing import Manager
from multiprocessing.pool import Pool

TASKS = 4


def task(number, ready, start):
    print(f"task {number}: waiting for the start signal")
    ready.put(number)  # tell the main process this task is waiting
    if not start.wait(timeout=10):
        raise TimeoutError(f"task {number}: the event was never set")
    work = random.random()
    time.sleep(work)
    print(f"task {number}: worked for {work:.2f} s")


if __name__ == "__main__":
    with Manager() as manager:
        start = manager.Event()
        ready = manager.Queue()
        with Pool(TASKS) as pool:
            arguments = [(number, ready, start) for number in range(TASKS)]
            result = pool.starmap_async(task, arguments)
            # Wait until every task is blocked on the event, instead of
            # sleeping and hoping they got there.
            for _ in range(TASKS):
                ready.get(timeout=10)
            print("main: all tasks are waiting; setting the event")
            start.set()
            result.get(timeout=10)  # re-raises any error from a task
        print("main: all tasks finished")
