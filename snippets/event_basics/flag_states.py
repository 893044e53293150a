"""An Event is a flag that starts cleared; set() and clear() flip it."""

import multiprocessing


def show(event, after):
    print(f"after {after:<12} is_set() -> {event.is_set()}")


if __name__ == "__main__":
    event = multiprocessing.Event()
    show(event, "creation")
    event.set()
    show(event, "set()")
    event.set()  # setting a set event changes nothing
    show(event, "set() again")
    event.clear()
    show(event, "clear()")
