"""An event made at module level, when the script is imported: under
spawn and forkserver each worker imports the script again, and so makes
an event of its own. No error says so.

Run it as `python module_level_event.py spawn` (or fork, forkserver).
"""

import multiprocessing
import sys

# Runs in the main process, and again in every worker that imports the
# script (spawn, forkserver); a forked worker inherits this one.
stop = multiprocessing.Event()


def task(_number):
    # The main process set the event before sending this task.
    return stop.wait(timeout=1)


if __name__ == "__main__":
    method = sys.argv[1]
    context = multiprocessing.get_context(method)
    stop.set()
    with context.Pool(2) as pool:
        seen = pool.map(task, range(2))
    print(f"{method}: workers see the main process's set(): {seen}")
