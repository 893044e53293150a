"""The same three triggers without the warning: a start method that does
not fork the threaded main process, or fork only before any thread.

Usage: python fixed.py [forkserver|spawn|pool_first]
"""

import multiprocessing
import sys
import threading
import warnings

warnings.simplefilter("default", DeprecationWarning)  # show it if any

stop = None  # each worker's initializer sets this global


def init_worker(stop_event):
    global stop
    stop = stop_event


def task(number):
    return stop.is_set()


def all_triggers(context, stop_event):
    # A program thread, a pool that replaces its workers, and a second
    # pool while the first runs: under spawn or forkserver the threaded
    # main process never calls fork().
    watchdog = threading.Timer(60, stop_event.set)
    watchdog.start()
    try:
        first = context.Pool(2, init_worker, (stop_event,), maxtasksperchild=1)
        with first:
            with context.Pool(2, init_worker, (stop_event,)) as second:
                got = second.apply_async(task, (0,)).get(timeout=10)
                print(f"main: {threading.active_count()} threads running")
            print(f"main: second pool's task -> {got}")
            results = first.map(task, range(6), chunksize=1)
            print(f"main: 6 tasks, one worker each, results {set(results)}")
    finally:
        watchdog.cancel()
        watchdog.join(timeout=10)


def pool_first(context, stop_event):
    # fork, but the pool forks all its workers before the program starts
    # its thread, and never replaces them (no maxtasksperchild).
    with context.Pool(2, init_worker, (stop_event,)) as pool:
        watchdog = threading.Timer(60, stop_event.set)
        watchdog.start()
        try:
            print(f"main: {threading.active_count()} threads running")
            print(f"main: task -> {pool.apply(task, (0,))}")
        finally:
            watchdog.cancel()
            watchdog.join(timeout=10)


if __name__ == "__main__":
    how = sys.argv[1] if len(sys.argv) > 1 else "spawn"
    method = "fork" if how == "pool_first" else how
    context = multiprocessing.get_context(method)
    print(f"main: start method {context.get_start_method()}")
    stop_event = context.Event()
    if how == "pool_first":
        pool_first(context, stop_event)
    else:
        all_triggers(context, stop_event)
