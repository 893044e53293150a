"""Each way a snippet can be wrong gets a clear message naming the file.

The fixture snippets in tests/fixtures/snippets are wrong on purpose and
are never part of the site.
"""

import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest

from conftest import FIXTURES, ROOT, fixture_example, project
from snippet_runner import runner
from snippet_runner.interpreters import build_interpreter
from snippet_runner.process import (
    Cancel,
    RunCancelled,
    RunResult,
    run_program,
)
from snippet_runner.runner import check_examples

# The fixtures run on the build's Python: what is tested is the message.
HERE = build_interpreter()


def check(name):
    """The fixture's run on the build's Python, and the message."""
    example = fixture_example(name)
    outcome = check_examples([example], [HERE], project())[example]
    assert not outcome.ok, f"{name} should have been reported as wrong"
    run = outcome.runs[0] if outcome.runs else None
    return run, outcome.report()


def on_here(name):
    """How a report names the fixture's run."""
    return f"tests/fixtures/snippets/{name}.py on {HERE.name}: "


def processes_running(pids):
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def processes_of(script_name):
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if script_name in cmdline and proc.info["status"] != "zombie":
            found.append(proc.pid)
    return found


# The tests that run hangs.py look for its processes by command line: on
# one worker, one after another, none sees another's.
one_hung_fixture_at_a_time = pytest.mark.xdist_group("hangs")


@one_hung_fixture_at_a_time
def test_hung_snippet_is_killed_with_all_its_processes(monkeypatch):
    # Timed from the start of the run to the end of the clean-up, not from
    # the call: check_run first waits while an 'alone' example of another
    # test runs (measured: 7.2 s in all, in 1 of 20 suite runs).
    durations = []

    def timed_run_program(*args, **kwargs):
        started = time.monotonic()
        try:
            return run_program(*args, **kwargs)
        finally:
            durations.append(time.monotonic() - started)

    monkeypatch.setattr(runner, "run_program", timed_run_program)
    outcome, report = check("hangs")
    (elapsed,) = durations
    assert report.startswith(on_here("hangs") + "timed out")
    assert "timed out after 2 s" in report
    assert "tests/fixtures/snippets/hangs.expect" in report
    # The output printed before the timeout is part of the report.
    assert re.search(r"\| manager pid \d+", report)
    assert re.search(r"\| worker pid \d+", report)
    assert elapsed < 2 + 5
    pids = [
        int(pid) for pid in re.findall(r"pid (\d+)", outcome.result.output)
    ]
    assert len(pids) == 2
    assert processes_running(pids) == []
    assert processes_of("fixtures/snippets/hangs.py") == []


def crowd_of_two(monkeypatch, starved):
    """Check two passing fixtures on a machine said to have one core, so
    that they count as a crowd; `starved(name, try)` says which tries of
    which snippet time out (without running). The names of every try."""
    monkeypatch.setenv("SNIPPET_RUNNER_CACHE", "off")  # really run each
    monkeypatch.setattr(runner, "CORES", 1)
    tries = []

    def maybe_starved(snippet, args, timeout, *rest, **options):
        tries.append(snippet.name)
        if starved(snippet.name, tries.count(snippet.name)):
            return RunResult([snippet.name], None, "", timeout, timeout)
        return run_program(snippet, args, timeout, *rest, **options)

    monkeypatch.setattr(runner, "run_program", maybe_starved)
    examples = [fixture_example(f"prints_{n}") for n in ("when", "markup")]
    outcomes = check_examples(examples, [HERE], project())
    return [outcomes[example] for example in examples], tries


def test_a_timeout_among_many_runs_goes_again(monkeypatch):
    (when, markup), tries = crowd_of_two(
        monkeypatch, lambda name, n: name == "prints_when.py" and n == 1
    )
    assert when.ok, when.report()
    assert [run.again for run in when.runs] == [True]
    assert [run.again for run in markup.runs] == [False]
    assert sorted(tries) == ["prints_markup.py"] + ["prints_when.py"] * 2


def test_a_second_timeout_fails_the_run(monkeypatch):
    (when, markup), tries = crowd_of_two(
        monkeypatch, lambda name, n: name == "prints_when.py"
    )
    assert markup.ok, markup.report()
    assert when.report().startswith(
        on_here("prints_when") + "timed out after 20 s twice, among many "
        "runs and then among at most 1 (the 'timeout' of "
        "tests/fixtures/snippets/prints_when.expect)"
    )
    assert tries.count("prints_when.py") == 2


