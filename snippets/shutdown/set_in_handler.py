"""Why a signal handler must not call event.set(): the handler runs in
the main thread, between two bytecodes of whatever that thread was
doing. If it was inside the event's own is_set(), clear() or set(), it
holds the event's internal lock, which is not reentrant, so the
handler's set() waits for a lock that its own thread holds: forever.

The moment is made certain here by taking that lock by hand (a private
attribute, _cond, which is what is_set() takes), in a child process,
so that the main process can see it hang and end it.
"""

import multiprocessing
import os
import signal
import threading


def victim(event, reports):
    def on_sigint(signum, frame):
        reports.put("handler: calling event.set()")
        event.set()
        reports.put("handler: never reached")

    signal.signal(signal.SIGINT, on_sigint)
    with event._cond:  # as inside event.is_set(), for one moment
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C arrives just now
        reports.put("victim: never reached")


if __name__ == "__main__":
    context = multiprocessing.get_context("fork")
    event = context.Event()
    reports = context.Queue()
    child = context.Process(target=victim, args=(event, reports))
    child.start()
    print(reports.get(timeout=10))
    child.join(timeout=2)
    print(f"main: after 2 s, the child is still alive: {child.is_alive()}")
    # The lock is shared: any process that touches the event now waits
    # for it too. A daemon thread asks, so the main thread can go on.
    asker = threading.Thread(target=event.is_set, daemon=True)
    asker.start()
    asker.join(timeout=2)
    print(f"main: event.is_set() in main, still waiting: {asker.is_alive()}")
    child.kill()  # the only way out of that deadlock
    child.join(timeout=10)
    print(f"main: child killed, exit code {child.exitcode}")
    # A dead process never releases the lock it held.
    asker.join(timeout=2)
    print(f"main: after the kill, still waiting: {asker.is_alive()}")
