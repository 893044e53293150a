"""Stop early, fully, with ProcessPoolExecutor: cancel the calls that have
not started, then set the event to stop the running ones.

Usage: python cancel_queued.py [cancel|shutdown]
"""

import multiprocessing
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

WORKERS = 2
TASKS = 12
stop = None  # each worker's initializer sets these two globals
started = None


def init_worker(stop_event, started_semaphore):
    global stop, started
    stop, started = stop_event, started_semaphore


def task(number):
    # Look at the flag before telling the main process this task has
    # started: it sets the event only after that, so a task counts as
    # skipped only if it really started after the stop.
    if stop.is_set():
        started.release()
        return "skipped"  # started after the stop: did no work
    started.release()
    # A stand-in for long work that looks at the flag as it goes.
    return "stopped" if stop.wait(timeout=10) else "finished"


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the executor never reached that state")
        time.sleep(0.01)


if __name__ == "__main__":
    how = sys.argv[1] if len(sys.argv) > 1 else "cancel"
    stop_event = multiprocessing.Event()
    started_semaphore = multiprocessing.Semaphore(0)
    executor = ProcessPoolExecutor(
        WORKERS,
        initializer=init_worker,
        initargs=(stop_event, started_semaphore),
    )
    with executor:
        futures = [executor.submit(task, n) for n in range(WORKERS)]
        for _ in range(WORKERS):  # both workers are busy with a task
            if not started_semaphore.acquire(timeout=10):
                raise TimeoutError("a task never started")
        futures += [executor.submit(task, n) for n in range(WORKERS, TASKS)]
        # The executor hands calls to the workers' queue ahead of time;
        # a handed-over future reports running() and cannot be cancelled.
        # Wait until it has handed over all it will while both are busy.
        ahead = WORKERS + 1  # CPython's EXTRA_QUEUED_CALLS is 1
        wait_until(
            lambda: sum(f.running() for f in futures) == WORKERS + ahead, 10
        )
        # Cancel first: once the event is set the running tasks return,
        # and the executor would hand over more calls.
        if how == "cancel":
            refused = [f for f in futures if not f.cancel()]
            print(f"main: cancel() refused by {len(refused)} futures")
        else:
            # shutdown(cancel_futures=True) cancels at once, then waits
            # for the running calls: a thread waits for it, so that the
            # main process can set the event. (wait=False instead once
            # printed an OSError at exit, in a run on 3.11.7.)
            closer = threading.Thread(
                target=executor.shutdown, kwargs={"cancel_futures": True}
            )
            closer.start()
            wait_until(
                lambda: all(f.running() or f.done() for f in futures), 10
            )
            print("main: shutdown(cancel_futures=True) has cancelled")
        stop_event.set()
        if how != "cancel":
            closer.join(timeout=10)
        outcomes = [
            "cancelled" if f.cancelled() else f.result(timeout=10)
            for f in futures
        ]
    for outcome in ("stopped", "skipped", "cancelled", "finished"):
        numbers = [n for n, got in enumerate(outcomes) if got == outcome]
        print(f"{outcome:>9}: {len(numbers)} tasks {numbers}")
