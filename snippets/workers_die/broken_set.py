"""A worker killed while it waits on a plain event: a later set() in the
main process never returns.

Usage: python broken_set.py [terminate|leave|kill]
"""

import multiprocessing
import os
import signal
import sys
import threading
import time

WAITERS = 2
stop = None  # each worker's initializer sets this global


def init_worker(stop_event):
    global stop
    stop = stop_event


def task(number):
    return stop.wait(timeout=60)


def sleepers(event):
    # How many processes sit inside the event's Condition.wait(): a
    # CPython internal, read here only to know when both are waiting.
    return event._cond._sleeping_count.get_value()


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the tasks never started waiting")
        time.sleep(0.01)


def call_with_timeout(method, seconds):
    # The call may block for ever: make it in a daemon thread, which
    # does not keep the program alive, and stop waiting after a while.
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


if __name__ == "__main__":
    how = sys.argv[1] if len(sys.argv) > 1 else "terminate"
    stop_event = multiprocessing.Event()
    pool = multiprocessing.Pool(WAITERS, init_worker, (stop_event,))
    with pool:
        pending = [pool.apply_async(task, (n,)) for n in range(WAITERS)]
        wait_until(lambda: sleepers(stop_event) == WAITERS, 10)
        print(f"main: {WAITERS} tasks wait on the event")
        if how == "kill":
            # A crash: one waiting worker dies; the pool lives on.
            os.kill(pool._pool[0].pid, signal.SIGKILL)
            print("main: SIGKILL for one of the waiting workers")
            call_with_timeout(stop_event.set, 2)
            # The other task was woken, but must take the event's lock
            # back, and the hung set() holds it; the killed task's result
            # cannot come at all.
            for result in pending:
                result.wait(timeout=2)
            returned = sum(r.ready() for r in pending)
            print(f"main: tasks that returned: {returned} of {WAITERS}")
        elif how == "terminate":
            pool.terminate()
            print("main: pool.terminate() killed the workers")
    if how == "leave":
        print("main: left the with block while the tasks waited")
    if how != "kill":
        call_with_timeout(stop_event.set, 2)
    # set() holds the event's lock while it hangs: nothing else works.
    call_with_timeout(stop_event.is_set, 2)
    print(f"main: processes left: {multiprocessing.active_children()}")
