"""The start gate on a Dask cluster: tasks on three worker processes wait
on a distributed.Event until the client sets it."""

from _cluster import local_cluster, workers_by_name
from distributed import Event, Queue, get_worker

WORKERS = 3


def task(number, ready, start):
    # `ready` and `start` arrive as their names only: the objects live in
    # the scheduler, and each call on them is a request to it.
    worker = get_worker().name
    print(f"task {number} on worker {worker}: waiting for the start signal")
    ready.put(number)  # tell the client this task is waiting
    if not start.wait(timeout=10):
        raise TimeoutError(f"task {number}: no start signal")
    print(f"task {number} on worker {worker}: started")
    return worker


def scheduler_view(dask_scheduler, name):
    # Runs inside the scheduler: this is where the event's flag is kept.
    flag = dask_scheduler.extensions["events"]._events[name]
    return f"{type(flag).__module__}.{type(flag).__qualname__}", flag.is_set()


if __name__ == "__main__":
    with local_cluster(WORKERS) as client:
        workers = workers_by_name(client)
        print(f"main: a cluster of {len(workers)} worker processes")
        start = Event("start")
        ready = Queue("ready")
        # One task per worker, pinned to it: a task blocked in wait()
        # holds its worker's only thread, so two on one worker would never
        # both reach the gate.
        futures = [
            client.submit(
                task, number, ready, start, workers=[address], pure=False
            )
            for number, address in enumerate(workers)
        ]
        for _ in futures:  # every task must be waiting first
            ready.get(timeout=10)
        print("main: all tasks are waiting; setting the event")
        start.set()
        ran_on = client.gather(futures)  # re-raises any error from a task
        print(f"main: all tasks finished, on workers {ran_on}")
        kind, flag = client.run_on_scheduler(scheduler_view, name="start")
        print(f"main: in the scheduler, the flag is an {kind}, set: {flag}")
    print("main: cluster closed")
