"""One crashed worker of a ProcessPoolExecutor: the executor breaks, every
future fails with BrokenProcessPool, and the executor itself ends the
other workers, while they wait on the event.

Usage: python executor_crash.py [plain|manager]
"""

import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import wait as wait_for_futures
from concurrent.futures.process import BrokenProcessPool

WORKERS = 2
TASKS = 4  # two run and wait, two wait in the executor's queue
stop = None  # each worker's initializer sets these globals
reports = None


def init_worker(stop_event, report_queue):
    global stop, reports
    stop, reports = stop_event, report_queue


def task(number):
    reports.put(os.getpid())  # this worker is about to wait
    return stop.wait(timeout=60)


def sleepers(event):
    # How many processes sit inside a plain event's Condition.wait(): a
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


def crash_one(stop_event, report_queue, is_plain):
    executor = ProcessPoolExecutor(
        WORKERS, initializer=init_worker, initargs=(stop_event, report_queue)
    )
    futures = [executor.submit(task, n) for n in range(TASKS)]
    workers = [report_queue.get(timeout=10) for _ in range(WORKERS)]
    state = "are waiting on the event, or about to"
    if is_plain:
        wait_until(lambda: sleepers(stop_event) == WORKERS, 10)
        state = "wait on the event"
    print(f"main: {WORKERS} tasks {state}; {TASKS - WORKERS} queued")
    os.kill(workers[0], signal.SIGKILL)  # a crash, as from the OOM killer
    print("main: SIGKILL for one of the waiting workers")
    wait_for_futures(futures, timeout=10)
    errors = [future.exception(timeout=0) for future in futures]
    for number, error in enumerate(errors):
        print(f"main: task {number} -> {type(error).__name__}")
    print(f"main: {errors[0]}")
    try:
        executor.submit(task, TASKS)
    except BrokenProcessPool:
        print("main: a new submit() raises BrokenProcessPool too")
    executor.shutdown(wait=True)
    # The other worker's wait had 60 s to go, and nobody set the event:
    # the executor ended it.
    running = [
        p for p in multiprocessing.active_children() if p.pid in workers
    ]
    print(f"main: workers still running: {len(running)} of {WORKERS}")


if __name__ == "__main__":
    how = sys.argv[1] if len(sys.argv) > 1 else "plain"
    report_queue = multiprocessing.Queue()
    if how == "plain":
        stop_event = multiprocessing.Event()
        crash_one(stop_event, report_queue, is_plain=True)
        call_with_timeout(stop_event.set, 2)
        call_with_timeout(stop_event.is_set, 2)
    else:
        # The manager is created first and shut down last.
        with multiprocessing.Manager() as manager:
            stop_event = manager.Event()
            crash_one(stop_event, report_queue, is_plain=False)
            call_with_timeout(stop_event.set, 2)
            call_with_timeout(stop_event.is_set, 2)
