"""Ctrl-C with ProcessPoolExecutor: the workers ignore SIGINT, and the
main process sets the stop event, then shutdown(cancel_futures=True)
drops the tasks that have not started."""

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor

stop = None  # each worker's initializer sets these globals
reports = None


def init_worker(stop_event, report_queue):
    global stop, reports
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop, reports = stop_event, report_queue


def work(number):
    if stop.is_set():
        return "skipped"  # started after the stop: do nothing
    reports.put(os.getpid())
    return "stopped" if stop.wait(timeout=30) else "finished"


if __name__ == "__main__":
    # As in a terminal, SIGINT raises KeyboardInterrupt, even if whoever
    # started this program ignores SIGINT (as a shell does for `... &`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    context = multiprocessing.get_context("fork")
    stop_event = context.Event()
    report_queue = context.Queue()
    executor = ProcessPoolExecutor(
        2,
        context,
        initializer=init_worker,
        initargs=(stop_event, report_queue),
    )
    futures = [executor.submit(work, n) for n in range(10)]
    try:
        workers = [report_queue.get(timeout=10) for _ in range(2)]
        print("main: two tasks are running and waiting on the event")
        for pid in workers + [os.getpid()]:  # what Ctrl-C would do
            os.kill(pid, signal.SIGINT)
        futures[-1].result(timeout=30)
        print("main: never printed")
    except KeyboardInterrupt:
        print("main: KeyboardInterrupt; stop event set, shutting down")
        stop_event.set()
        executor.shutdown(wait=True, cancel_futures=True)
    outcomes = [
        "cancelled" if f.cancelled() else f.result(timeout=10) for f in futures
    ]
    for outcome in ("stopped", "finished"):
        print(f"{outcome}: {outcomes.count(outcome)}")
    # Which of the others had already been handed to a worker when
    # shutdown() ran depends on timing; only their sum is certain.
    skipped, cancelled = outcomes.count("skipped"), outcomes.count("cancelled")
    print(f"never started: {skipped + cancelled}", end=" ")
    print(f"({skipped} skipped by the task, {cancelled} cancelled)")
