"""wait() blocks a process until another process calls set()."""

import multiprocessing


def sleeper(ready, wake_up):
    print("child: waiting for the event", flush=True)
    ready.set()  # tell the parent we are about to block
    if not wake_up.wait(timeout=10):
        raise TimeoutError("the parent never set the event")
    print("child: woke up, the event is set")


if __name__ == "__main__":
    ready = multiprocessing.Event()
    wake_up = multiprocessing.Event()
    child = multiprocessing.Process(target=sleeper, args=(ready, wake_up))
    child.start()
    # Without this, set() could come before the child waits.
    if not ready.wait(timeout=10):
        raise TimeoutError("the child never got ready")
    print("parent: setting the event")
    wake_up.set()
    child.join(timeout=10)
    print(f"parent: child exited with code {child.exitcode}")
