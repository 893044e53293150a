"""A plain multiprocessing.Event given to ProcessPoolExecutor's workers
through initializer/initargs.

Usage: python initializer.py [fork|spawn|forkserver]
"""

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

TASKS = 2
start = None  # each worker's initializer sets these two globals
ready = None


def init_worker(start_event, ready_semaphore):
    global start, ready
    start, ready = start_event, ready_semaphore


def task(number):
    print(f"task {number}: waiting for the start signal")
    ready.release()  # tell the main process this task is waiting
    return start.wait(timeout=10)


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else None
    context = multiprocessing.get_context(method)
    print(f"main: start method {context.get_start_method()}")
    start = context.Event()
    ready = context.Semaphore(0)
    executor = ProcessPoolExecutor(
        max_workers=TASKS,
        mp_context=context,
        initializer=init_worker,
        initargs=(start, ready),
    )
    with executor:
        futures = [executor.submit(task, n) for n in range(TASKS)]
        for _ in range(TASKS):  # every task must be waiting before set()
            if not ready.acquire(timeout=10):
                raise TimeoutError("a task never reached the event")
        print("main: all tasks are waiting; setting the event")
        start.set()
        for number, future in enumerate(futures):
            print(f"task {number}: wait() -> {future.result(timeout=10)}")
