"""Run one program as a real subprocess, the way a reader would run it.

Each run gets its own session (process group), so a timeout can kill the
whole tree it made: pool workers, a manager's server process, a forkserver,
the resource tracker. Nothing of a run may outlive it. Windows has no
process groups of that kind: there a run's processes are the ones whose
environment carries the run's own SNIPPET_RUNNER_RUN mark (every process
the program starts inherits it).
"""

from __future__ import annotations

import os
import platform
import re
import select
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from .interpreters import Interpreter, build_interpreter

ROOT = Path(__file__).resolve().parent.parent
CHILD_SITE = Path(__file__).resolve().parent / "child"
# How long the group may keep running after the main process exits (a
# worker still printing, a resource tracker noticing its parent is gone)
# before it counts as left behind; longer, up to EXIT_CAP_SECONDS, while
# it is still using the CPU: on a loaded machine a helper process that
# the program started just before it ended can take seconds to start up,
# see that it is no longer needed, and exit (seen with joblib's resource
# tracker while 270 runs shared 2 cores).
GRACE_SECONDS = 3.0
EXIT_CAP_SECONDS = 15.0
# How a run's output was captured, as its provenance line states it: the
# order of lines from several processes depends on it.
BUFFERING = "stdout and stderr line-buffered, into one pipe"
WINDOWS = os.name == "nt"


@dataclass
class RunResult:
    command: list[str]
    exit_code: int | None  # None: killed by the timeout
    output: str
    seconds: float
    timeout: float
    start_methods: list[str] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)
    # User + system CPU seconds of the program and of every process of it
    # that it waited for (see _exit_status); None where unmeasured.
    cpu_seconds: float | None = None
    python: str = ""
    platform: str = ""
    finished_at: str = ""
    buffering: str = BUFFERING

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None


def provenance(interpreter: Interpreter | None = None) -> dict[str, str]:
    """What produced an output, as every page states it: the Python (this
    one unless another is named), the platform, and when (now)."""
    if interpreter is not None:
        python = interpreter.name
    else:
        python = (
            f"{platform.python_implementation()} {platform.python_version()}"
        )
    return {
        "python": python,
        "platform": f"{platform.system()} {platform.machine()}",
        "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def child_environment() -> dict[str, str]:
    env = dict(os.environ)
    # Line buffering comes from child/sitecustomize.py; PYTHONUNBUFFERED
    # would undo it (an unbuffered print is two writes).
    env.pop("PYTHONUNBUFFERED", None)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(CHILD_SITE), env.get("PYTHONPATH")])
    )
    env.update(
        PYTHONIOENCODING="utf-8",
        PYTHONDONTWRITEBYTECODE="1",  # no __pycache__ left in snippets/
        PYTHON_COLORS="0",
        NO_COLOR="1",
    )
    return env


def shorten_paths(text: str, interpreter: Interpreter) -> str:
    """Absolute paths in tracebacks become repo-relative, or <stdlib>/ and
    <site-packages>/ of the interpreter that ran."""
    prefixes = [
        (interpreter.purelib, "<site-packages>"),
        (interpreter.platlib, "<site-packages>"),
        (str(ROOT), ""),
        (interpreter.stdlib, "<stdlib>"),
    ]
    for prefix, short in prefixes:
        text = text.replace(prefix + os.sep, short + "/" if short else "")
    if WINDOWS:  # the rest of each shortened path, with / as elsewhere
        text = re.sub(
            r"(?:<stdlib>|<site-packages>|snippets)[\\/][^\"\s,:]+",
            lambda found: found.group().replace("\\", "/"),
            text,
        )
    return text


def _running(proc: psutil.Process) -> bool:
    """Alive and not a zombie. A killed process whose parent is gone stays
    a zombie until the system's init reaps it (measured here: 1.6 s); it
    runs nothing and holds nothing but its process id."""
    try:
        return proc.status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.Error:
        return False


