"""The engine against bad and hostile input: what a snippet or a result file
could do to a page, the build's log, the cache, the project or the
machine, and what the engine does instead (CONTRIBUTING.md, "What the
engine guarantees").

The fixture snippets in tests/fixtures/snippets do these things on
purpose; each test runs them on the build's Python.
"""

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from bs4 import BeautifulSoup

from conftest import (
    FIXTURES,
    ROOT,
    build_site,
    fixture_example,
    interpreters,
    one_page_site,
    project,
)
from snippet_runner import cache, platforms, process, results, runner
from snippet_runner import expectation as expect
from snippet_runner.interpreters import build_interpreter
from snippet_runner.pages import output_html
from snippet_runner.process import RunResult, run_program
from snippet_runner.runner import check_examples

HERE = build_interpreter()
LINUX = sys.platform.startswith("linux")
MAX_OUTPUT = getattr(process, "DEFAULT_MAX_OUTPUT", 1 << 20)
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


fixture = fixture_example


def checked(name: str, *args: str, site=None):
    """The fixture's outcome on the build's Python, afresh."""
    example = fixture(name, *args)
    return check_examples([example], [HERE], site or project())[example]


def alive(pids) -> list[int]:
    found = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                found.append(pid)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.fixture(autouse=True)
def fresh_runs(monkeypatch):
    monkeypatch.setenv("SNIPPET_RUNNER_CACHE", "off")


# -- Escaping: every field that reaches a page -----------------------------


def hostile_outcome(tmp_path) -> runner.ExampleOutcome:
    """An outcome whose result has markup in every text field, as a
    result file could write them (it bypasses validation)."""
    result = RunResult(
        command=["python", HOSTILE],
        exit_code=0,
        output=HOSTILE,
        seconds=1.0,
        timeout=20,
        start_methods=[HOSTILE],
        python=f"CPython {HOSTILE}",
        platform=f"Linux {HOSTILE}",
        finished_at=HOSTILE,
        buffering=HOSTILE,
    )
    expectation = tmp_path / "demo.expect"
    expectation.write_text("exit: 0\n---\n...\n")
    case = expect.load(expectation).cases[0]
    run = runner.Run(fixture("prints_when"), HERE)
    outcome = runner.ExampleOutcome(run.example)
    outcome.runs.append(runner.Outcome(run, case, result))
    return outcome


def test_every_provenance_field_reaches_the_page_as_text(tmp_path):
    html = output_html(hostile_outcome(tmp_path))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("img") is None
    assert soup.find("script") is None
    provenance = soup.select_one(".example-provenance").get_text()
    # Each field is there, as the text it was.
    assert provenance.count(HOSTILE) == 6


def test_a_snippet_that_writes_its_own_start_methods_fails(tmp_path):
    outcome = checked("forges_start_method")
    assert not outcome.ok
    (run,) = outcome.runs
    assert "holds words that are no start method" in run.report()
    assert run.result.start_methods == []
    soup = BeautifulSoup(output_html(outcome), "html.parser")
    assert soup.find("img") is None
    assert "'<img', 'src=x'" in soup.get_text()  # as text


# -- Results made elsewhere: validated, never in place of the build's own --


def stored_record(**changes) -> dict:
    """A valid result file's record, as `run --out` writes it, changed."""
    interpreter = dataclasses.asdict(HERE)
    result = RunResult(
        command=["python", "snippets/demo/same.py"],
        exit_code=0,
        output="hello\n",
        seconds=0.1,
        timeout=20,
        start_methods=["spawn"],
        python=HERE.name,
        platform="Windows AMD64",
        finished_at="2026-12-04 10:00 UTC",
    )
    record = {
        "format": getattr(results, "FORMAT", 1),
        "example": "demo/same.py",
        "platform": "windows",
        "interpreter": interpreter,
        "result": dataclasses.asdict(result),
        "inputs": {"snippets/demo/same.py": "0" * 64},
    }
    for path, value in changes.items():
        target = record
        *parents, last = path.split(".")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return record