def test_unexpected_exit_code():
    _, report = check("crashes")
    assert report.startswith(
        on_here("crashes") + "exited unexpectedly: "
        "exit code 1, expected 0 (tests/fixtures/snippets/crashes.expect)"
    )
    assert "| ValueError: something unexpected" in report


def test_expected_failure_that_succeeded():
    _, report = check("succeeds_unexpectedly")
    assert report.startswith(
        on_here("succeeds_unexpectedly") + "succeeded, but it "
        "is expected to fail: exit code 0, expected 1"
    )


def test_output_mismatch_points_at_the_expectation_line():
    _, report = check("wrong_output")
    lines = report.splitlines()
    assert lines[0] == (
        on_here("wrong_output") + "output does not match its expectation"
    )
    assert lines[1] == (
        "  first difference at tests/fixtures/snippets/wrong_output.expect:4"
    )
    assert lines[2] == (
        "    expected 'second line', output line 2: 'second line, changed'"
    )
    assert "  -second line" in lines
    assert "  +second line, changed" in lines


def test_missing_expectation():
    _, report = check("no_expectation")
    assert report == (
        "tests/fixtures/snippets/no_expectation.py: bad expectation: "
        "tests/fixtures/snippets/no_expectation.expect: missing: every "
        "snippet needs an expectation file"
    )


def test_malformed_expectation_says_where():
    _, report = check("malformed_expectation")
    assert report.startswith(
        "tests/fixtures/snippets/malformed_expectation.py: bad expectation: "
        "tests/fixtures/snippets/malformed_expectation.expect:3: unknown "
        "placeholder {number}"
    )


def test_processes_left_behind_are_reported_and_killed():
    outcome, report = check("leaves_process")
    assert "left processes running after it exited (now killed)" in report
    (pid,) = re.findall(r"sleeper pid (\d+)", outcome.result.output)
    assert processes_running([int(pid)]) == []


def test_resource_tracker_warning_fails_the_expectation():
    # The tracker warns after the main process has exited; the runner
    # still collects it, and the whole-output match rejects it.
    _, report = check("leaks_semaphore")
    assert "output does not match its expectation" in report
    assert (
        "resource_tracker: There appear to be 1 leaked semaphore objects"
        in report
    )


@one_hung_fixture_at_a_time
def test_cancelled_run_stops_at_once_and_kills_its_processes():
    cancel = Cancel()
    threading.Timer(1.5, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(RunCancelled):
        # Its expectation gives it 60 s: only the cancel can stop it.
        run_program(FIXTURES / "hangs.py", ("patient",), 60, cancel)
    assert time.monotonic() - started < 1.5 + 2
    assert processes_of("fixtures/snippets/hangs.py patient") == []


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="no pidfd here")
def test_a_cancel_wakes_a_wait_at_once_however_late_the_wait_began():
    # Runs wait on the cancel's pipe beside their program's pidfd, with no
    # polling: the pipe must be readable for a wait that starts after set().
    cancel = Cancel()
    early = cancel.fileno()
    assert select.select([early], [], [], 0)[0] == []
    cancel.set()
    assert select.select([early], [], [], 0)[0] == [early]
    late = Cancel()
    late.set()
    assert select.select([late.fileno()], [], [], 0)[0] == [late.fileno()]
    for flag in (cancel, late):
        flag.close()


# A build in miniature: check_examples on the hung fixture, until Ctrl-C.
INTERRUPTED = """
import signal, sys
from pathlib import Path
from snippet_runner.interpreters import build_interpreter
from snippet_runner.runner import example, check_examples
from snippet_runner.settings import load

project = load("mkdocs.yml")
signal.signal(signal.SIGINT, signal.default_int_handler)
try:
    found = example(Path(sys.argv[1]), project, ("patient",))
    check_examples([found], [build_interpreter()], project)
except KeyboardInterrupt:
    print("interrupted")
"""


@one_hung_fixture_at_a_time
def test_ctrl_c_stops_the_runs_and_leaves_no_process():
    snippet = "fixtures/snippets/hangs.py patient"
    checking = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED, str(FIXTURES / "hangs.py")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        # The program, its manager and two workers: the task is waiting.
        while len(processes_of(snippet)) < 4:
            assert time.monotonic() < deadline, "the fixture never started"
            time.sleep(0.05)
        checking.send_signal(signal.SIGINT)
        started = time.monotonic()
        output, _ = checking.communicate(timeout=30)
        assert time.monotonic() - started < 2
        assert (checking.returncode, output) == (0, "interrupted\n")
        assert processes_of(snippet) == []
    finally:  # if it failed: nothing of it may outlive the test
        checking.kill()
        for pid in processes_of(snippet):
            psutil.Process(pid).kill()
