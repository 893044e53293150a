"""Tables built from real runs: the start-method matrix."""

from types import SimpleNamespace

import markdown
import pytest
from bs4 import BeautifulSoup

import tables
from conftest import interpreters
from snippet_runner import pages, platforms
from tables import Cell, Result

CONDITION_ERROR = (
    "RuntimeError: Condition objects should only be shared between "
    "processes through inheritance"
)
NONE_ERROR = "AttributeError: 'NoneType' object has no attribute 'wait'"
WORKS = (True, "")
# What this project has measured, cell by cell, the same on every version
# it ran: a snippet or an expectation that changes an outcome must change
# this table too.
EXPECTED = {
    "plain_task_argument": dict.fromkeys(
        tables.START_METHODS, (False, CONDITION_ERROR)
    ),
    "manager_task_argument": dict.fromkeys(tables.START_METHODS, WORKS),
    "plain_initargs": dict.fromkeys(tables.START_METHODS, WORKS),
    "manager_initargs": dict.fromkeys(tables.START_METHODS, WORKS),
    "inherited_global": {
        "fork": WORKS,
        "spawn": (False, NONE_ERROR),
        "forkserver": (False, NONE_ERROR),
    },
}


def render(table: str) -> BeautifulSoup:
    html = markdown.markdown(table, extensions=["tables"])
    return BeautifulSoup(html, "html.parser")


def interpreter(minor):
    return SimpleNamespace(minor=minor)


def fake_run(version, exit_code, output, system="linux"):
    return SimpleNamespace(
        run=SimpleNamespace(interpreter=interpreter(version), platform=system),
        result=SimpleNamespace(exit_code=exit_code, output=output),
    )


def fake_outcome(runs):
    """An example's outcome as the matrix reads it: runs, and the systems
    they come from (in the order runner.ExampleOutcome gives them)."""
    systems = platforms.ordered(run.run.platform for run in runs)
    return SimpleNamespace(runs=runs, platforms=systems)


def fake_outcomes(results):
    """A stand-in for pages.outcomes: {reference: (exit code, output)} on
    3.9 and 3.10 alike, or {reference: [(version, exit code, output)]}."""
    calls = []

    def outcomes(*references):
        calls.append(references)
        found = []
        for ref in references:
            runs = results[ref]
            if isinstance(runs, tuple):
                runs = [("3.9", *runs), ("3.10", *runs)]
            found.append(fake_outcome([fake_run(*r) for r in runs]))
        return found

    return outcomes, calls


@pytest.mark.parametrize(
    "text",
    [
        "RuntimeError: a | b",
        "ValueError: `code` *star* _under_ **bold**",
        "TypeError: <script>alert(1)</script> &amp; &lt;",
        "KeyError: {: .class } [link](http://x) \\| \\",
        "OSError: [Errno 9] Bad file descriptor: 'caf\u00e9'",
    ],
)
def test_markdown_text_renders_as_exactly_the_text(text):
    table = f"| a |\n| --- |\n| {tables.markdown_text(text)} |"
    cells = render(table).select("td")
    assert [cell.get_text() for cell in cells] == [text]
    assert cells[0].find() is None  # no element: no markup got through


def test_a_run_that_exits_0_works():
    assert Result.from_run(0, "anything\n") == Result(True)


def test_a_failed_run_shows_its_last_line():
    output = "main: start\nTraceback ...\nValueError: no\n\n"
    assert Result.from_run(1, output) == Result(False, "ValueError: no")
    assert Result.from_run(1, "") == Result(False, "(no output)")
    assert Result.from_run(None, "x\n") == Result(
        False, "killed by the timeout"
    )


def test_a_cell_names_the_versions_of_each_outcome():
    same = fake_outcome(
        [fake_run(v, 0, "ok") for v in ("3.9", "3.10", "3.11")]
    )
    assert Cell.from_outcome(same).results == (
        Result(True, "", "3.9\u20133.11"),
    )
    differs = fake_outcome(
        [
            fake_run("3.9", 1, "TimeoutError"),
            fake_run("3.10", 1, "TimeoutError"),
            fake_run("3.11", 1, "RuntimeError: A SemLock ..."),
        ]
    )
    assert Cell.from_outcome(differs).results == (
        Result(False, "TimeoutError", "3.9, 3.10"),
        Result(False, "RuntimeError: A SemLock ...", "3.11"),
    )


