"""ProcessPoolExecutor(max_tasks_per_child=...) chooses the spawn start
method by itself, so an event made in the default context no longer
reaches its workers through initargs."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

event = None  # each worker's initializer sets this global


def keep(shared_event):
    global event
    event = shared_event


def main_module_name():
    # A spawned worker imports the main script again as __mp_main__; a
    # forked one is a copy of the main process, where it is __main__.
    return __name__


def check():
    return event.is_set()


if __name__ == "__main__":
    method = multiprocessing.get_start_method()
    print(f"main: default start method {method}")
    if method != "fork":  # Linux from Python 3.14, macOS, Windows
        print("main: the default is not fork here, and the rest is about it")
        raise SystemExit(0)
    try:
        executor = ProcessPoolExecutor(1, max_tasks_per_child=10)
    except TypeError as error:
        print(f"main: TypeError: {error}")
    else:
        with executor:
            name = executor.submit(main_module_name).result(timeout=10)
        print(f"main: in a worker, the script runs as {name}")
        # The same, with a default-context event through initargs.
        executor = ProcessPoolExecutor(
            1,
            max_tasks_per_child=10,
            initializer=keep,
            initargs=(multiprocessing.Event(),),
        )
        with executor:
            try:
                executor.submit(check).result(timeout=10)
            except RuntimeError as error:
                print(f"main: RuntimeError: {error}")
