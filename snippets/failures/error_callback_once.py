"""error_callback is called once per map_async() or starmap_async() call,
with one error, however many of the call's tasks fail; apply_async()
calls it once per task, since each task is a call of its own."""

from multiprocessing.pool import Pool

TASKS = 4


def fail(number, _=None):
    print(f"  task {number}: raising ValueError")
    raise ValueError(f"task {number} failed")


def submit(pool, method, report):
    # chunksize=1: each task is sent alone, so every one of them runs
    # (the tasks of one chunk stop at the chunk's first error).
    if method == "map_async":
        pool.map_async(fail, range(TASKS), 1, error_callback=report)
    elif method == "starmap_async":
        pairs = [(number, None) for number in range(TASKS)]
        pool.starmap_async(fail, pairs, 1, error_callback=report)
    else:
        for number in range(TASKS):
            pool.apply_async(fail, (number,), error_callback=report)


if __name__ == "__main__":
    for method in ("map_async", "starmap_async", "apply_async"):
        errors = []  # the callback runs in a thread of this process
        print(f"{method}:")
        with Pool(2) as pool:
            submit(pool, method, errors.append)
            pool.close()
            pool.join()  # every task has run, every result is handled
        print(f"  error_callback was called {len(errors)} time(s)")
        for error in errors:
            print(f"  with {error!r}")
