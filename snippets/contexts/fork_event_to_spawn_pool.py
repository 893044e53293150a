"""An event made in one context, given to a pool of another: a fork
context's Event through the initargs of a spawn pool."""

import faulthandler
import multiprocessing

event = None  # each worker's initializer sets this global


def keep(shared_event):
    global event
    event = shared_event
    # Where a worker crashes, print why, instead of dying in silence.
    faulthandler.enable()


def check():
    return event.is_set()


if __name__ == "__main__":
    # What multiprocessing.Event() makes on Linux before Python 3.14,
    # where the default start method is fork.
    fork_event = multiprocessing.get_context("fork").Event()
    spawn = multiprocessing.get_context("spawn")
    try:
        pool = spawn.Pool(1, initializer=keep, initargs=(fork_event,))
    except RuntimeError as error:
        print(f"main: Pool() raised RuntimeError: {error}")
    else:
        result = pool.apply_async(check)
        try:
            result.get(timeout=5)
            print("main: the task ran")
        except multiprocessing.TimeoutError:
            # The worker died in the task; the pool replaced it, and
            # the task's result never comes.
            print("main: no result after 5 s")
        pool.terminate()
        pool.join()
        print("main: pool terminated")
