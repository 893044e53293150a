"""Under the fork start method, workers inherit a module-level Event."""

import multiprocessing
import random
import time

TASKS = 4
start = None  # set in the main process before the pool forks its workers
ready = None


def task(number):
    # No argument carries the events: this worker is a fork of the main
    # process and already holds them in its copy of these globals.
    print(f"task {number}: waiting for the start signal")
    ready.release()
    if not start.wait(timeout=10):
        raise TimeoutError(f"task {number}: the event was never set")
    work = random.random()
    time.sleep(work)
    print(f"task {number}: worked for {work:.2f} s")


if __name__ == "__main__":
    context = multiprocessing.get_context("fork")
    start = context.Event()
    ready = context.Semaphore(0)
    with context.Pool(TASKS) as pool:
        result = pool.map_async(task, range(TASKS))
        for _ in range(TASKS):  # wait until every task is waiting
            if not ready.acquire(timeout=10):
                raise TimeoutError("a task never reached the event")
        print("main: all tasks are waiting; setting the event")
        start.set()
        result.get(timeout=10)
    print("main: all tasks finished")