def survivors(group: int, marker: str = "") -> list[psutil.Process]:
    """The live processes of a run: on POSIX its process group; on
    Windows those whose SNIPPET_RUNNER_RUN is `marker`."""
    alive = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if WINDOWS:
                member = proc.pid == group or (
                    marker != ""
                    and proc.environ().get("SNIPPET_RUNNER_RUN") == marker
                )
            else:
                member = os.getpgid(proc.pid) == group
            if member and _running(proc):
                alive.append(proc)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return alive


def _cpu_seconds(procs: list[psutil.Process]) -> dict[int, float]:
    """{pid: CPU seconds so far} of the processes still there."""
    found = {}
    for proc in procs:
        try:
            times = proc.cpu_times()
            found[proc.pid] = times.user + times.system
        except psutil.Error:
            continue
    return found


def _ended_by_itself(
    group: int, reader: threading.Thread, marker: str = ""
) -> bool:
    """Did everything the run started end, and close the output pipe, by
    itself? Waits GRACE_SECONDS, and on while something of the group is
    still using the CPU, up to EXIT_CAP_SECONDS. A process that has
    closed its end of the pipe may still be exiting: it shows as running,
    with no command line, for a moment."""
    started, before = time.monotonic(), {}
    while True:
        reader.join(0.1)
        alive = survivors(group, marker)
        if not reader.is_alive() and not alive:
            return True
        waited = time.monotonic() - started
        now = _cpu_seconds(alive)
        working = any(now[pid] > before.get(pid, -1) for pid in now)
        before = now
        if waited >= EXIT_CAP_SECONDS or (
            waited >= GRACE_SECONDS and not working
        ):
            return False
        time.sleep(0.4)


def describe(procs: list[psutil.Process]) -> list[str]:
    """'pid N: its command line', for messages."""
    described = []
    for proc in procs:
        try:
            described.append(f"pid {proc.pid}: {' '.join(proc.cmdline())}")
        except psutil.Error:
            described.append(f"pid {proc.pid}")
    return described


