"""What each pool task pays for checking the event once: a plain Event or
a Manager's Event proxy given to the workers through initargs, or the
proxy sent along with every task as its argument."""

import multiprocessing
import statistics
import time
from multiprocessing.pool import Pool

ROUNDS = 15
WORKERS = 2
# Tasks per sample: a few milliseconds' worth for every kind.
BATCH = {"none": 100, "plain": 100, "initargs": 100, "argument": 5}
LABELS = {
    "none": "no event (the pool's own cost)",
    "plain": "multiprocessing.Event via initargs",
    "initargs": "Manager().Event() proxy via initargs",
    "argument": "Manager().Event() proxy as argument",
}
# The verdict's threshold, far below what was measured while writing
# this: 20x to 41x on an idle machine, 15x to 60x with two or four busy
# loops on both cores (23 runs). 5x still fails if receiving a proxy ever
# became about as cheap as calling it.
AT_LEAST = 5
stop = None  # each worker's initializer sets it


def init_worker(event):
    global stop
    stop = event


def nothing(_):
    return False


def check_global(_):
    return stop.is_set()


def check_argument(event):
    return event.is_set()


def per_task(pool, function, arguments):
    """Microseconds of wall time per task, over one batch of tasks."""
    start = time.perf_counter_ns()
    pool.map_async(function, arguments, chunksize=1).get(timeout=60)
    return (time.perf_counter_ns() - start) / len(arguments) / 1000


def percentiles(samples):
    """p10, median, p90."""
    deciles = statistics.quantiles(samples, n=10)
    return deciles[0], statistics.median(samples), deciles[-1]


if __name__ == "__main__":
    with multiprocessing.Manager() as manager:
        proxy = manager.Event()
        plain_pool = Pool(WORKERS, init_worker, (multiprocessing.Event(),))
        proxy_pool = Pool(WORKERS, init_worker, (proxy,))
        # (pool, task, arguments) for each kind.
        kinds = {
            "none": (plain_pool, nothing, range(BATCH["none"])),
            "plain": (plain_pool, check_global, range(BATCH["plain"])),
            "initargs": (proxy_pool, check_global, range(BATCH["initargs"])),
            "argument": (
                plain_pool,
                check_argument,
                [proxy] * BATCH["argument"],
            ),
        }
        with plain_pool, proxy_pool:
            for kind in kinds.values():  # workers started and connected
                per_task(*kind)
            samples = {kind: [] for kind in kinds}
            # One sample of each kind per round, so a burst of load
            # elsewhere hits all kinds alike.
            for _ in range(ROUNDS):
                for kind, (pool, function, arguments) in kinds.items():
                    samples[kind].append(per_task(pool, function, arguments))
    print(f"each pool task, microseconds ({ROUNDS} rounds)")
    print(f"{'kind':38}p10 / median / p90")
    medians = {}
    for kind, label in LABELS.items():
        p10, medians[kind], p90 = percentiles(samples[kind])
        print(f"{label:38}{p10:.1f} / {medians[kind]:.1f} / {p90:.1f}")
    ratio = medians["argument"] / medians["initargs"]
    print(f"proxy as argument / proxy via initargs: {ratio:.0f}x")
    print(
        f"a proxy as argument costs each task at least {AT_LEAST}x what "
        f"the proxy via initargs does: {ratio >= AT_LEAST}"
    )
