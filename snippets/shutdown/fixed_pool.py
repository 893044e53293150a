"""Ctrl-C handled: the workers ignore SIGINT, and the main process turns
its KeyboardInterrupt into the stop event, then closes and joins.

As in naive.py, the program sends the signals a terminal's Ctrl-C would
send: to every worker and to the main process.
"""

import multiprocessing
import os
import signal

stop = None  # each worker's initializer sets these globals
reports = None


def init_worker(stop_event, report_queue):
    global stop, reports
    # The main process decides how to stop; a worker that died of
    # SIGINT would take its task with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop, reports = stop_event, report_queue


def work(number):
    reports.put(os.getpid())
    if stop.wait(timeout=30):
        return f"task {number}: stopped early"
    return f"task {number}: finished"


if __name__ == "__main__":
    # As in a terminal, SIGINT raises KeyboardInterrupt, even if whoever
    # started this program ignores SIGINT (as a shell does for `... &`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    context = multiprocessing.get_context("fork")
    stop_event = context.Event()
    report_queue = context.Queue()
    pool = context.Pool(2, init_worker, (stop_event, report_queue))
    result = pool.map_async(work, range(2), chunksize=1)
    try:
        workers = [report_queue.get(timeout=10) for _ in range(2)]
        print("main: both tasks are waiting on the event")
        for pid in workers + [os.getpid()]:  # what Ctrl-C would do
            os.kill(pid, signal.SIGINT)
        result.get(timeout=30)
        print("main: never printed")
    except KeyboardInterrupt:
        print("main: KeyboardInterrupt; setting the stop event")
        stop_event.set()
    # The tasks see the event, return, and the pool ends cleanly.
    for line in result.get(timeout=10):
        print(line)
    pool.close()
    pool.join()
    print("main: pool closed and joined")
