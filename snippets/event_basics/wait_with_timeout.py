"""wait(timeout) returns False if the event was not set in time."""

import multiprocessing
import time

if __name__ == "__main__":
    event = multiprocessing.Event()

    started = time.monotonic()
    arrived = event.wait(timeout=0.5)
    waited = time.monotonic() - started
    print(f"wait(timeout=0.5) -> {arrived} after {waited:.3f} s")
    if not arrived:
        print("no signal in time: a caller can give up or retry here")

    event.set()
    started = time.monotonic()
    arrived = event.wait(timeout=0.5)
    waited = time.monotonic() - started
    print(f"wait(timeout=0.5) -> {arrived} after {waited:.3f} s")
