"""From Python 3.12 a fork made while other threads run issues a
DeprecationWarning. Whether it is printed depends on where the fork is
called and on the warning filters: this program runs a child program
that forks twice, once through a fork pool and once by calling
os.fork() itself, with Python's default filters and with two options
that show every DeprecationWarning.
"""

import multiprocessing
import os
import subprocess
import sys
import threading

OPTIONS = [[], ["-W", "default"], ["-X", "dev"]]


def square(number):
    return number * number


def say(text):
    # Flushed, so that each line comes before the warning that follows
    # it (stderr shares the pipe, and is written at once).
    print(f"child: {text}", flush=True)


def child():
    # A thread of the program's own, running while it forks.
    watchdog = threading.Timer(60, lambda: None)
    watchdog.start()
    try:
        say(f"{threading.active_count()} threads; a fork pool")
        context = multiprocessing.get_context("fork")
        with context.Pool(1) as pool:
            got = pool.apply_async(square, (3,)).get(timeout=10)
        say(f"the pool's task -> {got}")
        say("os.fork(), called from __main__")
        pid = os.fork()
        if pid == 0:
            os._exit(0)  # the forked copy does nothing
        _, status = os.waitpid(pid, 0)
        say(f"its child exited with {os.waitstatus_to_exitcode(status)}")
    finally:
        watchdog.cancel()
        watchdog.join(timeout=10)


def run(options):
    # -I: no PYTHON* variable of yours (PYTHONWARNINGS, say) changes the
    # filters; only the options shown do.
    command = [sys.executable, "-I", *options, __file__, "child"]
    print(" ".join(["python -I", *options, "hidden.py child"]))
    done = subprocess.run(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=20,
    )
    for line in done.stdout.splitlines():
        print(f"  | {line}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child()
    else:
        for options in OPTIONS:
            run(options)
