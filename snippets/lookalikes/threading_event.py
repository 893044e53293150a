"""A threading.Event where a multiprocessing.Event was meant: refused as
a task argument, and, under fork, copied into each worker, where the
main process's set() never arrives."""

import multiprocessing
import threading

stop = threading.Event()  # the look-alike: for threads of ONE process
reports = None  # each worker's initializer sets this global


def init_worker(report_queue):
    global reports
    reports = report_queue


def wait_for(event):
    return event.wait(timeout=1)


def wait_for_global(number):
    reports.put(number)  # this task is running
    # The worker's copy of `stop`, made when the worker was forked.
    return stop.wait(timeout=1)


if __name__ == "__main__":
    context = multiprocessing.get_context("fork")
    report_queue = context.Queue()
    with context.Pool(2, init_worker, (report_queue,)) as pool:
        # As a task argument: pickling a lock is refused.
        try:
            pool.apply_async(wait_for, (stop,)).get(timeout=10)
        except TypeError as error:
            print(f"task argument: TypeError: {error}")
        # As a global under fork: no error, and no effect.
        result = pool.map_async(wait_for_global, range(2), chunksize=1)
        for _ in range(2):
            report_queue.get(timeout=10)
        stop.set()  # both tasks are running: this is after the fork
        seen = result.get(timeout=10)
        print(f"global, after set() in the main process: workers saw {seen}")
