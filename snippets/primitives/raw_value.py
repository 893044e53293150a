"""Value and Array keep their data in shared memory; their only
semaphore is the lock that guards it. With lock=False there is no lock
and no semaphore at all, and they still refuse to travel as a task
argument: through initargs they work.
"""

import multiprocessing

shared = None  # each worker's initializer sets this global


def keep(objects):
    global shared
    shared = objects


def write(obj):
    # Into the shared memory itself: a value, or an array's first item.
    if hasattr(obj, "value"):
        obj.value = 42
    else:
        obj[0] = 42


def read(obj):
    return obj.value if hasattr(obj, "value") else obj[0]


def write_kept(kind):
    write(shared[kind])


def describe(obj):
    lock = obj.get_lock() if hasattr(obj, "get_lock") else None
    kind = type(lock).__name__ if lock else "no lock"
    return f"{type(obj).__name__}, {kind}"


if __name__ == "__main__":
    context = multiprocessing.get_context("spawn")
    make = {
        "Value": lambda: context.Value("i", 0),
        "Value, lock=False": lambda: context.Value("i", 0, lock=False),
        "Array": lambda: context.Array("i", [0, 0]),
        "Array, lock=False": lambda: context.Array("i", [0, 0], lock=False),
    }
    print(f"start method: {context.get_start_method()}")
    for kind, maker in make.items():
        print(f"{kind}: {describe(maker())}")
    with context.Pool(1) as pool:
        for kind in ("Value, lock=False", "Array, lock=False"):
            obj = make[kind]()
            result = pool.apply_async(write, (obj,))
            try:
                result.get(timeout=10)
            except RuntimeError as error:
                print(f"{kind}, as a task argument: RuntimeError: {error}")
            else:
                print(f"{kind}, as a task argument: worked")
    objects = {kind: maker() for kind, maker in make.items()}
    with context.Pool(1, initializer=keep, initargs=(objects,)) as pool:
        for kind, obj in objects.items():
            pool.apply_async(write_kept, (kind,)).get(timeout=10)
            # Read in the main process: the worker wrote into this memory.
            print(f"{kind}, through initargs: main reads {read(obj)}")