def kill_group(group: int, marker: str = "") -> list[str]:
    """Kill every live process of the run (see survivors); describe what
    was killed."""
    alive = survivors(group, marker)
    described = describe(alive)
    if WINDOWS:
        for proc in alive:
            try:
                proc.kill()
            except psutil.Error:
                pass
    else:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Not psutil.wait_procs: it waits for zombies to be reaped as well.
    deadline = time.monotonic() + 5
    while any(map(_running, alive)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return described


class RunCancelled(Exception):
    """The run was stopped, its processes killed, because whatever runs it
    is stopping (Ctrl-C in a build, say)."""


class Cancel:
    """The flag that stops runs: set() once, and every run that is waiting
    stops. Like threading.Event; where a run can wait for its program's
    exit on a file descriptor (Linux), it waits on this flag's too, so the
    wait needs no polling: a cold build waits on 32 runs at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._pipe: tuple[int, int] | None = None

    def set(self) -> None:
        with self._lock:
            self._event.set()
            if self._pipe is not None:
                os.write(self._pipe[1], b"x")

    def is_set(self) -> bool:
        return self._event.is_set()

    def fileno(self) -> int:
        """Readable once set (a pipe, made on first use)."""
        with self._lock:
            if self._pipe is None:
                self._pipe = os.pipe()
                if self._event.is_set():
                    os.write(self._pipe[1], b"x")
            return self._pipe[0]

    def close(self) -> None:
        with self._lock:
            if self._pipe is not None:
                for end in self._pipe:
                    os.close(end)
                self._pipe = None


def _exit_status(
    proc: subprocess.Popen, timeout: float, cancel: Cancel | None = None
) -> tuple[int, float | None]:
    """Like proc.wait(timeout), and also the CPU seconds the program used,
    with every descendant it waited for, from the kernel's wait4 rusage.
    Not counted: processes it did not wait for, such as workers still
    exiting after it did (they are orphaned) or a forkserver; the run's
    cost is a lower bound. None where the platform has no wait4/pidfd.
    RunCancelled as soon as `cancel` is set."""
    if not (hasattr(os, "wait4") and hasattr(os, "pidfd_open")):
        return _polled_exit_status(proc, timeout, cancel), None
    if proc.returncode is not None:
        return proc.returncode, None
    handle = os.pidfd_open(proc.pid)
    try:
        # Readable once the process has exited: no polling, no latency.
        waited_on = [handle] if cancel is None else [handle, cancel.fileno()]
        ready = select.select(waited_on, [], [], max(timeout, 0))[0]
    finally:
        os.close(handle)
    if handle not in ready:
        if ready:  # the cancel's pipe
            raise RunCancelled(f"{proc.args[1]}: stopped")
        return None, None
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime


def _polled_exit_status(
    proc: subprocess.Popen, timeout: float, cancel: Cancel | None
) -> int | None:
    """proc.wait(timeout) (None at the timeout), looking at `cancel` ten
    times a second: where there is no pidfd to wait on."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if cancel is not None:
            remaining = min(remaining, 0.1)
        try:
            return proc.wait(max(remaining, 0))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                return None
        if cancel is not None and cancel.is_set():
            raise RunCancelled(f"{proc.args[1]}: stopped")


def run_program(
    script: Path,
    args: tuple[str, ...] = (),
    timeout: float = 20.0,
    cancel: Cancel | None = None,
    interpreter: Interpreter | None = None,
) -> RunResult:
    """Run `script` on `interpreter` (default: the Python running this)."""
    if interpreter is None:
        interpreter = build_interpreter()
    # With / on every system: tracebacks show the path as it was given.
    command = [interpreter.path, script.relative_to(ROOT).as_posix(), *args]
    if cancel is not None and cancel.is_set():  # it waited for its turn
        raise RunCancelled(f"{command[1]}: not started")
    with tempfile.TemporaryDirectory(prefix="snippet-run-") as scratch:
        report = Path(scratch) / "start-methods.txt"
        env = child_environment()
        env["SNIPPET_RUNNER_REPORT"] = str(report)
        marker = str(report)  # finds the run's processes on Windows
        env["SNIPPET_RUNNER_RUN"] = marker
        if WINDOWS:
            apart = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        else:
            apart = {"start_new_session": True}
        started = time.monotonic()
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # one pipe keeps the true order
            **apart,
        )
        chunks: list[bytes] = []
        reader = threading.Thread(
            target=lambda: chunks.extend(
                iter(lambda: proc.stdout.read1(), b"")
            )
        )
        reader.start()
        try:
            exit_code, cpu_seconds = _exit_status(proc, timeout, cancel)
        except BaseException:
            # Cancelled, Ctrl-C, a test's time limit: the snippet runs in a
            # session of its own, out of reach of the terminal's Ctrl-C, so
            # its processes must be killed here.
            kill_group(proc.pid, marker)
            proc.wait()
            reader.join()
            proc.stdout.close()
            raise
        seconds = time.monotonic() - started
        left_behind: list[str] = []
        if exit_code is None:
            kill_group(proc.pid, marker)
            proc.wait()
        else:
            # Workers that still hold the pipe are still running.
            if not _ended_by_itself(proc.pid, reader, marker):
                left_behind = kill_group(proc.pid, marker)
        reader.join()
        proc.stdout.close()
        start_methods = []
        if report.is_file():
            start_methods = report.read_text().split()
    output = b"".join(chunks).decode("utf-8", errors="replace")
    if WINDOWS:  # print() ends lines with \r\n there
        output = output.replace("\r\n", "\n")
    return RunResult(
        command=["python", *command[1:]],
        exit_code=exit_code,
        output=shorten_paths(output, interpreter),
        seconds=seconds,
        timeout=timeout,
        start_methods=start_methods,
        left_behind=left_behind,
        cpu_seconds=cpu_seconds,
        **provenance(interpreter),
    )
