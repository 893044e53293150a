"""Pool workers that print while their output goes to a pipe: each line
waits in the worker's buffer until the worker exits. A pool that ends
its workers with terminate() loses those lines; close() and join() keep
them. This program runs a child program both ways and shows what it
printed.
"""

import multiprocessing
import subprocess
import sys

started = None  # each worker's initializer sets these globals
stop = None


def init_worker(started_queue, stop_event):
    global started, stop
    started, stop = started_queue, stop_event


def task(number):
    print(f"worker: task {number} started")  # into the worker's buffer
    started.put(number)
    stop.wait(timeout=10)
    print(f"worker: task {number} done")
    return number


def child(how):
    # fork: multiprocessing flushes this process's buffers before each
    # fork, so a worker does not start with a copy of this line.
    print("main: before the pool")
    context = multiprocessing.get_context("fork")
    started_queue, stop_event = context.Queue(), context.Event()
    initargs = (started_queue, stop_event)
    with context.Pool(2, init_worker, initargs) as pool:
        pending = [pool.apply_async(task, (n,)) for n in range(2)]
        for _ in pending:  # both tasks have printed their first line
            started_queue.get(timeout=10)
        print("main: both tasks printed their first line")
        if how == "close":
            stop_event.set()
            print(f"main: results {[r.get(timeout=10) for r in pending]}")
            pool.close()
            pool.join()  # the workers exit, and flush as they do
        # Else the with block ends here: terminate() kills the workers.
    print(f"main: the pool has ended ({how})")


def run(how):
    print(f"child, with its output to a pipe: {how}")
    # -I: no PYTHON* variable (PYTHONUNBUFFERED, say) changes how the
    # child buffers its output; a pipe gets a block buffer.
    done = subprocess.run(
        [sys.executable, "-I", __file__, "child", how],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=20,
    )
    for line in done.stdout.splitlines():
        print(f"  | {line}")
    print(f"exit code {done.returncode}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2])
    else:
        for how in ("terminate", "close"):
            run(how)
