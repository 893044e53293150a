"""Stop early by leaving the pool: imap_unordered hands over results as
they come; leaving the with block after the first one kills the workers,
so queued tasks never start and running ones stop where they are."""

import multiprocessing
import time

CANDIDATES = 20
ANSWER = 1
completed = None  # each worker's initializer sets this global


def init_worker(completed_counter):
    global completed
    completed = completed_counter


def search(candidate):
    if candidate != ANSWER:
        # A long search that never looks at any event: only killing the
        # worker stops it. (This is no ordering sleep: nothing waits
        # for it to end.)
        time.sleep(30)
    with completed.get_lock():
        completed.value += 1
    return candidate


if __name__ == "__main__":
    completed_counter = multiprocessing.Value("i", 0)
    began = time.monotonic()
    with multiprocessing.Pool(2, init_worker, (completed_counter,)) as pool:
        results = pool.imap_unordered(search, range(CANDIDATES), chunksize=1)
        first = results.next(timeout=10)
        print(f"main: candidate {first} has the answer; leaving the pool")
    # Leaving the block called pool.terminate(): every worker was killed
    # and joined, with candidate 0 (and maybe more) in its search.
    print(f"main: left after {time.monotonic() - began:.1f} s, not 30 s")
    print(f"main: tasks completed: {completed_counter.value} of {CANDIDATES}")
    print(f"main: processes left: {multiprocessing.active_children()}")