def read_error(tmp_path, record) -> str:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(record))
    with pytest.raises(results.ResultsError) as error:
        results.read(path, ((3, 9), (3, 14)))
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    return message


def test_a_valid_result_file_is_read(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps(stored_record()))
    stored = results.read(path, ((3, 9), (3, 14)))
    assert (stored.platform, stored.result.output) == ("windows", "hello\n")


@pytest.mark.parametrize(
    "changes, says",
    [
        ({"result.exit_code": False}, "result.exit_code: expected an "),
        ({"result.seconds": "fast"}, "result.seconds: expected a number"),
        ({"platform": "plan9"}, "platform: 'plan9' is not one of"),
        (
            {"interpreter.version": "3.2.1", "result.python": "CPython 3.2.1"},
            "3.2.1 is outside the versions this build supports",
        ),
        ({"result.platform": "Linux x86_64"}, "is not a windows system"),
        ({"result.start_methods": [HOSTILE]}, "result.start_methods[0]"),
        ({"result.finished_at": HOSTILE}, "result.finished_at"),
        ({"result.output": "x" * (MAX_OUTPUT + 1)}, "at most"),
        ({"example": "../../etc/passwd"}, "example: "),
        ({"inputs": ["snippet"]}, "inputs: expected an object, got a list"),
        ({"result.command": None}, "result.command: expected a list"),
        ({"format": True}, "format true"),
    ],
)
def test_a_result_file_with_a_wrong_field_is_refused_naming_it(
    tmp_path, changes, says
):
    assert says in read_error(tmp_path, stored_record(**changes))


@pytest.mark.parametrize("text", ["[]", '"a result"', "null", "{"])
def test_a_result_file_that_is_no_object_is_refused_without_traceback(
    tmp_path, text
):
    path = tmp_path / "result.json"
    path.write_text(text)
    with pytest.raises(results.ResultsError, match="result.json: not a"):
        results.read(path)


def test_a_forged_result_adds_a_run_marked_elsewhere_never_the_shown_one(
    tmp_path, monkeypatch
):
    # A result "made" on this system by an unseen 3.10.99 at the build's
    # own sys.executable: it may add that run, marked as made elsewhere,
    # but the page still shows the build's own run.
    site = project().replace(snippets_dir=FIXTURES)  # its reference
    example = runner.example(FIXTURES / "prints_markup.py", site)
    own = check_examples([example], [HERE], site)[example]
    forged = stored_record(
        **{
            "example": example.reference,
            "platform": platforms.current(),
            "interpreter.version": "3.10.99",
            "interpreter.path": sys.executable,
            "result.python": "CPython 3.10.99",
            "result.platform": f"{platforms.title(platforms.current())} x",
            "result.output": own.runs[0].result.output,
            "inputs": cache.example_inputs(
                example.snippet, example.args, example.expectation, site.root
            ),
        }
    )
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "forged.json").write_text(json.dumps(forged))
    site = site.replace(results=(folder,))
    outcome = check_examples([example], [HERE], site)[example]
    assert outcome.ok, outcome.report()
    by_version = {run.run.interpreter.version: run for run in outcome.runs}
    assert by_version["3.10.99"].made_elsewhere
    assert not by_version[HERE.version].made_elsewhere
    (group,) = [runs for _, runs in outcome.groups()]
    assert outcome.shown(group) is by_version[HERE.version]
    html = output_html(outcome)
    assert "produced elsewhere" not in html  # the shown run is the build's


def test_a_build_with_a_bad_result_file_stops_naming_it(project_copy):
    one_page_site(project_copy, "event.md")
    folder = project_copy / "results"
    folder.mkdir()
    (folder / "bad.json").write_text(
        json.dumps(stored_record(**{"result.exit_code": False}))
    )
    build = build_site(
        project_copy,
        project_copy / "site",
        SNIPPET_RUNNER_RESULTS=str(folder),
        SNIPPET_RUNNER_CACHE="on",  # the session's runs of the page
    )
    assert build.returncode != 0
    assert "bad.json: not a valid run result: result.exit_code" in (
        build.stdout
    )
    assert "Traceback" not in build.stdout


