"""Ctrl-C while a pool's workers are still starting: the main process
ignores SIGINT while it creates the pool, so that every worker starts
with SIGINT ignored, then restores its own handler. A worker the pool
starts later gets the restored handler instead.

Run it as `python ignore_while_starting.py spawn` (or fork).
"""

import multiprocessing
import os
import signal
import sys

stop = None  # each worker's initializer sets these globals
reports = None


def init_worker(stop_event, report_queue):
    # No signal.signal() here: SIGINT is already ignored in the worker,
    # from its first instruction on.
    global stop, reports
    stop, reports = stop_event, report_queue


def work(number):
    reports.put(os.getpid())
    if stop.wait(timeout=30):
        return f"task {number}: stopped early"
    return f"task {number}: finished"


def ignores_sigint(_):
    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def pool_ignoring_sigint(context, *args, **kwargs):
    # The workers inherit SIGINT ignored, through fork and through exec
    # alike; the main process gets its own handler back at once.
    original = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return context.Pool(*args, **kwargs)
    finally:
        signal.signal(signal.SIGINT, original)


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else "spawn"
    # As in a terminal, SIGINT raises KeyboardInterrupt, even if whoever
    # started this program ignores SIGINT (as a shell does for `... &`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    context = multiprocessing.get_context(method)
    print(f"start method: {context.get_start_method()}")
    stop_event, report_queue = context.Event(), context.Queue()
    initargs = (stop_event, report_queue)
    pool = pool_ignoring_sigint(context, 2, init_worker, initargs)
    workers = [child.pid for child in multiprocessing.active_children()]
    result = pool.map_async(work, range(2), chunksize=1)
    try:
        # Ctrl-C at once: the workers may not have run a line of the
        # program yet, let alone the initializer.
        for pid in workers + [os.getpid()]:
            os.kill(pid, signal.SIGINT)
        result.get(timeout=30)
        print("main: never printed")
    except KeyboardInterrupt:
        print("main: KeyboardInterrupt as Pool() returned; setting the event")
        stop_event.set()
    for line in result.get(timeout=10):
        print(line)
    ran_in = {report_queue.get(timeout=10) for _ in range(2)}
    print(
        f"main: both ran in workers that got SIGINT: {ran_in <= set(workers)}"
    )
    pool.close()
    pool.join()

    # A worker started after Pool() returned: the replacement of one that
    # exited after its one task (maxtasksperchild=1).
    pool = pool_ignoring_sigint(context, 1, maxtasksperchild=1)
    with pool:
        first = pool.apply_async(ignores_sigint, (0,)).get(timeout=10)
        later = pool.apply_async(ignores_sigint, (1,)).get(timeout=10)
    print(f"main: SIGINT ignored in the first worker: {first}")
    print(f"main: SIGINT ignored in its replacement: {later}")
