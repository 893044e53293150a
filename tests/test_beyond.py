"""The examples of "Beyond one machine": loopback only, nothing left
behind, and no hang when there is no server.

Their outputs are checked with every other snippet (test_snippets.py);
these tests check what an output cannot show.
"""

import json
import logging
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import psutil
import pytest

from conftest import project
from snippet_runner.interpreters import build_interpreter
from snippet_runner.process import child_environment
from snippet_runner.runner import check_examples, example

BEYOND = project().snippets_dir / "beyond"

# Runs in a child process: starts the examples' cluster, reports every
# process of it and every socket they listen on, then closes it.
CLUSTER_PROBE = """
import json, sys
import psutil
sys.path.insert(0, sys.argv[1])
from _cluster import local_cluster

with local_cluster(2) as client:
    me = psutil.Process()
    tree = [me, *me.children(recursive=True)]
    listening = [
        list(connection.laddr)
        for process in tree
        for connection in process.net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN
    ]
    children = [process.pid for process in tree[1:]]
    workers = len(client.scheduler_info()["workers"])
print(json.dumps({"listening": listening, "children": children,
                  "workers": workers}))
"""


@pytest.fixture
def short_tmp_path():
    with tempfile.TemporaryDirectory(prefix="beyond-") as folder:
        yield Path(folder)


def listening_ports() -> set[int]:
    return {
        connection.laddr.port
        for connection in psutil.net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN
    }


def test_tcp_manager_stops_its_server_and_frees_its_port():
    # The session's run of the example (from the cache, if it ran): the
    # suite runs no example twice on one interpreter.
    found = example(BEYOND / "tcp_manager.py", project())
    (outcome,) = check_examples([found], [build_interpreter()], project())[
        found
    ].runs
    assert outcome.ok, outcome.report()
    result = outcome.result
    assert result.left_behind == []
    port = re.search(r"listening on 127\.0\.0\.1:(\d+)\n", result.output)
    assert port, result.output
    assert int(port.group(1)) not in listening_ports()


def test_cluster_is_on_loopback_and_leaves_no_process_port_or_file(
    short_tmp_path,
):
    # The fork server's socket goes here too, and a Unix socket's path
    # must stay under 108 bytes: pytest's tmp_path is too deep.
    scratch = short_tmp_path
    env = child_environment()
    env["TMPDIR"] = str(scratch)  # where Dask would put its directories
    probe = subprocess.run(
        [sys.executable, "-c", CLUSTER_PROBE, str(BEYOND)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stderr == ""  # logs and warnings configured away
    report = json.loads(probe.stdout)
    assert report["workers"] == 2
    # The scheduler, its web server and each worker listen, all on
    # loopback.
    assert len(report["listening"]) >= 4
    assert {host for host, _ in report["listening"]} == {"127.0.0.1"}
    assert not {port for _, port in report["listening"]} & listening_ports()
    alive = [pid for pid in report["children"] if psutil.pid_exists(pid)]
    alive = [
        pid
        for pid in alive
        if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    assert alive == []
    assert list(scratch.iterdir()) == []


def test_client_without_a_server_fails_at_once():
    # A port that was free a moment ago: nothing listens there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = subprocess.run(
        [sys.executable, str(BEYOND / "_event_client.py")]
        + ["waiter", "waiter-1", "127.0.0.1", str(port)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "EVENT_SERVER_KEY": secrets.token_hex(32)},
    )
    assert client.returncode == 1
    assert client.stderr.splitlines()[-1].startswith("ConnectionRefusedError:")
    assert client.stdout == ""  # it never got as far as waiting


# Runs in a child process: the examples' cluster, with the scheduler
# answering heartbeats 0.4 s late, so that each worker has a heartbeat in
# flight when it closes: the shutdown race that CloseRaceFilter is for.
# Without the filter, each worker logs an ERROR with a traceback.
HEARTBEAT_IN_FLIGHT_AT_CLOSE = """
import asyncio, sys, time
sys.path.insert(0, sys.argv[1])
from _cluster import local_cluster


def answer_heartbeats_late(dask_scheduler):
    answer = dask_scheduler.handlers["heartbeat_worker"]

    async def late(*args, **kwargs):
        await asyncio.sleep(0.4)
        return answer(*args, **kwargs)

    dask_scheduler.handlers["heartbeat_worker"] = late


if __name__ == "__main__":
    with local_cluster(2) as client:
        client.run_on_scheduler(answer_heartbeats_late)
        time.sleep(1.2)  # heartbeats go out every 0.5 s: some in flight
    print("closed")
"""


def test_heartbeat_cut_off_by_closing_logs_nothing(tmp_path):
    program = tmp_path / "heartbeat_in_flight.py"
    program.write_text(HEARTBEAT_IN_FLIGHT_AT_CLOSE)
    probe = subprocess.run(
        [sys.executable, str(program), str(BEYOND)],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_environment(),
    )
    assert (probe.returncode, probe.stdout, probe.stderr) == (
        0,
        "closed\n",
        "",
    )


def test_close_race_filter_drops_only_the_cut_off_heartbeat(monkeypatch):
    monkeypatch.syspath_prepend(str(BEYOND))
    from _cluster import HEARTBEAT_FAILED, CloseRaceFilter
    from distributed.comm import CommClosedError
    from distributed.core import Status

    def passes(message, error, status):
        record = logging.LogRecord(
            "distributed.worker", logging.ERROR, __file__, 1, message,
            None, (type(error), error, None),
        )  # fmt: skip
        worker = types.SimpleNamespace(status=status)
        return CloseRaceFilter(worker).filter(record)

    cut_off = CommClosedError("in <TCP (closed)>: Stream is closed")
    assert not passes(HEARTBEAT_FAILED, cut_off, Status.closing)
    assert not passes(HEARTBEAT_FAILED, cut_off, Status.closed)
    # A running worker losing its scheduler is news: it gets through.
    assert passes(HEARTBEAT_FAILED, cut_off, Status.running)
    assert passes(HEARTBEAT_FAILED, OSError("timed out"), Status.closing)
    assert passes("Some other error", cut_off, Status.closing)