# -- The build's log --------------------------------------------------------


def check_command(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snippet_runner", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SNIPPET_RUNNER_PYTHONS": "build", **env},
    )


def commands_read_by_github(log: str) -> list[str]:
    """The lines of a log that GitHub's runner would act on: those that
    start with '::' after leading space, or hold '##[' anywhere, outside
    a ::stop-commands:: ... ::TOKEN:: stretch."""
    acted, stop = [], None
    for line in log.splitlines():
        if stop is not None:
            if line.strip() == f"::{stop}::":
                stop = None
            continue
        found = re.match(r"\s*::stop-commands::(\S+)", line)
        if found:
            stop = found.group(1)
        elif line.lstrip().startswith("::") or "##[" in line:
            acted.append(line)
    return acted


@pytest.mark.parametrize("actions", ["true", ""])
def test_snippet_output_issues_no_command_in_the_log(actions):
    done = check_command(
        str(FIXTURES / "prints_workflow_commands.py"), GITHUB_ACTIONS=actions
    )
    assert done.returncode == 1
    log = done.stdout + done.stderr
    assert "from a snippet" in log  # the output is in the report
    assert "\x1b" not in log and "\r" not in log
    assert "\u241b[2Jcleared" in log
    if actions:
        assert commands_read_by_github(log) == []


# -- The size of an output ----------------------------------------------------


def test_a_huge_output_is_cut_and_says_so(tmp_path):
    outcome = checked("prints_a_lot")
    assert outcome.ok, outcome.report()
    (run,) = outcome.runs
    kept = run.result.output.encode()
    assert len(kept) <= MAX_OUTPUT
    assert kept.endswith(b"\n")  # whole lines only
    assert len(kept) + run.result.cut == 8 * 500_000 * 14 + len("the end\n")
    html = output_html(outcome)
    assert "Output cut: the first" in html
    assert len(html) < MAX_OUTPUT * 1.2


def test_an_expectation_that_needs_the_cut_part_fails_clearly():
    outcome = checked("prints_a_lot", "whole")
    assert not outcome.ok
    report = outcome.report()
    assert "its output was cut" in report
    assert "end the expectation with a '...' line" in report
    assert len(report) < 2 * MAX_OUTPUT


# -- The run cache ------------------------------------------------------------


@pytest.mark.parametrize(
    "corrupt",
    ["{not json", "[]", json.dumps({"exit_code": "0"}), ""],
)
def test_a_corrupt_cache_entry_is_discarded_and_run_again(
    tmp_path, monkeypatch, caplog, corrupt
):
    monkeypatch.setenv("SNIPPET_RUNNER_CACHE", "on")
    site = project().replace(cache_dir=tmp_path)
    example = fixture("prints_markup")
    first = check_examples([example], [HERE], site)[example]
    assert first.ok and not first.from_cache
    (entry,) = [p for p in tmp_path.glob("*.json") if len(p.stem) == 64]
    entry.write_text(corrupt)
    with caplog.at_level("INFO"):
        again = check_examples([example], [HERE], site)[example]
    assert again.ok and not again.from_cache  # it ran again
    assert f"discarded {entry}" in caplog.text
    assert results.run_result(json.loads(entry.read_text()))  # stored anew


def test_a_data_file_of_the_folder_is_in_the_key(tmp_path):
    snippet = tmp_path / "reads.py"
    snippet.write_text("print(open('data.txt').read())\n")
    expectation = tmp_path / "reads.expect"
    expectation.write_text("exit: 0\n---\n...\n")
    data = tmp_path / "data.txt"
    data.write_text("one")
    before = cache.example_digest(snippet, (), expectation, tmp_path)
    data.write_text("two")
    assert cache.example_digest(snippet, (), expectation, tmp_path) != before
    inputs = cache.example_inputs(snippet, (), expectation, tmp_path)
    assert "data.txt" in inputs


