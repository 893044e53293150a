"""An event kept on self, and pool.map(self.method, ...): the bound
method is pickled with its instance, and so with the event.

Run it as `python self_event.py plain` or `python self_event.py manager`.
"""

import multiprocessing
import sys


class Search:
    def __init__(self, stop_event):
        self.stop = stop_event

    def look_at(self, candidate):
        if self.stop.is_set():
            return "skipped"
        if candidate == 1:
            self.stop.set()  # found: stop the others
            return "found"
        return "stopped" if self.stop.wait(timeout=10) else "not found"

    def run(self, candidates):
        with multiprocessing.Pool(2) as pool:
            # self.look_at carries self, and self carries the event.
            return pool.map(self.look_at, candidates, chunksize=1)


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind == "plain":
        try:
            Search(multiprocessing.Event()).run(range(6))
        except RuntimeError as error:
            print(f"plain Event on self: RuntimeError: {error}")
    else:
        # A proxy pickles: every copy of self talks to the same event.
        with multiprocessing.Manager() as manager:
            results = Search(manager.Event()).run(range(6))
        print(f"Manager event on self: found by {results.index('found')}")
        print(f"candidates 2-5: {results[2:].count('skipped')} of 4 skipped")
