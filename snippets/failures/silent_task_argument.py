"""A plain Event passed as a task argument: the tasks never run, and
nothing says so."""

import multiprocessing
from multiprocessing.pool import Pool


def task(number, event):
    print(f"task {number}: waiting for the event")
    event.wait(timeout=10)
    print(f"task {number}: running")


if __name__ == "__main__":
    event = multiprocessing.Event()
    with Pool(4) as pool:
        arguments = [(number, event) for number in range(4)]
        result = pool.starmap_async(task, arguments)
        print("main: setting the event")
        event.set()
        result.wait(timeout=10)  # returns once the batch has failed
        print("main: result.wait() returned; the program ends normally")
