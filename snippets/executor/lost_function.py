"""A task function the workers cannot find: Pool waits for a result that
never comes, ProcessPoolExecutor raises BrokenProcessPool.

Both use spawn. The function is defined inside the __main__ guard, so it
exists in the main process only: a spawn worker imports this file under
another name, skips the guarded block, and cannot unpickle the task. A
function defined in a Jupyter notebook meets the same fate.

Usage: python lost_function.py pool|executor
"""

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait


def with_pool(context, function):
    with context.Pool(1) as pool:
        worker = multiprocessing.active_children()[0]
        result = pool.apply_async(function, (21,))
        # The worker prints its error and exits; wait for that, so that
        # its lines come before ours.
        if not wait([worker.sentinel], timeout=20):
            raise TimeoutError("the worker did not exit")
        try:
            result.get(timeout=2)
        except multiprocessing.TimeoutError:
            print("main: no result after 2 s; it will never come")
        # Leaving the block calls terminate(): the pool's new worker and
        # its threads are stopped, and nothing is left running.


def with_executor(context, function):
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        future = executor.submit(function, 21)
        try:
            future.result(timeout=20)
        except BrokenProcessPool as error:
            print(f"main: result() raised BrokenProcessPool: {error}")
        try:
            executor.submit(abs, -1)
        except BrokenProcessPool:
            print("main: and the executor takes no more tasks")


if __name__ == "__main__":

    def double(number):
        return 2 * number

    context = multiprocessing.get_context("spawn")
    if sys.argv[1:] == ["pool"]:
        with_pool(context, double)
    else:
        with_executor(context, double)
