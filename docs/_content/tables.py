"""Markdown tables built from real runs, for markdown-exec blocks.

The start-method matrix: one snippet per approach (a row), run once per
start method (a column) as `topic/name.py <method>`, on every interpreter
of the build. A cell says "works" when the run exited with code 0, and
"fails" with the run's last output line (the exception that really came
out) when it did not, with the versions that did so; where versions
differ, the cell names each outcome's versions, and where the runs come
from several systems (results merged from other machines), each
outcome's systems: "fails ... on Windows 3.9–3.14" comes from real runs
on Windows. What each run
must print is fixed by its expectation file, and `pages.outcomes` raises
if any run does not match it, so a cell can only show a checked outcome.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from snippet_runner import platforms
from snippet_runner.pages import version_span

START_METHODS = ("fork", "spawn", "forkserver")
# The matrix rows, (label, snippet below snippets/), shared by the page
# docs/start-methods.md (the labels link to its headings) and the tests.
APPROACHES = (
    (
        "[Plain `Event()` as a task argument](#plain-task-argument)",
        "start_methods/plain_task_argument.py",
    ),
    (
        "[`Manager().Event()` as a task argument](#manager-task-argument)",
        "start_methods/manager_task_argument.py",
    ),
    (
        "[Plain `Event()` through `initargs`](#plain-initargs)",
        "start_methods/plain_initargs.py",
    ),
    (
        "[`Manager().Event()` through `initargs`](#manager-initargs)",
        "start_methods/manager_initargs.py",
    ),
    (
        "[Plain `Event()` in an inherited global](#inherited-global)",
        "start_methods/inherited_global.py",
    ),
)


def available_start_methods() -> list[str]:
    """START_METHODS that this platform has, in that order."""
    here = multiprocessing.get_all_start_methods()
    return [method for method in START_METHODS if method in here]


def default_start_method() -> str:
    """The start method a program gets when it does not choose one."""
    return multiprocessing.get_all_start_methods()[0]


def markdown_text(text: str) -> str:
    """`text` as inline Markdown that renders as exactly that text.

    Every character other than a letter, a digit or a space becomes a
    numeric character reference, so nothing in it can act as Markdown
    (`|` `*` `_` backticks `[`), as HTML (`<` `&`) or as an attribute list
    (`{`).
    """
    return "".join(
        char
        if char.isascii() and (char.isalnum() or char == " ")
        else f"&#{ord(char)};"
        for char in text
    )


@dataclass(frozen=True)
class Result:
    """What some runs of one matrix cell did, and on which versions."""

    works: bool
    error: str = ""  # the last output line, when the run failed
    versions: str = ""  # "3.9–3.13", or "3.9, 3.10"

    @classmethod
    def from_run(cls, exit_code: int | None, output: str, versions=""):
        if exit_code == 0:
            return cls(True, "", versions)
        if exit_code is None:
            return cls(False, "killed by the timeout", versions)
        lines = [line for line in output.splitlines() if line.strip()]
        return cls(False, lines[-1] if lines else "(no output)", versions)

    @property
    def unavailable(self) -> bool:
        """The system has no such start method: get_context() refused."""
        return self.error.startswith("ValueError: cannot find context for")

    def markdown(self) -> str:
        if self.works:
            text = "**works**"
        elif self.unavailable:
            text = (
                "**not available**<br>"
                f"<code>{markdown_text(self.error)}</code>"
            )
        else:
            text = f"**fails**<br><code>{markdown_text(self.error)}</code>"
        return f"{text}<br>on {self.versions}" if self.versions else text


@dataclass(frozen=True)
class Cell:
    results: tuple[Result, ...]

    @classmethod
    def from_outcome(cls, outcome) -> Cell:
        """One Result per distinct outcome of an example's runs."""
        systems = outcome.platforms
        found: dict[tuple[bool, str], list] = {}
        for run in outcome.runs:
            alike = Result.from_run(run.result.exit_code, run.result.output)
            found.setdefault((alike.works, alike.error), []).append(run.run)
        return cls(
            tuple(
                Result(works, error, where(runs, outcome.runs, systems))
                for (works, error), runs in found.items()
            )
        )

    def markdown(self) -> str:
        return "<br>".join(result.markdown() for result in self.results)


def where(runs, every, systems) -> str:
    """The versions of `runs` among `every` run of the cell; prefixed
    with each system's name when the cell has runs from several."""
    spans = []
    for system in systems:
        ran = [o.run.interpreter for o in every if o.run.platform == system]
        these = [run.interpreter for run in runs if run.platform == system]
        if these:
            span = version_span(these, ran)
            if len(systems) > 1:
                span = f"{platforms.title(system)} {span}"
            spans.append(span)
    return ", ".join(spans)


def matrix_cells(
    rows: Sequence[tuple[str, str]],
    methods: Sequence[str],
    outcomes: Callable[..., list],
) -> dict[tuple[str, str], Cell]:
    """{(snippet, method): Cell} for every row's snippet under every method.

    `rows` are (label, snippet path below snippets/); `outcomes` is
    `snippet_runner.pages.outcomes`, called once with every run so they all
    run at once.
    """
    keys = [(snippet, method) for _, snippet in rows for method in methods]
    found = outcomes(*(f"{snippet} {method}" for snippet, method in keys))
    return {
        key: Cell.from_outcome(outcome)
        for key, outcome in zip(keys, found, strict=True)
    }


def systems_sentence(
    rows: Sequence[tuple[str, str]],
    methods: Sequence[str],
    outcomes: Callable[..., list],
    every: Sequence[str] = tuple(platforms.TITLES),
) -> str:
    """Which systems the matrix's runs come from in this build, and
    which of `every` they do not."""
    found = outcomes(
        *(f"{snippet} {method}" for _, snippet in rows for method in methods)
    )
    systems = platforms.ordered(
        system for outcome in found for system in outcome.platforms
    )
    text = f"In this build the cells hold runs on {platforms.listed(systems)}"
    lacking = [system for system in every if system not in systems]
    if lacking:
        titles = [platforms.title(s) for s in platforms.ordered(lacking)]
        text += f"; they were not checked on {' or '.join(titles)}"
    return text + "."


def start_method_matrix(
    rows: Sequence[tuple[str, str]],
    methods: Sequence[str],
    outcomes: Callable[..., list],
    default: str | None = None,
) -> str:
    """The matrix as a Markdown table; `default` marks that column."""
    cells = matrix_cells(rows, methods, outcomes)
    headers = [
        f"`{method}`" + (" (default here)" if method == default else "")
        for method in methods
    ]
    lines = [
        "| Approach | " + " | ".join(headers) + " |",
        "| --- |" + " --- |" * len(methods),
    ]
    for label, snippet in rows:
        row = [cells[snippet, method].markdown() for method in methods]
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    return "\n".join(lines)
