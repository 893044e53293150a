"""Stop early on a Dask cluster: three tasks look for the number behind a
hash; the task that finds it sets an event, and the others stop."""

import hashlib
import time

from _cluster import local_cluster, workers_by_name
from distributed import Event

WORKERS = 3
SECRET = 250_001  # the tasks get only its hash
CHECK_EVERY = 2_000  # candidates between two looks at the event


def digest(number):
    return hashlib.sha256(str(number).encode()).hexdigest()


def search(first, step, target, found):
    # Candidates first, first + step, ... never run out: a task without
    # the answer ends only when the event tells it to (or at the deadline).
    deadline = time.monotonic() + 60
    candidate, tried = first, 0
    while True:
        tried += 1
        if digest(candidate) == target:
            found.set()  # tell every other task to stop
            return f"found {candidate} after {tried} candidates"
        if tried % CHECK_EVERY == 0:
            if found.is_set():  # a request to the scheduler: not too often
                return f"stopped early after {tried} candidates"
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer after {tried} candidates")
        candidate += step


if __name__ == "__main__":
    target = digest(SECRET)
    with local_cluster(WORKERS) as client:
        print(f"main: looking for the number whose SHA-256 is\n{target}")
        found = Event("found")
        # Task k tries k, k + 3, k + 6, ...: exactly one of them holds the
        # answer. Pinned one per worker, so all three search at once.
        futures = [
            client.submit(search, k, WORKERS, target, found, workers=[address])
            for k, address in enumerate(workers_by_name(client))
        ]
        for k, result in enumerate(client.gather(futures)):
            print(f"task {k}: {result}")
        print(f"main: the event is set: {found.is_set()}")
    print("main: cluster closed")
