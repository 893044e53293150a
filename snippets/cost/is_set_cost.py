"""What one is_set() call costs: a thread's Event, a process Event and a
Manager's Event proxy, measured in interleaved rounds."""

import multiprocessing
import statistics
import threading
import time
from itertools import repeat

ROUNDS = 251
# Calls per sample, so that every sample lasts a fraction of a
# millisecond: one threading.Event.is_set() is shorter than a clock
# reading, so calls are timed in a batch and averaged.
BATCH = {"threading": 2000, "multiprocessing": 500, "proxy": 10}
LABELS = {
    "threading": "threading.Event",
    "multiprocessing": "multiprocessing.Event",
    "proxy": "Manager().Event() proxy",
}
# The verdict's threshold, far below what was measured while writing
# this: about 100x on an idle machine, 58x to 128x in 54 runs with two or
# four busy loops on both cores. 10x still fails if a proxy call ever
# came close to the cost of a local one.
AT_LEAST = 10


def per_call(is_set, calls):
    """Microseconds per call, averaged over one batch of calls."""
    start = time.perf_counter_ns()
    for _ in repeat(None, calls):
        is_set()
    return (time.perf_counter_ns() - start) / calls / 1000


def percentiles(samples):
    """p10, median, p90."""
    deciles = statistics.quantiles(samples, n=10)
    return deciles[0], statistics.median(samples), deciles[-1]


if __name__ == "__main__":
    with multiprocessing.Manager() as manager:
        events = {
            "threading": threading.Event(),
            "multiprocessing": multiprocessing.Event(),
            "proxy": manager.Event(),
        }
        samples = {kind: [] for kind in events}
        # One sample of each kind per round, so a burst of load elsewhere
        # hits all three kinds alike instead of one of them.
        for _ in range(ROUNDS):
            for kind, event in events.items():
                samples[kind].append(per_call(event.is_set, BATCH[kind]))
    print(f"one is_set() call, microseconds ({ROUNDS} rounds)")
    print(f"{'kind':25}p10 / median / p90")
    medians = {}
    for kind, label in LABELS.items():
        p10, medians[kind], p90 = percentiles(samples[kind])
        print(f"{label:25}{p10:.3f} / {medians[kind]:.3f} / {p90:.3f}")
    ratio = medians["proxy"] / medians["multiprocessing"]
    print(f"proxy / multiprocessing.Event: {ratio:.0f}x")
    print(
        f"proxy is_set() is at least {AT_LEAST}x slower than "
        f"multiprocessing.Event.is_set(): {ratio >= AT_LEAST}"
    )
