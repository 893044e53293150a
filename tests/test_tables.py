"""Tables built from real runs: the start-method matrix."""

from types import SimpleNamespace

import markdown
import pytest
from bs4 import BeautifulSoup

from snippet_runner import pages, tables
from snippet_runner.tables import Cell

CONDITION_ERROR = (
    "RuntimeError: Condition objects should only be shared between "
    "processes through inheritance"
)
NONE_ERROR = "AttributeError: 'NoneType' object has no attribute 'wait'"
WORKS = Cell(works=True)
# What this project has measured, cell by cell: a snippet or an expectation
# that changes an outcome must change this table too.
EXPECTED = {
    "plain_task_argument": dict.fromkeys(
        tables.START_METHODS, Cell(False, CONDITION_ERROR)
    ),
    "manager_task_argument": dict.fromkeys(tables.START_METHODS, WORKS),
    "plain_initargs": dict.fromkeys(tables.START_METHODS, WORKS),
    "manager_initargs": dict.fromkeys(tables.START_METHODS, WORKS),
    "inherited_global": {
        "fork": WORKS,
        "spawn": Cell(False, NONE_ERROR),
        "forkserver": Cell(False, NONE_ERROR),
    },
}


def render(table: str) -> BeautifulSoup:
    html = markdown.markdown(table, extensions=["tables"])
    return BeautifulSoup(html, "html.parser")


def fake_outcomes(results):
    """A stand-in for pages.outcomes: {reference: (exit code, output)}."""
    calls = []

    def outcomes(*references):
        calls.append(references)
        return [
            SimpleNamespace(
                result=SimpleNamespace(
                    exit_code=results[ref][0], output=results[ref][1]
                )
            )
            for ref in references
        ]

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
    assert Cell.from_run(0, "anything\n") == WORKS


def test_a_failed_run_shows_its_last_line():
    output = "main: start\nTraceback ...\nValueError: no\n\n"
    assert Cell.from_run(1, output) == Cell(False, "ValueError: no")
    assert Cell.from_run(1, "") == Cell(False, "(no output)")
    assert Cell.from_run(None, "x\n") == Cell(False, "killed by the timeout")


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
        ["Row one", "works", "fails RuntimeError: a | <b>"],
        ["Row two", "fails AttributeError: 'x'", "works"],
    ]


def test_available_start_methods_keep_the_matrix_order():
    methods = tables.available_start_methods()
    assert "spawn" in methods  # every platform has it
    assert methods == [m for m in tables.START_METHODS if m in methods]


def test_every_cell_of_the_real_matrix():
    methods = tables.available_start_methods()
    cells = tables.matrix_cells(tables.APPROACHES, methods, pages.outcomes)
    for label, snippet in tables.APPROACHES:
        name = snippet.removeprefix("start_methods/").removesuffix(".py")
        for method in methods:
            assert cells[snippet, method] == EXPECTED[name][method], (
                f"{label} under {method}"
            )
    table = tables.start_method_matrix(
        tables.APPROACHES, methods, pages.outcomes
    )
    text = render(table).get_text()
    assert text.count(CONDITION_ERROR) == len(methods)
    assert text.count(NONE_ERROR) == len(
        [method for method in methods if method != "fork"]
    )
