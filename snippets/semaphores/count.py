"""How many semaphores one multiprocessing.Event holds, and which of them
the resource tracker watches, under each start method."""

import multiprocessing


def semaphores(event):
    # CPython internals, read only to count them: the flag, and the
    # Condition's lock and its three semaphores.
    cond = event._cond
    return [
        event._flag,
        cond._lock,
        cond._sleeping_count,
        cond._woken_count,
        cond._wait_semaphore,
    ]


if __name__ == "__main__":
    for method in ("fork", "spawn", "forkserver"):
        event = multiprocessing.get_context(method).Event()
        held = semaphores(event)
        # A semaphore keeps a name (and is tracked) only if a child
        # process may need to open it by name: not under fork.
        named = [s for s in held if s._semlock.name is not None]
        print(f"{method}: {len(held)} semaphores, {len(named)} named")
