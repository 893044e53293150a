"""Matrix row: a plain multiprocessing.Event sent as a task argument.

Run it as `python plain_task_argument.py spawn` (or fork, forkserver).
"""

import multiprocessing
import sys


def task(event):
    # The proof of sharing: this worker sees the main process's set(),
    # and the main process then sees this worker's clear().
    seen = event.wait(timeout=10)
    event.clear()
    return seen


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else None
    context = multiprocessing.get_context(method)
    print(f"main: start method {context.get_start_method()}")
    event = context.Event()
    with context.Pool(1) as pool:
        result = pool.apply_async(task, (event,))
        event.set()
        seen = result.get(timeout=10)  # re-raises the task's error
    print(f"worker: wait() -> {seen}, then clear()")
    print(f"main: is_set() after the task -> {event.is_set()}")
