"""An event served over TCP by a BaseManager, used by separate programs.

The server owns a threading.Event and a queue; clients started as their
own programs (see _event_client.py) connect with the address and the key.
"""

import os
import queue
import secrets
import subprocess
import sys
import threading
import time
from multiprocessing.managers import BaseManager

import _event_client

CLIENT = _event_client.__file__  # the program each client runs
# Every process that imports this module has these two; only the server
# process's are served.
start_event = threading.Event()
ready_queue = queue.Queue()


def get_start_event():
    return start_event


def get_ready_queue():
    return ready_queue


class EventServer(BaseManager):
    """The server's side: each name comes with the object it serves."""


EventServer.register("start_event", callable=get_start_event)
EventServer.register("ready_queue", callable=get_ready_queue)


def start_client(address, key, *arguments):
    host, port = address
    # A separate program: it shares nothing with this one but the address
    # and the key.
    return subprocess.Popen(
        [sys.executable, str(CLIENT), *arguments, host, str(port)],
        env=dict(os.environ, EVENT_SERVER_KEY=key.hex()),
    )


def finish(*clients, timeout=20):
    """The clients' exit codes; a client still running at the deadline is
    killed (and TimeoutExpired raised), so none outlives this program."""
    deadline = time.monotonic() + timeout
    try:
        return [
            client.wait(timeout=max(0, deadline - time.monotonic()))
            for client in clients
        ]
    finally:
        for client in clients:
            if client.poll() is None:
                client.kill()
                client.wait()


if __name__ == "__main__":
    key = secrets.token_bytes(32)
    # Port 0: the system picks a free port; loopback: no other machine.
    with EventServer(address=("127.0.0.1", 0), authkey=key) as server:
        host, port = server.address
        print(f"main: event server listening on {host}:{port}")
        event = server.start_event()  # a proxy, as the clients get

        print("main: a client with the wrong key tries to set the event")
        wrong_key = secrets.token_bytes(32)
        intruder = start_client(server.address, wrong_key, "setter", "0")
        (code,) = finish(intruder)
        print(f"main: it exited with code {code}; set: {event.is_set()}")

        clients = [
            start_client(server.address, key, "waiter", "waiter-1"),
            start_client(server.address, key, "waiter", "waiter-2"),
            start_client(server.address, key, "setter", "2"),
        ]
        codes = finish(*clients)
        print(f"main: the clients exited with codes {codes}")
        print(f"main: the event is set: {event.is_set()}")
    print("main: server stopped")
    # The server ran in a process of its own: this module-level event in
    # the main process is another object, never served and never set.
    own = start_event.is_set()
    print(f"main: this process's own start_event is set: {own}")
