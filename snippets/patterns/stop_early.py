"""Stop early: many tasks search, the first to find the answer sets the
event, and every task that starts after that returns without working."""

import multiprocessing

CANDIDATES = 20
ANSWER = 1  # the candidate that holds what we are looking for
found = None  # each worker's initializer sets this global


def init_worker(found_event):
    global found
    found = found_event


def search(candidate):
    if found.is_set():
        return "skipped"  # someone else found it: do no work at all
    if candidate == ANSWER:
        found.set()
        return "found"
    # A stand-in for a long search that looks at the flag as it goes:
    # wait() returns True as soon as another task sets the event.
    if found.wait(timeout=10):
        return "stopped"
    return "searched in vain"


if __name__ == "__main__":
    found_event = multiprocessing.Event()
    pool = multiprocessing.Pool(
        2, initializer=init_worker, initargs=(found_event,)
    )
    with pool:
        # chunksize=1: the workers take candidates one by one, in order.
        results = pool.map(search, range(CANDIDATES), chunksize=1)
    finders = [n for n, got in enumerate(results) if got == "found"]
    print(f"found by candidates: {finders}")
    # Candidate 0 runs beside the finder: it is either already waiting
    # when the event is set (stopped) or starts after it (skipped).
    print(f"candidate 0, beside it: {results[0]}")
    # Every later candidate is taken only after 0 or 1 has returned, and
    # both return only once the event is set.
    later = results[ANSWER + 1 :]
    skipped = later.count("skipped")
    print(f"candidates 2-{CANDIDATES - 1}: {skipped} of {len(later)} skipped")
