"""The wrong nesting: the Manager's block ends while pool tasks still
wait on its Event. What do the waiting tasks get?"""

import multiprocessing
from multiprocessing import Manager

TASKS = 2
ready = None  # each worker's initializer sets this global


def init_worker(ready_semaphore):
    global ready
    ready = ready_semaphore


def task(number, event):
    event.is_set()  # connect to the manager before saying we are ready
    ready.release()
    try:
        event.wait(timeout=10)
    except (EOFError, ConnectionError) as error:
        # The manager's process is gone, and with it the real event:
        # EOFError if it closed the connection while wait() waited for
        # its answer; a ConnectionError (BrokenPipeError) if it was gone
        # before wait() had sent its request. Which one depends on timing.
        return f"task {number}: wait() raised {type(error).__name__}"
    return f"task {number}: wait() returned"


if __name__ == "__main__":
    ready_semaphore = multiprocessing.Semaphore(0)
    pool = multiprocessing.Pool(
        TASKS, initializer=init_worker, initargs=(ready_semaphore,)
    )
    with pool:
        with Manager() as manager:
            event = manager.Event()
            arguments = [(number, event) for number in range(TASKS)]
            result = pool.starmap_async(task, arguments, chunksize=1)
            for _ in range(TASKS):  # every task must be waiting first
                if not ready_semaphore.acquire(timeout=10):
                    raise TimeoutError("a task never reached the event")
            print("main: leaving the Manager's block; tasks still wait")
        # Leaving the block shut the manager's process down.
        for line in result.get(timeout=15):
            print(line)
