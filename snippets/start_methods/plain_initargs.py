"""Matrix row: a plain multiprocessing.Event given to each worker through
Pool(initializer=..., initargs=(event,)).

Run it as `python plain_initargs.py spawn` (or fork, forkserver).
"""

import multiprocessing
import sys

event = None  # each worker's initializer replaces this


def init_worker(shared_event):
    global event
    event = shared_event


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
    shared = context.Event()
    pool = context.Pool(1, initializer=init_worker, initargs=(shared,))
    with pool:
        result = pool.apply_async(task)
        shared.set()
        seen = result.get(timeout=10)  # re-raises the task's error
    print(f"worker: wait() -> {seen}, then clear()")
    print(f"main: is_set() after the task -> {shared.is_set()}")
