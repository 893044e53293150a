"""wait(timeout) returns False when nobody sets the event in time: each
task gives up cleanly, and the main process decides what to do next."""

import multiprocessing

TASKS = 3
go = None  # each worker's initializer sets this global


def init_worker(go_event):
    global go
    go = go_event


def task(number):
    if not go.wait(timeout=0.5):
        return f"task {number}: no signal within 0.5 s, gave up"
    return f"task {number}: got the signal, did its work"


def run_all(pool):
    results = pool.map(task, range(TASKS))
    for line in results:
        print(line)
    return sum("gave up" in line for line in results)


if __name__ == "__main__":
    go_event = multiprocessing.Event()
    pool = multiprocessing.Pool(
        TASKS, initializer=init_worker, initargs=(go_event,)
    )
    with pool:
        print("main: running the tasks without setting the event")
        gave_up = run_all(pool)
        print(f"main: {gave_up} of {TASKS} gave up; setting it and retrying")
        go_event.set()
        gave_up = run_all(pool)
        print(f"main: {gave_up} of {TASKS} gave up")
