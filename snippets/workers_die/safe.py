"""Two ways to keep the event usable: set it and let the tasks return
before the pool ends, or use a Manager's event, which a dying worker
cannot break.

Usage: python safe.py [set_first|manager]
"""

import multiprocessing
import sys
import threading

WAITERS = 2
stop = None  # each worker's initializer sets these two globals
ready = None


def init_worker(stop_event, ready_semaphore):
    global stop, ready
    stop, ready = stop_event, ready_semaphore


def task(number):
    ready.release()  # tell the main process this task is about to wait
    return stop.wait(timeout=60)


def call_with_timeout(method, seconds):
    # As in broken_set.py: a call that might hang runs in a daemon thread.
    returned = []
    caller = threading.Thread(
        target=lambda: returned.append(method()), daemon=True
    )
    caller.start()
    caller.join(timeout=seconds)
    name = method.__name__
    if returned:
        print(f"main: {name}() returned {returned[0]}")
    else:
        print(f"main: {name}() did not return within {seconds} s")


def start_waiters(pool, ready_semaphore):
    pending = [pool.apply_async(task, (n,)) for n in range(WAITERS)]
    for _ in range(WAITERS):
        if not ready_semaphore.acquire(timeout=10):
            raise TimeoutError("a task never reached the event")
    print(f"main: {WAITERS} tasks are waiting, or about to")
    return pending


def set_first():
    stop_event = multiprocessing.Event()
    ready_semaphore = multiprocessing.Semaphore(0)
    initargs = (stop_event, ready_semaphore)
    with multiprocessing.Pool(WAITERS, init_worker, initargs) as pool:
        pending = start_waiters(pool, ready_semaphore)
        # Stop the tasks with the event, and collect every result
        # before the with block ends: no worker dies while waiting.
        call_with_timeout(stop_event.set, 2)
        print(f"main: tasks -> {[r.get(timeout=10) for r in pending]}")
        pool.close()
        pool.join()
    stop_event.clear()
    call_with_timeout(stop_event.is_set, 2)


def manager():
    # The manager is created first and shut down last.
    with multiprocessing.Manager() as manager:
        stop_event = manager.Event()
        ready_semaphore = multiprocessing.Semaphore(0)
        initargs = (stop_event, ready_semaphore)
        with multiprocessing.Pool(WAITERS, init_worker, initargs) as pool:
            start_waiters(pool, ready_semaphore)
            pool.terminate()
            print("main: pool.terminate() killed the workers")
        # The event lives in the manager's process, as a threading.Event;
        # a worker only held a connection to it, which its death closed.
        call_with_timeout(stop_event.set, 2)
        call_with_timeout(stop_event.is_set, 2)


if __name__ == "__main__":
    how = sys.argv[1] if len(sys.argv) > 1 else "set_first"
    {"set_first": set_first, "manager": manager}[how]()
    print(f"main: processes left: {multiprocessing.active_children()}")
