"""Every synchronisation primitive of multiprocessing, tried three ways:
as a task argument of a Pool, through the Pool's initargs, and as a
Manager's proxy given as a task argument. Each outcome in the table is
the real one: "shared" means the worker changed the object and the main
process saw the change.

Run it as `python all_primitives.py spawn` (or fork, forkserver).
"""

import gc
import multiprocessing
import sys

# How each primitive is made (from a context or a manager), how a worker
# changes it, and how the main process sees that change.
MAKE = {
    "Lock": lambda m: m.Lock(),
    "RLock": lambda m: m.RLock(),
    "Semaphore": lambda m: m.Semaphore(1),
    "BoundedSemaphore": lambda m: m.BoundedSemaphore(1),
    "Condition": lambda m: m.Condition(),
    "Event": lambda m: m.Event(),
    "Barrier": lambda m: m.Barrier(2),
    "Queue": lambda m: m.Queue(),
    "SimpleQueue": lambda m: m.SimpleQueue(),
    "JoinableQueue": lambda m: m.JoinableQueue(),
    "Value": lambda m: m.Value("i", 0),
    "Array": lambda m: m.Array("i", [0, 0]),
}
LOCKS = {"Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition"}
QUEUES = {"Queue", "SimpleQueue", "JoinableQueue"}


def change(kind, obj):
    """Runs in a worker: leaves a mark the main process can see."""
    if kind in LOCKS:
        obj.acquire(timeout=5)  # and keep it: the main process tries it
    elif kind == "Event":
        obj.set()
    elif kind == "Barrier":
        obj.abort()  # a broken barrier is broken for everyone
    elif kind in QUEUES:
        obj.put(42)
    elif kind == "Value":
        obj.value = 42
    elif kind == "Array":
        obj[0] = 42


def sees_change(kind, obj):
    """Runs in the main process, after the worker's change returned."""
    if kind in LOCKS:
        return not obj.acquire(False)  # held by the worker
    if kind == "Event":
        return obj.is_set()
    if kind == "Barrier":
        return obj.broken
    if kind == "SimpleQueue":  # get() has no timeout: look first
        return not obj.empty() and obj.get() == 42
    if kind in QUEUES:
        return obj.get(timeout=5) == 42
    if kind == "Value":
        return obj.value == 42
    return obj[0] == 42


held = None  # set in each worker by the initializer: {kind: object}


def keep(objects):
    global held
    held = objects


def change_held(kind):
    change(kind, held[kind])


def outcome(kind, obj, result, errors):
    """'shared', or a short name for the error, listed under the table."""
    try:
        result.get(timeout=10)
    except Exception as error:
        text = f"{type(error).__name__}: {error}"
        label = errors.setdefault(text, f"error {len(errors) + 1}")
        return label
    return "shared" if sees_change(kind, obj) else "NOT shared"


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else None
    context = multiprocessing.get_context(method)
    print(f"start method: {context.get_start_method()}")
    errors = {}
    rows = {kind: [] for kind in MAKE}
    # No garbage collection while it runs: an object dropped here, in a
    # reference cycle with its task's error or its pool, would wait for
    # the collector, which can run inside the resource tracker's own call
    # and then warns "ResourceTracker called reentrantly" (seen with
    # spawn on 3.12.1 on a loaded machine). Without cycles collected,
    # every object goes when its last reference does, in this code.
    gc.disable()

    # (a) A task argument: sent through the pool's task queue.
    with context.Pool(1) as pool:
        for kind, make in MAKE.items():
            obj = make(context)
            result = pool.apply_async(change, (kind, obj))
            rows[kind].append(outcome(kind, obj, result, errors))

    # (b) initargs: given to each worker as it is created. One pool for
    # all twelve (a worker started for each would only cost time): if
    # any of them could not travel this way, the pool would not start.
    objects = {kind: make(context) for kind, make in MAKE.items()}
    with context.Pool(1, initializer=keep, initargs=(objects,)) as pool:
        for kind, obj in objects.items():
            result = pool.apply_async(change_held, (kind,))
            rows[kind].append(outcome(kind, obj, result, errors))

    # (c) A Manager's proxy as a task argument.
    with context.Manager() as manager, context.Pool(1) as pool:
        for kind, make in MAKE.items():
            if not hasattr(manager, kind):
                rows[kind].append("(no proxy)")
                continue
            obj = make(manager)
            result = pool.apply_async(change, (kind, obj))
            rows[kind].append(outcome(kind, obj, result, errors))

    print(f"{'':17}{'task argument':16}{'initargs':16}Manager proxy")
    for kind, cells in rows.items():
        print((f"{kind:17}" + "".join(f"{c:16}" for c in cells)).rstrip())
    for text, label in errors.items():
        print(f"{label}: {text}")
