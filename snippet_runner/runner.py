"""Run snippets and judge them against their expectations.

The one place where snippets are executed: the MkDocs hook (pages) and
pytest (tests) both call `check_snippets`, so a page can never show output
that the tests would reject.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import expectation as expect
from .process import ROOT, RunResult, run_program

SNIPPETS_DIR = ROOT / "snippets"
EXPECTATION_SUFFIX = ".expect"
# Snippets mostly sleep or wait on each other, so more of them than cores
# can run at once.
DEFAULT_JOBS = max(4, 2 * (os.cpu_count() or 1))


def discover(folder: Path = SNIPPETS_DIR) -> list[Path]:
    """Every .py below `folder` whose name does not start with '_'."""
    return sorted(
        path
        for path in folder.rglob("*.py")
        if not path.name.startswith("_") and "__pycache__" not in path.parts
    )


def expectation_path(snippet: Path) -> Path:
    return snippet.with_suffix(EXPECTATION_SUFFIX)


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


@dataclass
class Outcome:
    """A snippet's run (if it got that far) and everything wrong with it."""

    snippet: Path
    result: RunResult | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        """The message a contributor sees when the snippet is wrong."""
        lines = [f"{display_path(self.snippet)}: " + self.problems[0]]
        lines += [f"  {problem}" for problem in self.problems[1:]]
        if self.result is not None:
            lines.append(f"  command: {' '.join(self.result.command)}")
            lines.append("  output:")
            shown = self.result.output.splitlines() or ["(no output)"]
            lines += [f"    | {line}" for line in shown]
        return "\n".join(lines)


def judge(snippet: Path, expected: expect.Expectation, result: RunResult):
    problems = []
    if result.timed_out:
        problems.append(
            f"timed out after {result.timeout:g} s (the 'timeout' of "
            f"{expected.name}); all its processes were killed"
        )
    elif result.exit_code != expected.exit_code:
        if expected.exit_code != 0 and result.exit_code == 0:
            kind = "succeeded, but it is expected to fail"
        else:
            kind = "exited unexpectedly"
        problems.append(
            f"{kind}: exit code {result.exit_code}, expected "
            f"{expected.exit_code} ({expected.name})"
        )
    if result.left_behind:
        problems.append(
            "left processes running after it exited (now killed): "
            + "; ".join(result.left_behind)
        )
    if not result.timed_out:
        difference = expect.mismatch(expected, result.output)
        if difference:
            problems.append("output does not match its expectation")
            problems += difference.splitlines()
    return problems


def check_snippet(snippet: Path) -> Outcome:
    outcome = Outcome(snippet)
    if not snippet.is_file():
        outcome.problems.append("no such snippet file")
        return outcome
    try:
        path = expectation_path(snippet)
        expected = expect.load(path, display_path(path))
    except expect.ExpectationError as error:
        outcome.problems.append(f"bad expectation: {error}")
        return outcome
    outcome.result = run_program(snippet, timeout=expected.timeout)
    outcome.problems = judge(snippet, expected, outcome.result)
    return outcome


def check_snippets(snippets, jobs: int = DEFAULT_JOBS) -> dict[Path, Outcome]:
    """Run and judge many snippets at once; keyed by resolved path."""
    unique = list(dict.fromkeys(Path(s).resolve() for s in snippets))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return dict(zip(unique, pool.map(check_snippet, unique), strict=True))
