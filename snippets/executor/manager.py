"""A Manager's Event passed to ProcessPoolExecutor.submit() as a task
argument: the proxy pickles, so it can go with any task.

Usage: python manager.py [fork|spawn|forkserver]
"""

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

TASKS = 2


def task(number, start, ready):
    print(f"task {number}: waiting for the start signal")
    ready.put(number)  # tell the main process this task is waiting
    return start.wait(timeout=10)


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else None
    context = multiprocessing.get_context(method)
    print(f"main: start method {context.get_start_method()}")
    with context.Manager() as manager:
        start = manager.Event()
        ready = manager.Queue()
        executor = ProcessPoolExecutor(max_workers=TASKS, mp_context=context)
        with executor:
            futures = [
                executor.submit(task, n, start, ready) for n in range(TASKS)
            ]
            for _ in range(TASKS):  # every task must be waiting first
                ready.get(timeout=10)
            print("main: all tasks are waiting; setting the event")
            start.set()
            for number, future in enumerate(futures):
                result = future.result(timeout=10)
                print(f"task {number}: wait() -> {result}")
