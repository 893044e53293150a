"""An event kept on self, and pool.map(self.method, ...): the bound
method is pickled with its instance, and so with the event.

Run it as `python self_event.py plain`, `manager` or `initargs`.
"""

import multiprocessing
import sys


def look_at(stop, candidate):
    if stop.is_set():
        return "skipped"
    if candidate == 1:
        stop.set()  # found: stop the others
        return "found"
    return "stopped" if stop.wait(timeout=10) else "not found"


class Search:
    def __init__(self, stop_event):
        self.stop = stop_event

    def look_at(self, candidate):
        return look_at(self.stop, candidate)

    def run(self, candidates):
        with multiprocessing.Pool(2) as pool:
            # self.look_at carries self, and self carries the event.
            return pool.map(self.look_at, candidates, chunksize=1)


worker_stop = None  # set in each worker by the initializer


def keep(stop_event):
    global worker_stop
    worker_stop = stop_event


class SearchViaInitargs:
    """No event on self: each worker receives it once, through initargs,
    and the method reads the worker's global."""

    def look_at(self, candidate):
        return look_at(worker_stop, candidate)

    def run(self, candidates, stop_event):
        with multiprocessing.Pool(2, keep, (stop_event,)) as pool:
            return pool.map(self.look_at, candidates, chunksize=1)


def report(way, results):
    print(f"{way}: found by {results.index('found')}")
    print(f"candidates 2-5: {results[2:].count('skipped')} of 4 skipped")


if __name__ == "__main__":
    way = sys.argv[1]
    if way == "plain":
        try:
            Search(multiprocessing.Event()).run(range(6))
        except RuntimeError as error:
            print(f"plain Event on self: RuntimeError: {error}")
    elif way == "manager":
        # A proxy pickles: every copy of self talks to the same event.
        with multiprocessing.Manager() as manager:
            results = Search(manager.Event()).run(range(6))
        report("Manager event on self", results)
    else:
        results = SearchViaInitargs().run(range(6), multiprocessing.Event())
        report("plain Event through initargs", results)
