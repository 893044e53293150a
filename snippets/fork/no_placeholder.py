"""The inherited-global pattern without a module-level placeholder: the
global exists only because the main process assigns it, under the
`if __name__ == "__main__":` guard.

Usage: python no_placeholder.py [fork|spawn|forkserver]
"""

import multiprocessing
import sys


def task():
    # `start` is not defined at module level: only the guarded block
    # below creates it, and only in the main process.
    return start.wait(timeout=10)


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else None
    context = multiprocessing.get_context(method)
    print(f"main: start method {context.get_start_method()}")
    start = context.Event()
    with context.Pool(1) as pool:
        result = pool.apply_async(task)
        start.set()
        print(f"worker: wait() -> {result.get(timeout=10)}")
