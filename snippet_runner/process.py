"""Run one program as a real subprocess, the way a reader would run it.

What a run may reach, and what may outlive it:

- **Working directory.** A scratch copy of the program's folder, at the
  same path below a temporary folder as the folder has below the project
  (`snippets/topic/`), so a program that writes, moves or deletes files
  does so in the copy: the project is never its working directory.
- **Environment.** Scrubbed: only the variables an allowlist names
  (the plugin's `environment` option, DEFAULT_ENVIRONMENT unless it
  says) reach the program,
  so a token or password in the build's environment can reach neither a
  page nor the run cache.
- **Output.** Standard output and standard error, in one pipe, kept up
  to `max_output` bytes; the rest is read and counted, not kept
  (`RunResult.cut`).
- **Processes.** Each run gets its own session (process group), and its
  environment carries a mark of its own (SNIPPET_RUNNER_RUN) that every
  process it starts inherits. Its processes are those of the group, those
  that left the group (setsid, a double fork) but carry the mark, and, on
  Linux, any process that holds its output pipe. Nothing of a run may
  outlive it: a timeout, a cancel or a SIGTERM to the build kills all of
  them, and what is still running after the program exits is killed and
  reported. The output is never waited for beyond that: a process that
  could not be found or killed cannot hang the build on the pipe.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import platform
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from .interpreters import Interpreter, build_interpreter

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
LINUX = sys.platform.startswith("linux")
CORES = os.cpu_count() or 1
MARK = "SNIPPET_RUNNER_RUN"
# The variables of the build's environment a run gets (shell-style
# patterns, matched case-sensitively; upper-case on Windows, whose names
# are). What Python itself needs on each system, and the locale; nothing
# of CI (GITHUB_TOKEN and the like) and nothing of the build's Python
# (PYTHONPATH, VIRTUAL_ENV). The plugin's `environment` option replaces it.
DEFAULT_ENVIRONMENT = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "LC_*",
    "TZ",
    "TMPDIR",
    "TEMP",
    "TMP",
    # Windows: Python's sockets, random numbers and temporary files
    # need these.
    "SYSTEMROOT",
    "SYSTEMDRIVE",
    "WINDIR",
    "COMSPEC",
    "PATHEXT",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
    "PROGRAMDATA",
    "NUMBER_OF_PROCESSORS",
    "PROCESSOR_ARCHITECTURE",
)
# Bytes of output a run keeps (the plugin's `max_output`): a program that
# prints 200 MB gives a page of 1 MiB and says it was cut.
DEFAULT_MAX_OUTPUT = 1024 * 1024
# Of a run that timed out: the share of its time, at the end, in which its
# processes are watched for running or waiting for a CPU (Linux). A run
# whose processes did neither was not starved by the load: it hung.
WATCHED_SHARE = 0.25
STARVED_SHARE = 0.1  # of the watched time spent waiting for a CPU
# A start method as a run reports it: multiprocessing's (fork, spawn,
# forkserver) or a library's own context (joblib's loky).
START_METHOD = re.compile(r"[a-z][a-z0-9_]{0,29}")


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
    # Bytes of output past max_output: read, counted, not kept.
    cut: int = 0
    # Timed out while its processes neither ran nor waited for a CPU:
    # True; starved of CPU or IO: False; None where it cannot be told
    # (not Linux) or it did not time out.
    hung: bool | None = None
    # Problems of the run itself (an output pipe it could not close).
    troubles: list[str] = field(default_factory=list)

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


@functools.lru_cache(maxsize=8)
def _allowlist(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(map(fnmatch.translate, patterns)) or "(?!)")


def allowed(
    name: str, patterns: tuple[str, ...] = DEFAULT_ENVIRONMENT
) -> bool:
    """Does the allowlist let this variable through to a run?"""
    return _allowlist(tuple(patterns)).fullmatch(name) is not None


def passed_environment(
    patterns: tuple[str, ...] = DEFAULT_ENVIRONMENT,
) -> dict[str, str]:
    """The build's variables that a run gets: those the allowlist names."""
    return {
        name: value
        for name, value in os.environ.items()
        if allowed(name, patterns)
    }


def child_environment(
    patterns: tuple[str, ...] = DEFAULT_ENVIRONMENT,
) -> dict[str, str]:
    """A run's whole environment: the allowed variables, and the engine's
    own (line buffering, UTF-8, no bytecode files, no colours)."""
    env = passed_environment(patterns)
    # Line buffering comes from child/sitecustomize.py; the build's own
    # PYTHONPATH is not passed on.
    env["PYTHONPATH"] = str(CHILD_SITE)
    env.update(
        PYTHONIOENCODING="utf-8",
        PYTHONDONTWRITEBYTECODE="1",  # no __pycache__ in the copy
        PYTHON_COLORS="0",
        NO_COLOR="1",
    )
    return env


