"""A plain multiprocessing.Event passed to ProcessPoolExecutor.submit():
where the error appears, and whether the executor survives it.

Usage: python plain_submit.py [fork|spawn|forkserver]
"""

import multiprocessing
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor


def wait_for(event):
    return event.wait(timeout=10)


def double(number):
    return 2 * number


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else None
    context = multiprocessing.get_context(method)
    print(f"main: start method {context.get_start_method()}")
    event = context.Event()
    executor = ProcessPoolExecutor(max_workers=2, mp_context=context)
    with executor:
        future = executor.submit(wait_for, event)
        print("main: submit() returned; no error so far")
        event.set()
        try:
            future.result(timeout=10)
        except RuntimeError:
            print("main: result() raised:")
            traceback.print_exc(chain=False)  # the frames show where
        # One failed task does not break the executor.
        later = executor.submit(double, 21)
        print(f"main: the next task's result() -> {later.result(timeout=10)}")
