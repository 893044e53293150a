"""What a look at an event costs: a local multiprocessing.Event, a
manager's Event over TCP, and a distributed.Event (from the client, and
from a task on a worker). Medians, in milliseconds."""

import multiprocessing
import secrets
import statistics
import time
from multiprocessing.managers import SyncManager

from _cluster import local_cluster
from distributed import Event

CALLS = 100  # is_set() and wait(timeout=0): what a stop-early loop pays
SHORT = 0.02  # wait(timeout=SHORT) on an event nobody sets...
SHORT_CALLS = 3  # ...fewer times: each takes at least SHORT


def median_ms(call, calls):
    durations = []
    for _ in range(calls):
        started = time.perf_counter()
        if call():
            raise RuntimeError("the event is set; nothing to measure")
        durations.append(time.perf_counter() - started)
    return 1000 * statistics.median(durations)


def measure(event):
    """Costs of is_set(), wait(0) and wait(SHORT) on an unset event."""
    return (
        median_ms(event.is_set, CALLS),
        median_ms(lambda: event.wait(timeout=0), CALLS),
        median_ms(lambda: event.wait(timeout=SHORT), SHORT_CALLS),
    )


if __name__ == "__main__":
    costs = {"multiprocessing.Event": measure(multiprocessing.Event())}
    manager = SyncManager(
        address=("127.0.0.1", 0), authkey=secrets.token_bytes(32)
    )
    with manager:  # a manager's Event: a proxy, each call a TCP request
        costs["manager Event, TCP"] = measure(manager.Event())
    with local_cluster(1) as client:
        event = Event("never-set")
        costs["distributed.Event, client"] = measure(event)
        task = client.submit(measure, event)  # the same, on the worker
        costs["distributed.Event, task"] = task.result(timeout=30)

    print(
        f"milliseconds, median of {CALLS} calls ({SHORT_CALLS} for the last)"
    )
    print(f"| event | is_set() | wait(0) | wait({SHORT}) |")
    for name, (is_set, poll, short) in costs.items():
        print(f"| {name} | {is_set:.4f} | {poll:.4f} | {short:.1f} |")
    local = costs["multiprocessing.Event"][0]
    remote = costs["distributed.Event, task"][0]
    print(f"is_set() in a task: {remote / local:.0f} times a local one's")
    print(f"more than 10 times: {remote > 10 * local}")