def shorten_paths(
    text: str, interpreter: Interpreter, *folders: Path | str
) -> str:
    """Absolute paths in tracebacks become project-relative (below the
    `folders`: the project, a run's scratch copy of it), or <stdlib>/ and
    <site-packages>/ of the interpreter that ran."""
    prefixes = [
        (interpreter.purelib, "<site-packages>"),
        (interpreter.platlib, "<site-packages>"),
        *((str(folder), "") for folder in folders),
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


# -- The processes of a run ------------------------------------------------


def _running(proc: psutil.Process) -> bool:
    """Alive and not a zombie. A killed process whose parent is gone stays
    a zombie until the system's init reaps it (measured here: 1.6 s); it
    runs nothing and holds nothing but its process id."""
    try:
        return proc.status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD)
    except psutil.Error:
        return False


def _proc_stat(pid: str) -> tuple[str, int] | None:
    """(state letter, process group) from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rpartition(b")")[2].split()
        return fields[0].decode(), int(fields[2])
    except (OSError, IndexError, ValueError):
        return None


def _carries(pid: str, mark: bytes) -> bool:
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            return mark in b"\0" + environ.read()
    except OSError:
        return False


def _linux_members(group: int, marker: str) -> list[int]:
    """One pass over /proc: the live processes of the group, and those
    outside it whose environment carries the run's mark."""
    mark = f"\0{MARK}={marker}\0".encode()
    own = os.getpid()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == own:
            continue
        stat = _proc_stat(pid)
        if stat is None or stat[0] in "ZXx":
            continue
        if stat[1] == group or (marker and _carries(pid, mark)):
            found.append(int(pid))
    return found


def survivors(group: int, marker: str = "") -> list[psutil.Process]:
    """The live processes of a run: its process group, and the processes
    whose SNIPPET_RUNNER_RUN is `marker` (those that left the group with
    setsid or a double fork inherited it too)."""
    if LINUX:
        pids = _linux_members(group, marker)
        alive = []
        for pid in pids:
            try:
                alive.append(psutil.Process(pid))
            except psutil.Error:
                continue
        return alive
    alive = []
    for proc in psutil.process_iter(["pid"]):
        try:
            member = (
                proc.pid == group if WINDOWS else os.getpgid(proc.pid) == group
            )
            if not member and marker:
                member = proc.environ().get(MARK) == marker
            if member and _running(proc):
                alive.append(proc)
        except (ProcessLookupError, PermissionError, psutil.Error):
            continue
    return alive


def pipe_holders(pipe_fd: int) -> list[psutil.Process]:
    """The processes, other than this one, that hold the pipe this
    descriptor is an end of (Linux: their /proc/PID/fd links name its
    inode); [] elsewhere."""
    if not LINUX:
        return []
    target = f"pipe:[{os.fstat(pipe_fd).st_ino}]"
    own, found = os.getpid(), []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == own:
            continue
        try:
            links = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for link in links:
            try:
                if os.readlink(f"/proc/{pid}/fd/{link}") == target:
                    found.append(psutil.Process(int(pid)))
                    break
            except (OSError, psutil.Error):
                continue
    return found


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


def describe(procs: list[psutil.Process]) -> list[str]:
    """'pid N: its command line', for messages."""
    described = []
    for proc in procs:
        try:
            described.append(f"pid {proc.pid}: {' '.join(proc.cmdline())}")
        except psutil.Error:
            described.append(f"pid {proc.pid}")
    return described


def _kill(procs: list[psutil.Process]) -> None:
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass


def _descendants(procs: list[psutil.Process]) -> list[psutil.Process]:
    """A snapshot of each one's descendants: what cleared its environment
    but is still below a process of the run."""
    found = []
    for proc in procs:
        try:
            found += proc.children(recursive=True)
        except psutil.Error:
            continue
    return found


def kill_group(group: int, marker: str = "") -> list[str]:
    """Kill every live process of the run (see survivors) and whatever
    runs below them; describe what was killed. In rounds, until none is
    left: a process may start another between the look and the kill."""
    described: list[str] = []
    seen: set[int] = set()
    for _ in range(5):
        alive = survivors(group, marker)
        alive += [
            proc
            for proc in _descendants(alive)
            if proc.pid not in {p.pid for p in alive}
        ]
        if not alive:
            break
        described += [
            text
            for proc, text in zip(alive, describe(alive), strict=True)
            if proc.pid not in seen
        ]
        seen.update(proc.pid for proc in alive)
        if not WINDOWS:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                # Gone, or (macOS) a group of zombies: its members are
                # killed one by one below.
                pass
        _kill(alive)
        # Not psutil.wait_procs: it waits for zombies to be reaped as well.
        deadline = time.monotonic() + 5
        while any(map(_running, alive)) and time.monotonic() < deadline:
            time.sleep(0.01)
    return described