# -- Processes ----------------------------------------------------------------


# The three variants of escapes.py, checked; their reports printed.
CHECKED = """
import sys
from pathlib import Path
from snippet_runner.interpreters import build_interpreter
from snippet_runner.runner import example, check_examples
from snippet_runner.settings import load

project = load("mkdocs.yml")
examples = [example(Path(sys.argv[1]), project, args) for args in [(),
            ("daemon",), ("clean",)]]
for outcome in check_examples(examples, [build_interpreter()],
                              project).values():
    print(outcome.report())
"""


@pytest.mark.skipif(not LINUX, reason="setsid, fork: Linux")
def test_processes_that_escape_the_group_are_found_and_killed():
    # Three sleepers leave the run's process group: one holds the output
    # pipe, one (daemon) closes it, one (clean) holds it and clears its
    # environment. Checked in a process of its own: were a sleeper to hold
    # the pipe unnoticed, the check would hang, not fail.
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHECKED, str(FIXTURES / "escapes.py")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the check hung on an escaped process")
    elapsed = time.monotonic() - started
    pids = re.findall(r"\| sleeper pid (\d+)", done.stdout)
    assert len(pids) == 3, done.stdout
    for pid in pids:
        assert re.search(
            rf"left processes running after it exited \(now killed\): "
            rf"[^\n]*pid {pid}\b",
            done.stdout,
        ), done.stdout
    assert alive(map(int, pids)) == []
    assert elapsed < 3 * (process.GRACE_SECONDS + 5)


# A build in miniature: check_examples on the hung fixture, until signalled.
SIGNALLED = """
import sys
from pathlib import Path
from snippet_runner.interpreters import build_interpreter
from snippet_runner.runner import example, check_examples
from snippet_runner.settings import load

project = load("mkdocs.yml")
found = example(Path(sys.argv[1]), project, ("patient",))
check_examples([found], [build_interpreter()], project)
"""


def processes_of(script_name):
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if script_name in cmdline and proc.info["status"] != "zombie":
            found.append(proc.pid)
    return found


@pytest.mark.xdist_group("hangs")  # looks for hangs.py by command line
@pytest.mark.skipif(os.name == "nt", reason="SIGTERM is TerminateProcess")
def test_sigterm_to_the_build_kills_every_run_first():
    snippet = "fixtures/snippets/hangs.py patient"
    checking = subprocess.Popen(
        [sys.executable, "-c", SIGNALLED, str(FIXTURES / "hangs.py")],
        cwd=ROOT,
        env={**os.environ, "SNIPPET_RUNNER_CACHE": "off"},
    )
    try:
        deadline = time.monotonic() + 30
        while len(processes_of(snippet)) < 4:  # program, manager, workers
            assert time.monotonic() < deadline, "the fixture never started"
            time.sleep(0.05)
        checking.send_signal(signal.SIGTERM)
        started = time.monotonic()
        checking.wait(timeout=30)
        assert time.monotonic() - started < 5
        assert checking.returncode == -signal.SIGTERM
        assert processes_of(snippet) == []
    finally:
        checking.kill()
        for pid in processes_of(snippet):
            psutil.Process(pid).kill()


def test_a_snippet_that_hangs_on_every_python_is_reported_within_one_timeout():
    example = fixture("sleeps_forever")
    started = time.monotonic()
    outcome = check_examples([example], interpreters(), project())[example]
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 5, f"{elapsed:.1f} s for a 3 s timeout"
    reports = [run.report() for run in outcome.runs]
    hung = [text for text in reports if "; it hung: in its last" in text]
    assert len(hung) >= 1
    stopped = [text for text in reports if "stopped before its end" in text]
    assert len(hung) + len(stopped) == len(interpreters())
    assert not [run for run in outcome.runs if run.again]


# -- What a run can reach -----------------------------------------------------


