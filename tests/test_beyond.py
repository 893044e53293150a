"""The examples of "Beyond one machine": loopback only, nothing left
behind, and no hang when there is no server.

Their outputs are checked with every other snippet (test_snippets.py);
these tests check what an output cannot show.
"""

import json
import os
import re
import secrets
import socket
import subprocess
import sys

import psutil

from snippet_runner.process import child_environment, run_program
from snippet_runner.runner import SNIPPETS_DIR

BEYOND = SNIPPETS_DIR / "beyond"

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


def listening_ports() -> set[int]:
    return {
        connection.laddr.port
        for connection in psutil.net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN
    }


def test_tcp_manager_stops_its_server_and_frees_its_port():
    result = run_program(BEYOND / "tcp_manager.py", timeout=60)
    assert result.exit_code == 0, result.output
    assert result.left_behind == []
    port = re.search(r"listening on 127\.0\.0\.1:(\d+)\n", result.output)
    assert port, result.output
    assert int(port.group(1)) not in listening_ports()


def test_cluster_is_on_loopback_and_leaves_no_process_port_or_file(
    tmp_path,
):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
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
