"""When the resource tracker warns about leaked semaphores: a child
program creates one Event under a start method, then ends in a given
way; this program shows what it printed, and what is left in /dev/shm.
"""

import multiprocessing
import os
import signal
import subprocess
import sys

ENDINGS = [
    ("spawn", "return"),
    ("spawn", "sys.exit"),
    ("spawn", "os._exit"),
    ("spawn", "SIGKILL"),
    ("fork", "SIGKILL"),
    ("spawn", "SIGKILL-group"),
]


def child(method, ending):
    event = multiprocessing.get_context(method).Event()
    cond = event._cond  # CPython internals: the event's five semaphores
    held = [event._flag, cond._lock, cond._sleeping_count]
    held += [cond._woken_count, cond._wait_semaphore]
    print(" ".join(str(s._semlock.name) for s in held), flush=True)
    if ending == "sys.exit":
        sys.exit(1)  # a failure, but atexit handlers and finalizers run
    elif ending == "os._exit":
        os._exit(0)  # no atexit handlers, no finalizers
    elif ending == "SIGKILL":
        os.kill(os.getpid(), signal.SIGKILL)
    elif ending == "SIGKILL-group":
        # This process and the resource tracker it started: the child
        # runs in a process group of its own.
        os.killpg(0, signal.SIGKILL)


def run(method, ending):
    print(f"child: {method}, ends with {ending}")
    # start_new_session: a group to kill; the pipe is read to its end,
    # so the resource tracker, which shares it, has exited too.
    done = subprocess.run(
        [sys.executable, __file__, "child", method, ending],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=20,
        start_new_session=True,
    )
    names, *printed = done.stdout.splitlines()
    for line in printed:
        print(f"  | {line}")
    left = [
        name
        for name in names.split()
        if name != "None" and os.path.exists(f"/dev/shm/sem.{name[1:]}")
    ]
    print(f"exit code {done.returncode}; left in /dev/shm: {len(left)}")
    for name in left:  # remove them: this program leaves nothing behind
        os.unlink(f"/dev/shm/sem.{name[1:]}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(*sys.argv[2:4])
    else:
        for method, ending in ENDINGS:
            run(method, ending)
