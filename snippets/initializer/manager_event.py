"""A Manager's Event given to the pool's workers through
initializer/initargs: the same start gate, with proxies.

Usage: python manager_event.py [fork|spawn|forkserver]
"""

import multiprocessing
import sys

TASKS = 4
start = None  # each worker's initializer sets these two globals
ready = None


def init_worker(start_event, ready_queue):
    # Runs once in each worker, as it starts, with the pool's initargs.
    global start, ready
    start, ready = start_event, ready_queue


def task(number):
    print(f"task {number}: waiting for the start signal")
    ready.put(number)  # tell the main process this task is waiting
    if not start.wait(timeout=10):
        raise TimeoutError(f"task {number}: no start signal")
    print(f"task {number}: started")


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else None
    context = multiprocessing.get_context(method)
    print(f"main: start method {context.get_start_method()}")
    with context.Manager() as manager:
        start = manager.Event()
        ready = manager.Queue()
        pool = context.Pool(
            TASKS, initializer=init_worker, initargs=(start, ready)
        )
        with pool:
            result = pool.map_async(task, range(TASKS), chunksize=1)
            for _ in range(TASKS):  # every task must be waiting first
                ready.get(timeout=10)
            print("main: all tasks are waiting; setting the event")
            start.set()
            result.get(timeout=10)  # re-raises any error from a task
        print("main: all tasks finished")
