"""Run snippets and judge them against their expectations.

The one place where snippets are executed: the MkDocs hook (pages) and
pytest (tests) both call `check_runs`, so a page can never show output that
the tests would reject.

A run is a snippet plus its command-line arguments. `topic/name.py` alone
is checked against `topic/name.expect`; `topic/name.py spawn` against
`topic/name.spawn.expect`, so one file can fill a whole row of a table.
"""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from . import cache
from . import expectation as expect
from .process import ROOT, RunResult, run_program

SNIPPETS_DIR = ROOT / "snippets"
EXPECTATION_SUFFIX = ".expect"
# Snippets mostly sleep or wait on each other, so many more of them than
# cores can run at once: with 32 a core, 160 one-second examples build in
# about 3x the time of 10 on 2 cores (make bench). SNIPPET_RUNNER_JOBS
# overrides the bound.
DEFAULT_JOBS = int(
    os.environ.get("SNIPPET_RUNNER_JOBS", 32 * (os.cpu_count() or 1))
)
ARGUMENT = re.compile(r"[A-Za-z0-9_-]+")


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


@dataclass(frozen=True, order=True)
class Run:
    snippet: Path  # absolute
    args: tuple[str, ...] = ()

    @classmethod
    def from_reference(cls, reference: str) -> Run:
        """'topic/name.py arg ...', as pages write it, below snippets/."""
        path, *args = reference.split()
        bad = [arg for arg in args if not ARGUMENT.fullmatch(arg)]
        if bad:
            raise ValueError(f"arguments may only be words, not {bad}")
        return cls((SNIPPETS_DIR / path).resolve(), tuple(args))

    @property
    def expectation(self) -> Path:
        stem = ".".join([self.snippet.stem, *self.args])
        return self.snippet.with_name(stem + EXPECTATION_SUFFIX)

    def __str__(self) -> str:
        return " ".join([display_path(self.snippet), *self.args])


def discover_snippets(folder: Path = SNIPPETS_DIR) -> list[Path]:
    """Every .py below `folder` whose name does not start with '_'."""
    return sorted(
        path.resolve()
        for path in folder.rglob("*.py")
        if not path.name.startswith("_") and "__pycache__" not in path.parts
    )


def discover_runs(folder: Path = SNIPPETS_DIR) -> list[Run]:
    """Every run an expectation file asks for; snippets with none too."""
    runs = []
    for snippet in discover_snippets(folder):
        found = [
            Run(snippet, tuple(path.name.split(".")[1:-1]))
            for path in snippet.parent.glob(snippet.stem + ".*expect")
        ]
        runs += sorted(found) or [Run(snippet)]
    return runs


def orphan_expectations(folder: Path = SNIPPETS_DIR) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*" + EXPECTATION_SUFFIX)
        if not path.with_name(path.name.split(".")[0] + ".py").is_file()
    )


@dataclass
class Outcome:
    """A run's result (if it got that far) and everything wrong with it."""

    run: Run
    result: RunResult | None = None
    problems: list[str] = field(default_factory=list)
    from_cache: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        """The message a contributor sees when the snippet is wrong."""
        lines = [f"{self.run}: " + self.problems[0]]
        lines += [f"  {problem}" for problem in self.problems[1:]]
        if self.result is not None:
            lines.append(f"  command: {' '.join(self.result.command)}")
            lines.append("  output:")
            shown = self.result.output.splitlines() or ["(no output)"]
            lines += [f"    | {line}" for line in shown]
        return "\n".join(lines)


def judge(expected: expect.Expectation, result: RunResult) -> list[str]:
    problems = []
    if expected.draft:
        problems.append(
            f"{expected.name} is a draft ({expected.draft}): make it state "
            "only what the program guarantees, then delete its 'draft:' line"
        )
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


def check_run(run: Run, cancel: threading.Event | None = None) -> Outcome:
    outcome = Outcome(run)
    if not run.snippet.is_file():
        outcome.problems.append("no such snippet file")
        return outcome
    try:
        expected = expect.load(run.expectation, display_path(run.expectation))
    except expect.ExpectationError as error:
        outcome.problems.append(f"bad expectation: {error}")
        return outcome
    key = cache.key(run.snippet, run.args, run.expectation)
    with cache.slot(key, alone=expected.alone):
        cached = cache.load(key)
        if cached is not None:
            outcome.result, outcome.from_cache = cached, True
        else:
            outcome.result = run_program(
                run.snippet, run.args, expected.timeout, cancel
            )
        outcome.problems = judge(expected, outcome.result)
        if outcome.ok and not outcome.from_cache:
            cache.store(key, outcome.result)  # only runs that passed
    return outcome


def check_runs(runs, jobs: int = DEFAULT_JOBS) -> dict[Run, Outcome]:
    """Run and judge many runs at once (the 'alone' ones by themselves)."""
    unique = list(dict.fromkeys(runs))
    cancel = threading.Event()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        try:
            outcomes = list(pool.map(check_run, unique, repeat(cancel)))
        except BaseException:
            # Ctrl-C (or any error here): runs not started never start, and
            # the running ones kill their processes and stop.
            pool.shutdown(wait=False, cancel_futures=True)
            cancel.set()
            raise
    return dict(zip(unique, outcomes, strict=True))
