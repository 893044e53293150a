"""A client of tcp_manager.py's event server, started as its own program,
the way a process on another machine would be.

Usage: python _event_client.py waiter NAME HOST PORT
       python _event_client.py setter WAITERS HOST PORT
The server's key comes in the EVENT_SERVER_KEY environment variable (hex),
not on the command line, where any user of the machine could read it.
"""

import os
import sys
from multiprocessing.managers import BaseManager


class EventServer(BaseManager):
    """The client's view of the server: only the names it serves."""


EventServer.register("start_event")
EventServer.register("ready_queue")


def connect(host, port):
    key = bytes.fromhex(os.environ["EVENT_SERVER_KEY"])
    server = EventServer(address=(host, int(port)), authkey=key)
    server.connect()  # the key is checked here
    return server.start_event(), server.ready_queue()


def waiter(name, host, port):
    start, ready = connect(host, port)
    print(f"{name}: connected, waiting for the event")
    ready.put(name)  # tell the setter that this client is waiting
    if not start.wait(timeout=10):
        sys.exit(f"{name}: no start signal within 10 s")
    print(f"{name}: woke up, the event is set")


def setter(waiters, host, port):
    start, ready = connect(host, port)
    for _ in range(int(waiters)):  # set only once all are waiting
        ready.get(timeout=10)
    print(f"setter: {waiters} waiters are waiting; setting the event")
    start.set()


if __name__ == "__main__":
    role, *arguments = sys.argv[1:]
    {"waiter": waiter, "setter": setter}[role](*arguments)
