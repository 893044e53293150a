"""Wait on a multiprocessing.Event from a coroutine. A ticker coroutine
must tick five times before another process sets the event, so the
event can only be set while the wait leaves the event loop free.

Usage: python wait_in_coroutine.py [blocking|executor|to_thread]
"""

import asyncio
import multiprocessing
import sys

TICKS = 5
# spawn: while the wait runs in a thread, a fork would copy a process
# that has threads (Python 3.12+ warns about that; see fork-threads.md).
CONTEXT = multiprocessing.get_context("spawn")


async def ticker(event, ticks, setters):
    for number in range(1, TICKS + 1):
        await asyncio.sleep(0.02)
        ticks.append(number)
        print(f"ticker: tick {number}")
    # Only now does another process set the event.
    setter = CONTEXT.Process(target=event.set)
    setter.start()
    setters.append(setter)


async def main(how, event):
    ticks, setters = [], []
    ticking = asyncio.create_task(ticker(event, ticks, setters))
    if how == "blocking":
        # Wrong: wait() blocks the whole event loop, ticker included.
        got = event.wait(timeout=0.5)
    elif how == "executor":
        loop = asyncio.get_running_loop()
        # None: the loop's default ThreadPoolExecutor.
        got = await loop.run_in_executor(None, event.wait, 10)
    else:
        got = await asyncio.to_thread(event.wait, 10)  # Python 3.9+
    print(f"main: wait() -> {got}, after {len(ticks)} ticks")
    await asyncio.wait_for(ticking, timeout=10)
    for setter in setters:
        setter.join(timeout=10)
    print(f"main: is_set() -> {event.is_set()}")


if __name__ == "__main__":
    how = sys.argv[1] if len(sys.argv) > 1 else "to_thread"
    asyncio.run(main(how, CONTEXT.Event()))
