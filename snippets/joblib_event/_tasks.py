"""The tasks and the initializer of the joblib examples. They live in a
module the workers can import: loky pickles functions defined in the
main program by value, each with a copy of its globals, so an
initializer defined there would set a global the tasks never see."""

ANSWER = 1
stop = None  # the initializer sets this global in each worker


def init_worker(stop_event):
    global stop
    stop = stop_event


def search(candidate, event=None):
    found = event if event is not None else stop
    if found.is_set():
        return "skipped"  # someone else found it: do no work at all
    if candidate == ANSWER:
        found.set()
        return "found"
    # A stand-in for a long search that looks at the flag as it goes.
    return "stopped" if found.wait(timeout=10) else "searched in vain"
