"""wait() blocks a process until another process calls set()."""

import multiprocessing


def sleeper(ready, wake_up):
    print("child: waiting for the event", flush=True)
    ready.set()  # tell the parent we are about to block
    wake_up.wait()
    print("child: woke up, the event is set")


if __name__ == "__main__":
    ready = multiprocessing.Event()
    wake_up = multiprocessing.Event()
    child = multiprocessing.Process(target=sleeper, args=(ready, wake_up))
    child.start()
    ready.wait()  # without this, set() could come before the child waits
    print("parent: setting the event")
    wake_up.set()
    child.join()
    print(f"parent: child exited with code {child.exitcode}")
