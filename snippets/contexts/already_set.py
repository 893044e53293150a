"""set_start_method() after any multiprocessing object exists: the error,
then what force=True does, and does not do, to that object."""

import faulthandler
import multiprocessing

event = None  # each worker's initializer sets this global


def keep(shared_event):
    global event
    event = shared_event
    faulthandler.enable()  # if the worker crashes, print why


def check():
    return event.is_set()


if __name__ == "__main__":
    # Making any object asks for the default context, and that fixes
    # the start method: fork, on Linux before Python 3.14.
    early = multiprocessing.Event()
    method = multiprocessing.get_start_method()
    print(f"main: start method now {method}")
    if method != "fork":  # Linux from Python 3.14, macOS, Windows
        print("main: the default is not fork here, and the rest is about it")
        raise SystemExit(0)
    try:
        multiprocessing.set_start_method("spawn")
    except RuntimeError as error:
        print(f"main: set_start_method('spawn') -> RuntimeError: {error}")
    # force=True changes the default for what comes next; the event made
    # above still belongs to the fork context.
    multiprocessing.set_start_method("spawn", force=True)
    print(f"main: start method now {multiprocessing.get_start_method()}")
    try:
        pool = multiprocessing.Pool(1, initializer=keep, initargs=(early,))
    except RuntimeError as error:
        print(f"main: Pool() raised RuntimeError: {error}")
    else:
        result = pool.apply_async(check)
        try:
            result.get(timeout=5)
            print("main: the task ran")
        except multiprocessing.TimeoutError:
            print("main: no result after 5 s")
        pool.terminate()
        pool.join()
        print("main: pool terminated")
