"""Catching KeyboardInterrupt has a window too: if Ctrl-C lands after
the event's lock is taken but before the `with` block around it has
begun, the `with` statement never releases the lock. A later set(), in
the `except KeyboardInterrupt:` block, then waits for ever.

The moment is made certain here: a trace function sends SIGINT just as
Condition.__enter__() returns, its lock taken, and Python's own SIGINT
handler raises KeyboardInterrupt there.
"""

import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing import synchronize

ENTER = synchronize.Condition.__enter__.__code__


def trace(frame, event, arg):
    if frame.f_code is not ENTER:
        return None

    def at_return(frame, event, arg):
        if event == "return":  # the lock is taken; __enter__ returns
            sys.settrace(None)
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C arrives now
        return at_return

    return at_return


if __name__ == "__main__":
    # As in a terminal, SIGINT raises KeyboardInterrupt, even if whoever
    # started this program ignores SIGINT (as a shell does for `... &`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    stop = multiprocessing.get_context("fork").Event()
    sys.settrace(trace)
    try:
        stop.is_set()  # takes the lock in Condition.__enter__()
        print("main: never printed")
    except KeyboardInterrupt:
        sys.settrace(None)
        print("main: KeyboardInterrupt caught; setting the stop event")
    # set() takes the same lock, which nobody will release: it runs in a
    # daemon thread, so that the program can give up on it and end.
    setter = threading.Thread(target=stop.set, daemon=True)
    setter.start()
    setter.join(timeout=2)
    print(f"main: after 2 s, set() is still waiting: {setter.is_alive()}")
