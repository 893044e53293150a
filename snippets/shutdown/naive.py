"""Ctrl-C while the workers of a pool wait on an event, with no handling.

A terminal's Ctrl-C sends SIGINT to every process of the foreground
group: the main process and the pool's workers. This program sends the
same signals itself, one process at a time, so that each traceback is
printed whole before the next signal is sent.
"""

import multiprocessing
import os
import signal
import threading

stop = None  # each worker's initializer sets these globals
reports = None


def init_worker(stop_event, report_queue):
    global stop, reports
    stop, reports = stop_event, report_queue
    reports.put(("started", os.getpid()))


def work(number):
    reports.put(("waiting", os.getpid()))
    # The stand-in for a long task that looks at the stop flag, in waits
    # of half a second. A SIGINT that lands just before a wait() starts
    # only sets Python's flag; its handler runs when Python next runs
    # bytecode, and a single long wait() would sleep through it (seen
    # here about once in 400 runs under load).
    for _ in range(60):
        if stop.wait(timeout=0.5):
            break
    return number


if __name__ == "__main__":
    # As in a terminal, SIGINT raises KeyboardInterrupt, even if whoever
    # started this program ignores SIGINT (as a shell does for `... &`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    context = multiprocessing.get_context("fork")
    stop_event = context.Event()
    # A SimpleQueue, not a Queue: a Queue's put() starts a feeder thread
    # in the worker, and the kernel may hand SIGINT to that thread, while
    # Python runs the handler in the main thread only
    # (https://docs.python.org/3/library/signal.html#signals-and-threads).
    report_queue = context.SimpleQueue()
    pool = context.Pool(2, init_worker, (stop_event, report_queue))
    result = pool.map_async(work, range(2), chunksize=1)
    waiting = []
    while len(waiting) < 2:  # both tasks are running and waiting
        kind, pid = report_queue.get()
        if kind == "waiting":
            waiting.append(pid)
    print("main: both tasks are waiting on the event")
    for pid in waiting:
        os.kill(pid, signal.SIGINT)
        # The pool replaces a worker that died; the new one reports.
        kind, pid = report_queue.get()
        print(f"main: a worker died of SIGINT; the pool {kind} another")
    # The two tasks died with their workers, and no worker runs them
    # again: the result never comes.
    try:
        result.get(timeout=2)
    except multiprocessing.TimeoutError:
        print("main: result.get(timeout=2) timed out: the tasks are lost")
    # close() + join() waits for every task, so it would wait forever.
    joiner = threading.Thread(target=pool.join, daemon=True)
    pool.close()
    joiner.start()
    joiner.join(timeout=2)
    print(f"main: close(), then join() still waiting: {joiner.is_alive()}")
    pool.terminate()  # ends the workers, and so the join() too
    joiner.join(timeout=10)
    print(f"main: after terminate(), join() returned: {not joiner.is_alive()}")
    # Last, the main process's own SIGINT: KeyboardInterrupt.
    os.kill(os.getpid(), signal.SIGINT)
    print("main: never printed")
