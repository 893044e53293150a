"""When may a plain Event travel to another process? Only while that
process is being created. Pool initargs are sent exactly then, for every
worker the pool starts, even one that replaces a worker later."""

import multiprocessing
import os
import pickle

event = None  # set in each worker by init_worker


def init_worker(shared_event):
    global event
    event = shared_event


def task(number):
    return number, os.getpid(), event.is_set()


if __name__ == "__main__":
    context = multiprocessing.get_context("spawn")
    shared = context.Event()

    # Outside process creation, pickling the event is refused.
    try:
        pickle.dumps(shared)
    except RuntimeError as error:
        print(f"pickle.dumps(event) in the main process: {error}")

    shared.set()  # set before any worker exists
    # maxtasksperchild=1: each worker runs one task, then the pool
    # replaces it with a new process, which gets initargs again.
    pool = context.Pool(
        2, initializer=init_worker, initargs=(shared,), maxtasksperchild=1
    )
    with pool:
        results = pool.map(task, range(4), chunksize=1)
    for number, _, seen in results:
        print(f"task {number}: is_set() -> {seen}")
    workers = len({pid for _, pid, _ in results})
    print(f"{len(results)} tasks ran in {workers} worker processes")