def test_a_cell_with_runs_from_several_systems_names_each_outcomes_systems():
    no_fork = "ValueError: cannot find context for 'fork'"
    cell = Cell.from_outcome(
        fake_outcome(
            [
                fake_run("3.9", 0, "ok"),
                fake_run("3.13", 0, "ok"),
                fake_run("3.9", 0, "ok", "macos"),
                fake_run("3.13", 0, "ok", "macos"),
                fake_run("3.9", 1, no_fork, "windows"),
                fake_run("3.13", 1, no_fork, "windows"),
            ]
        )
    )
    assert cell.results == (
        Result(True, "", "Linux 3.9\u20133.13, macOS 3.9\u20133.13"),
        Result(False, no_fork, "Windows 3.9\u20133.13"),
    )


def test_a_start_method_the_system_lacks_is_not_available_not_failing():
    no_fork = "ValueError: cannot find context for 'fork'"
    text = Result(False, no_fork, "Windows 3.9\u20133.14").markdown()
    assert text.startswith("**not available**<br><code>ValueError")
    assert text.endswith("<br>on Windows 3.9\u20133.14")
    assert (
        Result(False, "ValueError: other", "3.9")
        .markdown()
        .startswith("**fails**")
    )


def test_the_matrix_says_which_systems_its_runs_come_from():
    rows = [("Row", "t/one.py")]
    results = {"t/one.py fork": (0, "ok\n")}
    outcomes, _ = fake_outcomes(results)
    assert tables.systems_sentence(rows, ["fork"], outcomes) == (
        "In this build the cells hold runs on Linux; they were not "
        "checked on macOS or Windows."
    )


def test_matrix_has_a_row_per_approach_and_a_column_per_method():
    rows = [("Row `one`", "t/one.py"), ("Row two", "t/two.py")]
    results = {
        "t/one.py fork": (0, "ok\n"),
        "t/one.py spawn": (1, "Traceback\nRuntimeError: a | <b>\n"),
        "t/two.py fork": (1, "AttributeError: 'x'\n"),
        "t/two.py spawn": (0, "ok\n"),
    }
    outcomes, calls = fake_outcomes(results)
    table = tables.start_method_matrix(
        rows, ["fork", "spawn"], outcomes, default="spawn"
    )
    assert len(calls) == 1, "all runs are asked for at once"
    assert sorted(calls[0]) == sorted(results)
    soup = render(table)
    assert [th.get_text() for th in soup.select("th")] == [
        "Approach",
        "fork",
        "spawn (default here)",
    ]
    body = [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in soup.select("tbody tr")
    ]
    assert body == [
        [
            "Row one",
            "works on 3.9\u20133.10",
            "fails RuntimeError: a | <b> on 3.9\u20133.10",
        ],
        [
            "Row two",
            "fails AttributeError: 'x' on 3.9\u20133.10",
            "works on 3.9\u20133.10",
        ],
    ]


def test_available_start_methods_keep_the_matrix_order():
    methods = tables.available_start_methods()
    assert "spawn" in methods  # every platform has it
    assert methods == [m for m in tables.START_METHODS if m in methods]


def test_every_cell_of_the_real_matrix(example_build):
    methods = tables.available_start_methods()
    cells = tables.matrix_cells(tables.APPROACHES, methods, pages.outcomes)
    minors = [found.minor for found in interpreters()]
    every = minors[0] if len(minors) == 1 else f"{minors[0]}\u2013{minors[-1]}"
    for label, snippet in tables.APPROACHES:
        name = snippet.removeprefix("start_methods/").removesuffix(".py")
        for method in methods:
            works, error = EXPECTED[name][method]
            assert cells[snippet, method].results == (
                Result(works, error, every),
            ), f"{label} under {method}"
    table = tables.start_method_matrix(
        tables.APPROACHES, methods, pages.outcomes
    )
    text = render(table).get_text()
    assert text.count(CONDITION_ERROR) == len(methods)
    assert text.count(NONE_ERROR) == len(
        [method for method in methods if method != "fork"]
    )
