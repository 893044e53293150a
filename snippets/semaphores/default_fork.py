"""The resource tracker's warning in a program that never asks for a start
method: each child program uses the default (fork on Linux up to Python
3.13), makes one thing, and ends with os._exit(), skipping its cleanup.
"""

import multiprocessing
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import shared_memory

THINGS = ["Event", "ProcessPoolExecutor", "SharedMemory"]


def child(thing):
    print(f"default start method: {multiprocessing.get_start_method()}")
    if thing == "Event":
        event = multiprocessing.Event()
        print(f"made {type(event).__name__}")
    elif thing == "ProcessPoolExecutor":
        try:
            # With max_tasks_per_child and no mp_context, the executor
            # picks spawn by itself, and makes its queues with it. No
            # task yet, so no worker process is left running either.
            executor = ProcessPoolExecutor(1, max_tasks_per_child=1)
        except TypeError:  # the argument is new in 3.11
            print("max_tasks_per_child: not in this version")
        else:
            print(f"made {type(executor).__name__}, sent it no task")
    elif thing == "SharedMemory":
        # Tracked under every start method: fork makes no difference.
        memory = shared_memory.SharedMemory(create=True, size=64)
        print(f"made SharedMemory, {memory.size} bytes")
    sys.stdout.flush()  # os._exit() does not flush
    os._exit(0)  # no atexit handlers, no finalizers


def run(thing):
    print(f"child: {thing}, ends with os._exit")
    # The pipe is read to its end, so the resource tracker, which shares
    # it, has exited too when run() returns.
    done = subprocess.run(
        [sys.executable, __file__, "child", thing],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=20,
    )
    for line in done.stdout.splitlines():
        print(f"  | {line}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2])
    else:
        for thing in THINGS:
            run(thing)