# -- Runs in progress, for a SIGTERM to the build ------------------------

_LIVE: dict[int, str] = {}  # process group: mark, of each run going on
_LIVE_LOCK = threading.Lock()
_TERMINATING = threading.Event()
_PREVIOUS: dict[int, object] = {}


@contextmanager
def live(group: int, marker: str = ""):
    """While in this block, a SIGTERM to the build kills this group (and
    the processes that carry `marker`): for processes the engine starts
    other than through run_program (a notebook's kernel)."""
    with _LIVE_LOCK:
        _LIVE[group] = marker
    try:
        yield
    finally:
        with _LIVE_LOCK:
            _LIVE.pop(group, None)


def kill_live_runs() -> None:
    """Kill every run in progress, with all its processes; start none."""
    _TERMINATING.set()
    with _LIVE_LOCK:
        live = dict(_LIVE)
    for group, marker in live.items():
        kill_group(group, marker)


def _on_termination(signum, frame) -> None:
    kill_live_runs()
    previous = _PREVIOUS.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
        return
    signal.signal(signum, previous)
    os.kill(os.getpid(), signum)  # ends as the signal would have


def handle_termination() -> None:
    """SIGTERM (and SIGHUP) to this process kills every run in progress
    and its processes first, then ends the process as the signal would
    have; SIGINT (Ctrl-C) already stops them through RunCancelled. Only
    the main thread may install it; elsewhere it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None or signal.getsignal(signum) is _on_termination:
            continue
        _PREVIOUS[signum] = signal.getsignal(signum)
        signal.signal(signum, _on_termination)


class RunCancelled(Exception):
    """The run was stopped, its processes killed, because whatever runs it
    is stopping (Ctrl-C in a build, say), or because another run of the
    same example hung."""


class Cancel:
    """The flag that stops runs: set() once, and every run that is waiting
    stops. Like threading.Event; where a run can wait for its program's
    exit on a file descriptor (Linux), it waits on this flag's too, so the
    wait needs no polling: a cold build waits on 32 runs at once."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._pipe: tuple[int, int] | None = None
        self.reason = ""

    def set(self, reason: str = "") -> None:
        with self._lock:
            if not self._event.is_set():
                self.reason = reason
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


def _cancels(cancel) -> list[Cancel]:
    if cancel is None:
        return []
    if isinstance(cancel, Cancel):
        return [cancel]
    return list(cancel)


def _stopped(proc: subprocess.Popen, cancels: list[Cancel], how: str):
    reasons = [flag.reason for flag in cancels if flag.is_set()]
    reason = next((text for text in reasons if text), "stopped")
    return RunCancelled(f"{proc.args[1]}: {how}: {reason}")


# -- Starved or hung -------------------------------------------------------


