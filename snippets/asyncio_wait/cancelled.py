"""Giving up on the wait from asyncio does not stop the thread that
waits: only the timeout given to wait() does."""

import asyncio
import multiprocessing
import time


async def main(event):
    waiting = asyncio.to_thread(event.wait, 1.0)
    try:
        await asyncio.wait_for(waiting, timeout=0.1)
    # Not the builtin TimeoutError: on 3.9 and 3.10 asyncio's is another
    # class (they are one from 3.11).
    except asyncio.TimeoutError:  # noqa: UP041
        # The coroutine is cancelled; the thread in wait() is not.
        print("main: wait_for() gave up after 0.1 s")


if __name__ == "__main__":
    began = time.monotonic()
    # asyncio.run() ends by waiting for the default executor's threads.
    asyncio.run(main(multiprocessing.Event()))
    took = time.monotonic() - began
    print(f"main: asyncio.run() returned after {took:.1f} s")
    print(f"main: it waited for wait(timeout=1.0): {took >= 1.0}")
