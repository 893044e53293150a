"""Matrix row: a plain multiprocessing.Event in a module-level global,
assigned before the pool starts, and never passed to the workers.

Run it as `python inherited_global.py spawn` (or fork, forkserver).
"""

import multiprocessing
import sys

event = None  # the main process assigns the real event below


def task():
    # The proof of sharing: this worker sees the main process's set(),
    # and the main process then sees this worker's clear().
    seen = event.wait(timeout=10)
    event.clear()
    return seen


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else None
    context = multiprocessing.get_context(method)
    print(f"main: start method {context.get_start_method()}")
    event = context.Event()  # before the pool: workers start after this
    with context.Pool(1) as pool:
        result = pool.apply_async(task)
        event.set()
        seen = result.get(timeout=10)  # re-raises the task's error
    print(f"worker: wait() -> {seen}, then clear()")
    print(f"main: is_set() after the task -> {event.is_set()}")