def _busy(group: int, marker: str) -> tuple[float, bool]:
    """(seconds the run's processes have waited for a CPU, is one in
    uninterruptible IO), summed from /proc/PID/schedstat (Linux)."""
    waited, in_io = 0.0, False
    for pid in _linux_members(group, marker):
        try:
            with open(f"/proc/{pid}/schedstat", "rb") as schedstat:
                waited += int(schedstat.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            continue
        stat = _proc_stat(str(pid))
        in_io = in_io or (stat is not None and stat[0] == "D")
    return waited, in_io


def _wait(handle: int, cancels: list[Cancel], seconds: float) -> list[int]:
    waited_on = [handle, *(flag.fileno() for flag in cancels)]
    return select.select(waited_on, [], [], max(seconds, 0))[0]


def _exit_status(
    proc: subprocess.Popen,
    timeout: float,
    cancel=None,
    marker: str = "",
) -> tuple[int | None, float | None, bool | None]:
    """Like proc.wait(timeout), and also the CPU seconds the program used,
    with every descendant it waited for, from the kernel's wait4 rusage,
    and, if it timed out, whether it hung (see RunResult.hung). Not
    counted: processes it did not wait for, such as workers still
    exiting after it did (they are orphaned) or a forkserver; the run's
    cost is a lower bound. None where the platform has no wait4/pidfd.
    RunCancelled as soon as a `cancel` is set."""
    cancels = _cancels(cancel)
    if not (hasattr(os, "wait4") and hasattr(os, "pidfd_open")):
        return _polled_exit_status(proc, timeout, cancels), None, None
    if proc.returncode is not None:
        return proc.returncode, None, None
    handle = os.pidfd_open(proc.pid)
    try:
        # Readable once the process has exited: no polling, no latency.
        # The last part of the time is watched: did the run wait for a
        # CPU then (starved), or sleep (hung)?
        watched = timeout * WATCHED_SHARE
        ready = _wait(handle, cancels, timeout - watched)
        before = None
        if not ready:
            before = _busy(proc.pid, marker)
            ready = _wait(handle, cancels, watched)
    finally:
        os.close(handle)
    if handle not in ready:
        if ready:  # a cancel's pipe
            raise _stopped(proc, cancels, "stopped")
        after = _busy(proc.pid, marker)
        starved = after[1] or after[0] - before[0] >= STARVED_SHARE * watched
        return None, None, not starved
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime, None


def _polled_exit_status(
    proc: subprocess.Popen, timeout: float, cancels: list[Cancel]
) -> int | None:
    """proc.wait(timeout) (None at the timeout), looking at the cancels
    ten times a second: where there is no pidfd to wait on."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if cancels:
            remaining = min(remaining, 0.1)
        try:
            return proc.wait(max(remaining, 0))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                return None
        if any(flag.is_set() for flag in cancels):
            raise _stopped(proc, cancels, "stopped")


# -- The output ------------------------------------------------------------


class _Output:
    """Reads a run's output pipe in a thread: keeps the first `limit`
    bytes (ending with a whole line), counts the rest. Where select works
    on pipes (not Windows), close() ends the reading at once, even while
    a process that escaped every kill still holds the pipe open."""

    def __init__(self, pipe, limit: int):
        self.pipe, self.limit = pipe, limit
        self.kept = bytearray()
        self.total = 0
        self.full = False
        self._wake = None if WINDOWS else os.pipe()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _take(self, data: bytes) -> None:
        self.total += len(data)
        if self.full:
            return
        self.kept += data
        if len(self.kept) > self.limit:
            # What is kept ends with a whole line.
            del self.kept[self.limit :]
            del self.kept[self.kept.rfind(b"\n") + 1 :]
            self.full = True

    def _read(self) -> None:
        fd = self.pipe.fileno()
        if self._wake is None:
            for data in iter(lambda: self.pipe.read1(), b""):
                self._take(data)
            return
        while True:
            ready = select.select([fd, self._wake[0]], [], [])[0]
            if self._wake[0] in ready:
                return
            data = os.read(fd, 1 << 16)
            if not data:
                return
            self._take(data)

    def done(self, seconds: float = 0.0) -> bool:
        self.thread.join(seconds)
        return not self.thread.is_alive()

    def close(self) -> None:
        if self._wake is not None:
            if self.thread.is_alive():
                os.write(self._wake[1], b"x")
            self.thread.join()
            for end in self._wake:
                os.close(end)
        else:
            self.thread.join()
        self.pipe.close()

    @property
    def cut(self) -> int:
        return self.total - len(self.kept)


def _ended_by_itself(group: int, output: _Output, marker: str = "") -> bool:
    """Did everything the run started end, and close the output pipe, by
    itself? Waits GRACE_SECONDS, and on while something of the group is
    still using the CPU, up to EXIT_CAP_SECONDS. A process that has
    closed its end of the pipe may still be exiting: it shows as running,
    with no command line, for a moment."""
    started, before = time.monotonic(), {}
    while True:
        output.done(0.1)
        alive = survivors(group, marker)
        if output.done() and not alive:
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


def _release_output(output: _Output) -> tuple[list[str], list[str]]:
    """Once the run's processes are killed: the pipe must close. If it
    does not, whatever still holds it escaped the run's group and mark
    (a process that cleared its environment): found by the pipe (Linux),
    killed, and described. (killed, troubles)"""
    if output.done(2.0):
        return [], []
    holders = pipe_holders(output.pipe.fileno())
    killed = describe(holders)
    _kill(holders)
    if output.done(2.0):
        return killed, []
    return killed, [
        "a process that escaped the run's process group still held its "
        "output pipe open after every process of the run was killed: "
        "stopped reading it (the output may lack its end)"
    ]


def _scratch_copy(script: Path, root: Path, scratch: Path) -> Path:
    """Copy the program's folder into `scratch` at its path below `root`
    (or at its own name, for a program outside the project); the folder
    to run in."""
    try:
        relative = script.parent.relative_to(root)
    except ValueError:
        relative = Path(script.parent.name)
    work = scratch / "work"
    shutil.copytree(
        script.parent,
        work / relative,
        symlinks=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    return work


def run_program(
    script: Path,
    args: tuple[str, ...] = (),
    timeout: float = 20.0,
    cancel=None,
    interpreter: Interpreter | None = None,
    root: Path | None = None,
    environment: tuple[str, ...] = DEFAULT_ENVIRONMENT,
    max_output: int = DEFAULT_MAX_OUTPUT,
) -> RunResult:
    """Run `script` on `interpreter` (default: the Python running this) as
    `python <its path below root> args` (root: the project's folder, else
    the script's own), in a scratch copy of its folder, with the variables
    `environment` names, keeping `max_output` bytes of output.
    `cancel`: a Cancel, or several; any of them stops the run."""
    root = Path(root) if root is not None else script.parent
    if interpreter is None:
        interpreter = build_interpreter()
    cancels = _cancels(cancel)
    try:
        shown_path = script.relative_to(root).as_posix()
    except ValueError:
        shown_path = f"{script.parent.name}/{script.name}"
    # With / on every system: tracebacks show the path as it was given.
    command = [interpreter.path, shown_path, *args]
    if any(flag.is_set() for flag in cancels):  # it waited for its turn
        raise _stopped(_Args(command), cancels, "not started")
    with tempfile.TemporaryDirectory(prefix="snippet-run-") as scratch:
        scratch = Path(scratch)
        work = _scratch_copy(script, root, scratch)
        report = scratch / "start-methods.txt"
        marker = secrets.token_hex(12)
        env = child_environment(environment)
        env["SNIPPET_RUNNER_REPORT"] = str(report)
        env[MARK] = marker
        if os.environ.get("SNIPPET_RUNNER_STARTS"):  # make bench counts
            env["SNIPPET_RUNNER_STARTS"] = os.environ["SNIPPET_RUNNER_STARTS"]
        if WINDOWS:
            apart = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        else:
            apart = {"start_new_session": True}
        with _LIVE_LOCK:
            if _TERMINATING.is_set():
                raise RunCancelled(f"{command[1]}: not started: terminating")
            started = time.monotonic()
            proc = subprocess.Popen(
                command,
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,  # one pipe keeps the true order
                **apart,
            )
            _LIVE[proc.pid] = marker
        output = _Output(proc.stdout, max_output)
        try:
            try:
                exit_code, cpu_seconds, hung = _exit_status(
                    proc, timeout, cancels, marker
                )
            except BaseException:
                # Cancelled, Ctrl-C, a test's time limit: the snippet runs
                # in a session of its own, out of reach of the terminal's
                # Ctrl-C, so its processes must be killed here.
                kill_group(proc.pid, marker)
                proc.wait()
                _release_output(output)
                output.close()
                raise
            seconds = time.monotonic() - started
            left_behind: list[str] = []
            if exit_code is None:
                kill_group(proc.pid, marker)
                proc.wait()
            elif not _ended_by_itself(proc.pid, output, marker):
                # Workers that still hold the pipe are still running.
                left_behind = kill_group(proc.pid, marker)
            held, troubles = _release_output(output)
            left_behind += held
            output.close()
        finally:
            with _LIVE_LOCK:
                _LIVE.pop(proc.pid, None)
        start_methods = []
        if report.is_file():
            start_methods = report.read_text(
                encoding="utf-8", errors="replace"
            ).split()
        if not all(map(START_METHOD.fullmatch, start_methods)):
            # Written by the program itself (sitecustomize's state is
            # within its reach): not shown as provenance.
            troubles.append(
                "its report of start methods holds words that are no start "
                f"method: {start_methods!r}"[:500]
            )
            start_methods = [
                method
                for method in start_methods
                if START_METHOD.fullmatch(method)
            ][:10]
        text = bytes(output.kept).decode("utf-8", errors="replace")
        if WINDOWS:  # print() ends lines with \r\n there
            text = text.replace("\r\n", "\n")
        text = shorten_paths(text, interpreter, work, work.resolve(), root)
    return RunResult(
        command=["python", *command[1:]],
        exit_code=exit_code,
        output=text,
        seconds=seconds,
        timeout=timeout,
        start_methods=start_methods,
        left_behind=left_behind,
        cpu_seconds=cpu_seconds,
        cut=output.cut,
        hung=hung,
        troubles=troubles,
        **provenance(interpreter),
    )


@dataclass
class _Args:
    """Stands for a process not started, in _stopped's message."""

    args: list[str]
