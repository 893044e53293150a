"""The right nesting: the Manager outlives the pool, and every result is
collected before either block ends."""

import multiprocessing
from multiprocessing import Manager

TASKS = 2
ready = None  # each worker's initializer sets this global


def init_worker(ready_semaphore):
    global ready
    ready = ready_semaphore


def task(number, event):
    ready.release()
    if event.wait(timeout=10):
        return f"task {number}: wait() returned True"
    return f"task {number}: wait() timed out"


if __name__ == "__main__":
    ready_semaphore = multiprocessing.Semaphore(0)
    with Manager() as manager:  # first in, last out
        event = manager.Event()
        pool = multiprocessing.Pool(
            TASKS, initializer=init_worker, initargs=(ready_semaphore,)
        )
        with pool:
            arguments = [(number, event) for number in range(TASKS)]
            result = pool.starmap_async(task, arguments, chunksize=1)
            for _ in range(TASKS):
                if not ready_semaphore.acquire(timeout=10):
                    raise TimeoutError("a task never reached the event")
            print("main: setting the event")
            event.set()
            for line in result.get(timeout=10):  # before the pool closes
                print(line)
        print("main: pool closed; now the manager may shut down")
