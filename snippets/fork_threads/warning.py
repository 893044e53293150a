"""Three ways a fork pool ends up calling fork() in a process that has
threads, which from Python 3.12 warn, and a Manager, which does not.

Usage: python warning.py [maxtasks|second_pool|thread|manager]
"""

import multiprocessing
import sys
import threading
import warnings

# DeprecationWarning is hidden by default outside __main__, and this one
# comes from multiprocessing's code; pytest, python -W default and
# python -X dev show it. So does this line.
warnings.simplefilter("default", DeprecationWarning)

stop = None  # each worker's initializer sets this global


def init_worker(stop_event):
    global stop
    stop = stop_event


def task(number):
    return stop.is_set()


def maxtasks(context, stop_event):
    # Each worker exits after one task; the pool's worker-handler thread
    # forks its replacement while the pool's other threads run.
    pool = context.Pool(2, init_worker, (stop_event,), maxtasksperchild=1)
    with pool:
        print(f"main: {threading.active_count()} threads with the pool")
        results = pool.map(task, range(6), chunksize=1)
    print(f"main: 6 tasks, one worker each, results {set(results)}")


def second_pool(context, stop_event):
    # The first pool's three threads run while the second pool forks.
    with context.Pool(2, init_worker, (stop_event,)) as first:
        print(f"main: {threading.active_count()} threads with one pool")
        with context.Pool(2, init_worker, (stop_event,)) as second:
            got = second.apply_async(task, (0,)).get(timeout=10)
        print(f"main: second pool's task -> {got}")
        print(f"main: first pool's task -> {first.apply(task, (1,))}")


def thread(context, stop_event):
    # A watchdog thread of the program: it sets the stop event after a
    # deadline. It is running when the pool forks its workers.
    watchdog = threading.Timer(60, stop_event.set)
    watchdog.start()
    try:
        print(f"main: {threading.active_count()} threads before the pool")
        with context.Pool(2, init_worker, (stop_event,)) as pool:
            print(f"main: task -> {pool.apply(task, (0,))}")
    finally:
        watchdog.cancel()
        watchdog.join(timeout=10)


def manager(context, stop_event):
    # The manager's threads run in the manager's process, not here.
    with context.Manager() as manager:
        manager_event = manager.Event()
        print(f"main: {threading.active_count()} thread after Manager()")
        with context.Pool(2, init_worker, (manager_event,)) as pool:
            print(f"main: task -> {pool.apply(task, (0,))}")


if __name__ == "__main__":
    trigger = sys.argv[1] if len(sys.argv) > 1 else "maxtasks"
    context = multiprocessing.get_context("fork")
    stop_event = context.Event()
    triggers = {
        "maxtasks": maxtasks,
        "second_pool": second_pool,
        "thread": thread,
        "manager": manager,
    }
    triggers[trigger](context, stop_event)
