"""Pause and resume a worker with clear() and set(): the worker checks
the event before each item and blocks while it is cleared."""

import multiprocessing
import queue

running = None  # each worker's initializer sets these three globals
items = None
reports = None


def init_worker(running_event, item_queue, report_queue):
    global running, items, reports
    running, items, reports = running_event, item_queue, report_queue


def worker_loop():
    while (item := items.get(timeout=10)) is not None:
        if not running.is_set():
            reports.put(f"worker: paused before item {item}")
            if not running.wait(timeout=10):
                raise TimeoutError("never resumed")
            reports.put("worker: resumed")
        reports.put(f"worker: did item {item}")


def show_reports(count):
    for _ in range(count):
        print(reports.get(timeout=10))


if __name__ == "__main__":
    running = multiprocessing.Event()
    items = multiprocessing.Queue()
    reports = multiprocessing.Queue()
    running.set()  # the worker may run
    pool = multiprocessing.Pool(
        1, initializer=init_worker, initargs=(running, items, reports)
    )
    with pool:
        result = pool.apply_async(worker_loop)
        print("main: sending items 0-2")
        for item in range(3):
            items.put(item)
        show_reports(3)
        # Items 3-5 are sent only after clear(), so the worker finds the
        # event cleared when it takes item 3, whatever the timing.
        print("main: clear(), then sending items 3-5")
        running.clear()
        for item in range(3, 6):
            items.put(item)
        show_reports(1)  # the worker says it is paused
        try:
            print(f"main: unexpected while paused: {reports.get(timeout=0.3)}")
        except queue.Empty:
            print("main: nothing done while paused (checked for 0.3 s)")
        print("main: set()")
        running.set()
        show_reports(4)
        items.put(None)  # no more items: the loop ends
        result.get(timeout=10)