def test_the_build_environment_reaches_neither_output_nor_cache(
    tmp_path, monkeypatch
):
    secret = "ghp_" + "s3cr3t" * 6
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("SNIPPET_RUNNER_CACHE", "on")
    site = project().replace(cache_dir=tmp_path)
    outcome = checked("prints_environment", site=site)
    assert outcome.ok, outcome.report()
    output = outcome.runs[0].result.output
    names = {line.split("=")[0] for line in output.splitlines()}
    assert "PATH" in names
    assert not names & {"GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "VIRTUAL_ENV"}
    assert secret not in output
    stored = [path.read_text() for path in tmp_path.rglob("*.json")]
    assert stored and not [text for text in stored if secret in text]


def test_the_allowlist_option_names_what_a_run_gets(monkeypatch):
    monkeypatch.setenv("EXTRA_ONE", "1")
    monkeypatch.setenv("EXTRAS", "2")
    env = process.child_environment(("PATH", "EXTRA_*"))
    assert env["EXTRA_ONE"] == "1"
    assert "EXTRAS" not in env and "HOME" not in env


def test_a_run_works_in_a_scratch_copy_of_its_folder(tmp_path):
    folder = tmp_path / "snippets" / "demo"
    folder.mkdir(parents=True)
    (folder / "data.txt").write_text("data")
    snippet = folder / "deletes.py"
    snippet.write_text(
        "import os, pathlib\n"
        "here = pathlib.Path(__file__).parent\n"
        "print(open('snippets/demo/data.txt').read())\n"
        "for path in here.iterdir():\n"
        "    path.unlink()\n"
        f"print(os.getcwd() != {str(tmp_path)!r}, len(os.listdir(here)))\n"
    )
    result = run_program(snippet, root=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["data", "True 0"]
    assert sorted(path.name for path in folder.iterdir()) == [
        "data.txt",
        "deletes.py",
    ]


def test_a_snippet_that_deletes_project_files_stops_the_build_saying_which(
    project_copy,
):
    page = project_copy / "docs" / "event.md"
    (project_copy / "snippets" / "deletes_page.py").write_text(
        f"import os\n\nif __name__ == '__main__':\n"
        f"    os.remove({str(page)!r})\n    print('deleted')\n"
    )
    (project_copy / "snippets" / "deletes_page.expect").write_text(
        "exit: 0\n---\ndeleted\n"
    )
    one_page_site(
        project_copy,
        "event.md",
        "# Event\n\n<!-- example: deletes_page.py -->\n",
    )
    build = build_site(
        project_copy, project_copy / "site", SNIPPET_RUNNER_CACHE="on"
    )
    assert build.returncode != 0
    assert (
        "files of the project went missing while the examples ran: "
        "docs/event.md" in build.stdout
    )


# -- Expectation files --------------------------------------------------------


def test_an_expectation_that_is_not_utf8_names_the_file_and_the_fix(
    tmp_path,
):
    path = tmp_path / "latin1.expect"
    path.write_bytes("exit: 0\n---\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(expect.ExpectationError) as error:
        expect.load(path, "snippets/demo/latin1.expect")
    assert str(error.value) == (
        "snippets/demo/latin1.expect:3: not UTF-8 text (byte E9 at offset "
        "15 cannot start or continue a UTF-8 character): save the file as "
        "UTF-8"
    )


def test_an_expectation_with_a_byte_order_mark_names_it(tmp_path):
    path = tmp_path / "bom.expect"
    path.write_bytes(b"\xef\xbb\xbfexit: 0\n---\nhello\n")
    with pytest.raises(expect.ExpectationError, match="byte-order mark"):
        expect.load(path, "snippets/demo/bom.expect")


def test_path_of_a_fixture_is_as_given():
    # The scratch copy runs the program at its path below the project.
    result = run_program(FIXTURES / "crashes.py", root=ROOT)
    assert result.command == ["python", "tests/fixtures/snippets/crashes.py"]
    assert 'File "tests/fixtures/snippets/crashes.py"' in result.output
    assert Path(FIXTURES / "crashes.py").is_file()
