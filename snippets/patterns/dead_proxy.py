"""What a Manager's Event proxy does once its manager is gone: a call on
a proxy that is connected, the first call on one that is not, and a new
task that carries the proxy.

Usage: python dead_proxy.py [fork|spawn|forkserver]
"""

import multiprocessing
import os
import sys

start = None  # the worker's initializer sets this global


def keep(event):
    global start
    start = event  # received now, first used after the manager is gone


def first_call():
    return start.is_set()


def task(event):
    return event.is_set()


def report(what, result, timeout):
    try:
        print(f"{what} -> {result.get(timeout=timeout)!r}")
    except multiprocessing.TimeoutError:
        print(f"{what} -> no result after {timeout} s")
    except OSError as error:  # raised in the worker, re-raised by get()
        print(f"{what} -> {type(error).__name__}: {error.strerror}")


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else None
    context = multiprocessing.get_context(method)
    print(f"main: start method {context.get_start_method()}")
    manager = context.Manager()
    start = manager.Event()
    start.is_set()  # the main process's proxy is now connected
    with context.Pool(1, initializer=keep, initargs=(start,)) as pool:
        # Once a task has run, the worker is up and holds its proxy.
        pool.apply_async(os.getpid).get(timeout=10)
        manager.shutdown()
        print("main: the manager is shut down")
        try:
            start.set()
        except OSError as error:
            print(f"main: set() -> {type(error).__name__}: {error.strerror}")
        # The worker's proxy has no connection yet: its first call opens
        # one, to a manager that is no longer there.
        report("worker: first is_set()", pool.apply_async(first_call), 10)
    with context.Pool(1) as pool:
        before = pool.apply_async(os.getpid).get(timeout=10)
        # The worker unpickles the proxy, which registers itself with the
        # manager; that fails with an OSError, on which a Pool worker
        # exits without a word, and the task goes with it.
        report("new task with the proxy", pool.apply_async(task, (start,)), 2)
        after = pool.apply_async(os.getpid).get(timeout=10)
        print(f"main: the pool replaced its worker: {before != after}")
