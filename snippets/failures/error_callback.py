"""The same mistake with an error_callback: now the error is reported."""

import multiprocessing
import threading
from multiprocessing.pool import Pool


def task(number, event):
    print(f"task {number}: waiting for the event")
    event.wait(timeout=10)
    print(f"task {number}: running")


def report_error(error):
    thread = threading.current_thread().name
    print(f"error_callback in the parent's {thread!r} thread:")
    print(f"  {type(error).__name__}: {error}")


if __name__ == "__main__":
    event = multiprocessing.Event()
    with Pool(4) as pool:
        arguments = [(number, event) for number in range(4)]
        result = pool.starmap_async(
            task, arguments, error_callback=report_error
        )
        result.wait(timeout=10)  # the callback has run once this returns
        print(f"main: successful() -> {result.successful()}")
