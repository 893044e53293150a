"""Run snippets and judge them against their expectations.

The one place where snippets are executed: the MkDocs plugin (pages) and
pytest (tests) both call `check_examples`, so a page can never show output
that the tests would reject.

An example is a snippet plus its command-line arguments, as a page names
it. `topic/name.py` alone is checked against `topic/name.expect`;
`topic/name.py spawn` against `topic/name.spawn.expect`, so one file can
fill a whole row of a table. A run is an example on one interpreter, on
one system: every example runs on every interpreter of the build, and each
run is judged by the case of the expectation that covers its Python
version and its system. Runs made on other machines come as result
folders (results.py), merged here with the build's own and judged the
same way.
"""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache, platforms, results, schedule
from . import expectation as expect
from .interpreters import Interpreter, build_interpreter, names
from .process import (
    CORES,
    WATCHED_SHARE,
    Cancel,
    RunCancelled,
    RunResult,
    handle_termination,
    run_program,
)

if TYPE_CHECKING:
    from .settings import Project

EXPECTATION_SUFFIX = cache.EXPECTATION_SUFFIX
# A run that times out among `jobs` others may only have been starved: a
# first build on a fresh 2-core machine, its disk cache empty, took a Dask
# example that needs under 3 s alone past its 60 s, and a spawn example
# past its 20 s. Such a run goes again, at most one per core, and only a
# second timeout counts (see run_in_order).
ARGUMENT = re.compile(r"[A-Za-z0-9_-]+")
# A report (the log, a failed example's box on its page) shows at most
# this many of an output's first lines, and as many of its last.
REPORTED_LINES = 100


@dataclass(frozen=True, order=True)
class Example:
    """A snippet and its arguments, as a page refers to it. Made by
    `example()` or `from_reference()`, which name it as its project does:
    `reference` as pages write it (below the snippets folder), `label` as
    messages show it (from the project's folder)."""

    snippet: Path  # absolute
    args: tuple[str, ...] = ()
    reference: str = field(default="", compare=False)
    label: str = field(default="", compare=False)

    def __post_init__(self):
        words = [self.snippet.as_posix(), *self.args]
        if not self.reference:
            object.__setattr__(self, "reference", " ".join(words))
        if not self.label:
            object.__setattr__(self, "label", " ".join(words))

    @classmethod
    def from_reference(cls, reference: str, project: Project) -> Example:
        """'topic/name.py arg ...', as pages write it, below snippets/."""
        path, *args = reference.split()
        bad = [arg for arg in args if not ARGUMENT.fullmatch(arg)]
        if bad:
            raise ValueError(f"arguments may only be words, not {bad}")
        return example(project.snippets_dir / path, project, tuple(args))

    @property
    def expectation(self) -> Path:
        stem = ".".join([self.snippet.stem, *self.args])
        return self.snippet.with_name(stem + EXPECTATION_SUFFIX)

    def __str__(self) -> str:
        return self.label


def example(
    snippet: Path, project: Project, args: tuple[str, ...] = ()
) -> Example:
    """The example of this snippet and these arguments in `project`."""
    snippet = Path(snippet).resolve()
    try:
        path = snippet.relative_to(project.snippets_dir).as_posix()
    except ValueError:
        path = snippet.as_posix()
    return Example(
        snippet,
        tuple(args),
        " ".join([path, *args]),
        " ".join([project.display(snippet), *args]),
    )


def discover_snippets(folder: Path) -> list[Path]:
    """Every .py below `folder` whose name does not start with '_'."""
    return sorted(
        path.resolve()
        for path in folder.rglob("*.py")
        if not path.name.startswith("_") and "__pycache__" not in path.parts
    )


def discover_examples(
    project: Project, folder: Path | None = None
) -> list[Example]:
    """Every example an expectation file asks for, below `folder` (the
    project's snippets folder unless given); snippets with none too (they
    fail for the lack of one)."""
    examples = []
    for snippet in discover_snippets(folder or project.snippets_dir):
        found = [
            example(snippet, project, tuple(path.name.split(".")[1:-1]))
            for path in snippet.parent.glob(snippet.stem + ".*expect")
        ]
        examples += sorted(found) or [example(snippet, project)]
    return examples


def orphan_expectations(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.rglob("*" + EXPECTATION_SUFFIX)
        if not path.with_name(path.name.split(".")[0] + ".py").is_file()
    )


@dataclass(frozen=True)
class Run:
    """An example on one interpreter, on one system."""

    example: Example
    interpreter: Interpreter
    platform: str = field(default_factory=platforms.current)

    def __str__(self) -> str:
        where = f"{self.example} on {self.interpreter.name}"
        if self.platform != platforms.current():
            where += f" on {platforms.title(self.platform)}"
        return where

    @property
    def place(self) -> tuple[str, str]:
        """(system, minor version): one run of an example each."""
        return self.platform, self.interpreter.minor


@dataclass
class Outcome:
    """A run's result (if it got that far) and everything wrong with it."""

    run: Run
    case: expect.Expectation | None = None  # what judged it
    result: RunResult | None = None
    problems: list[str] = field(default_factory=list)
    from_cache: bool = False
    stored: Path | None = None  # the result file it came from, if merged
    again: bool = False  # run a second time, after a timeout among many
    stopped: bool = False  # stopped because another run of it hung

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def made_elsewhere(self) -> bool:
        """Read from a result file, not run by this build: whatever the
        file says of its system and interpreter, it is shown as made
        elsewhere."""
        return self.stored is not None

    def report(self) -> str:
        """The message a contributor sees when the snippet is wrong."""
        lines = [f"{self.run}: " + self.problems[0]]
        lines += [f"  {problem}" for problem in self.problems[1:]]
        if self.stored is not None:
            lines.append(f"  result read from {self.stored}")
        if self.result is not None:
            lines.append(f"  command: {' '.join(self.result.command)}")
            lines.append("  output:")
            shown = self.result.output.splitlines() or ["(no output)"]
            if len(shown) > 2 * REPORTED_LINES:
                left_out = len(shown) - 2 * REPORTED_LINES
                shown = [
                    *shown[:REPORTED_LINES],
                    f"... ({left_out} lines left out of this report)",
                    *shown[-REPORTED_LINES:],
                ]
            lines += [f"    | {line}" for line in shown]
        return "\n".join(lines)


@dataclass
class ExampleOutcome:
    """An example's runs on every interpreter, and what is wrong with the
    example as a whole (its expectation file, a case no run used)."""

    example: Example
    runs: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    needs: tuple[str, ...] = ()  # third-party packages: build Python only
    # The systems (of the site's `platforms`) it does not apply to: why.
    not_applicable: dict[str, str] = field(default_factory=dict)
    # Results from elsewhere that failed, set aside under
    # `foreign_failures: label` (a deploy): its page names them.
    failed_elsewhere: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(run.ok for run in self.runs)

    @property
    def from_cache(self) -> bool:
        return bool(self.runs) and all(run.from_cache for run in self.runs)

    @property
    def interpreters(self) -> list[Interpreter]:
        return [outcome.run.interpreter for outcome in self.runs]

    @property
    def platforms(self) -> list[str]:
        """The systems it has results from, in the usual order."""
        return platforms.ordered(run.run.platform for run in self.runs)

    def report(self) -> str:
        """What is wrong; the runs that failed first, then those stopped
        because another run failed (a hang)."""
        lines = [f"{self.example}: {problem}" for problem in self.problems]
        failed = [run for run in self.runs if not run.ok]
        lines += [run.report() for run in failed if not run.stopped]
        lines += [run.report() for run in failed if run.stopped]
        return "\n".join(lines)

    def groups(self) -> list[tuple[expect.Expectation, list[Outcome]]]:
        """The runs by the case that judged them, in the file's order:
        one group where every version behaves alike."""
        by_case: dict[int, list[Outcome]] = {}
        cases: dict[int, expect.Expectation] = {}
        for outcome in self.runs:
            if outcome.case is not None and outcome.result is not None:
                by_case.setdefault(outcome.case.lineno, []).append(outcome)
                cases[outcome.case.lineno] = outcome.case
        return [(cases[line], by_case[line]) for line in sorted(by_case)]

    @property
    def primary(self) -> Outcome:
        """The run a figure drawn from one run uses (see `shown`)."""
        return self.shown([run for run in self.runs if run.result])

    @staticmethod
    def shown(group: list[Outcome]) -> Outcome:
        """The run a page shows for a group: the build's own Python's if
        it is there (its packages, its start-method default), else the
        newest version's of the build's own runs, else of the results
        from elsewhere (this system's first)."""
        for outcome in group:
            if outcome.run.interpreter.is_build and not outcome.made_elsewhere:
                return outcome
        return min(group, key=_shown_first)


def _shown_first(outcome: Outcome):
    run = outcome.run
    return (
        outcome.made_elsewhere,
        run.platform != platforms.current(),
        platforms.ordered([*platforms.TITLES, run.platform]).index(
            run.platform
        ),
        tuple(-part for part in run.interpreter.release),
    )


def _run_order(outcome: Outcome):
    """Runs listed by system (Linux, macOS, Windows), then version."""
    run = outcome.run
    order = platforms.ordered([*platforms.TITLES, run.platform])
    return order.index(run.platform), run.interpreter.release


def judge(
    expected: expect.Expectation, result: RunResult, again: bool = False
) -> list[str]:
    """What is wrong with a run; `again`: a second try, after a timeout
    that the load explained."""
    problems = []
    if expected.draft:
        problems.append(
            f"{expected.name} is a draft ({expected.draft}): make it state "
            "only what the program guarantees, then delete its 'draft:' line"
        )
    if result.timed_out:
        problems.append(_timeout_problem(expected, result, again))
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
    problems += result.troubles
    if not result.timed_out:
        problems += _output_problems(expected, result)
    return problems


def _timeout_problem(
    expected: expect.Expectation, result: RunResult, again: bool
) -> str:
    if again:
        how = f" twice, among many runs and then among at most {CORES}"
    elif result.hung:
        watched = result.timeout * WATCHED_SHARE
        how = (
            f"; it hung: in its last {watched:g} s its processes neither "
            "ran nor waited for a CPU, so the load does not explain it and "
            "it did not go again"
        )
    else:
        how = ""
    return (
        f"timed out after {result.timeout:g} s{how} (the 'timeout' of "
        f"{expected.name}); all its processes were killed"
    )


def _output_problems(
    expected: expect.Expectation, result: RunResult
) -> list[str]:
    """The output against the expectation. A cut output (over
    max_output) can only fit an expectation that ends with '...'."""
    problems = []
    if result.cut:
        kept = len(result.output.encode("utf-8"))
        cut = (
            f"its output was cut: {result.cut} bytes past the first "
            f"{kept} were left out (the `max_output` limit of the "
            "snippet-runner plugin)"
        )
        ends_open = expected.body and isinstance(
            expected.body[-1], expect.AnyLines
        )
        if not ends_open:
            problems.append(
                f"{cut}, so {expected.name} cannot be checked against its "
                "end: end the expectation with a '...' line, or make the "
                "program print less"
            )
            return problems
    difference = expect.mismatch(expected, result.output)
    if difference:
        problems.append("output does not match its expectation")
        problems += difference.splitlines()
        if result.cut:
            problems.append(
                f"  ({cut}: the part the expectation needs may be in it)"
            )
    return problems


def check_run(
    run: Run,
    case: expect.Expectation,
    digest: str,
    project: Project,
    cancel: Cancel | None = None,
    again: bool = False,
    stop: Cancel | None = None,
) -> Outcome:
    """Run one run that was not in the cache (run_in_order looked), and
    judge it by its case; unless another process stored it meanwhile.
    `again`: a second try, after a timeout that the load explained.
    `stop`: set when another run of the example hung; this one then
    stops, with a problem that says so (`cancel` stops it with
    RunCancelled)."""
    outcome = Outcome(run, case, again=again)
    runs = project.run_cache
    key = runs.key(digest, run.interpreter)
    with runs.slot(key, alone=case.alone):
        cached = runs.load(key)  # another process may have run it
        if cached is not None:
            outcome.result, outcome.from_cache = cached, True
        else:
            try:
                outcome.result = run_program(
                    run.example.snippet,
                    run.example.args,
                    case.timeout,
                    [flag for flag in (cancel, stop) if flag is not None],
                    run.interpreter,
                    root=project.root,
                    environment=project.environment,
                    max_output=project.max_output,
                )
            except RunCancelled:
                if (
                    stop is None
                    or not stop.is_set()
                    or (cancel is not None and cancel.is_set())
                ):
                    raise
                outcome.problems = [
                    f"stopped before its end: {stop.reason}, so the "
                    "example's other runs were stopped"
                ]
                outcome.stopped = True
                return outcome
        outcome.problems = judge(case, outcome.result, again)
        if outcome.ok and not outcome.from_cache:
            runs.store(key, outcome.result)  # only runs that passed
    return outcome


def _timed_out(outcome: Outcome) -> bool:
    return outcome.result is not None and outcome.result.timed_out


def _hung(outcome: Outcome, crowded: bool) -> bool:
    """Timed out, and the load does not explain it: its processes slept
    through the end of its time (Linux), or, where that cannot be told,
    it did not share the machine with more runs than there are cores."""
    if not _timed_out(outcome):
        return False
    hung = outcome.result.hung
    return hung if hung is not None else not crowded


def ran_again(outcomes) -> list[str]:
    """The runs of these ExampleOutcomes that went a second time."""
    return [
        str(run.run)
        for outcome in outcomes
        for run in outcome.runs
        if run.again
    ]


def cached_outcome(
    run: Run, case: expect.Expectation, digest: str, project: Project
) -> Outcome | None:
    """The run's outcome from the cache, or None if it must run. A stored
    result passed this very case: only passing runs are stored, under a
    key that covers the expectation and this code. It needs no lock and
    no judging, so a warm build does neither."""
    runs = project.run_cache
    cached = runs.load(runs.key(digest, run.interpreter))
    if cached is None:
        return None
    return Outcome(run, case, cached, from_cache=True)


def plan(
    example: Example, interpreters: list[Interpreter], project: Project
) -> tuple[ExampleOutcome, list[tuple[Run, expect.Expectation]]]:
    """The runs an example needs, each with the case that will judge it;
    and its outcome so far, holding any problem found before running."""
    outcome, runs, _ = _plan(example, interpreters, project)
    return outcome, runs


def _plan(example: Example, interpreters: list[Interpreter], project):
    outcome = ExampleOutcome(example)
    if not example.snippet.is_file():
        outcome.problems.append("no such snippet file")
        return outcome, [], None
    try:
        expected = expect.load(
            example.expectation,
            project.display(example.expectation),
            project.timeout,
        )
    except expect.ExpectationError as error:
        outcome.problems.append(f"bad expectation: {error}")
        return outcome, [], None
    outcome.needs = expected.needs
    outcome.not_applicable = {
        system: reason
        for system in project.platforms
        if (reason := expected.not_applicable(system))
    }
    if expected.not_applicable(platforms.current()):
        return outcome, [], expected  # not run here; not wrong either
    if expected.needs:
        # Third-party packages are installed for the build's Python only.
        interpreters = [build_interpreter()]
    runs = []
    for interpreter in interpreters:
        run = Run(example, interpreter)
        case, problem = _case_for(expected, run)
        if case is not None:
            runs.append((run, case))
        else:
            outcome.problems.append(problem)
    return outcome, runs, expected


def _case_for(expected: expect.ExpectationFile, run: Run):
    """(the case that judges the run, None) or (None, what is wrong)."""
    cases = expected.cases_for(run.interpreter.release, run.platform)
    where = run.interpreter.name
    if run.platform != platforms.current():
        where += f" on {platforms.title(run.platform)}"
    if len(cases) == 1:
        return cases[0], None
    if not cases:
        return None, (
            f"no case of {expected.name} covers {where}: add a case for "
            "it, or one with no 'python:' or 'platform:' line"
        )
    lines = ", ".join(f"{case.lineno}" for case in cases)
    return None, (
        f"{where} is named by more than one case of {expected.name} "
        f"(lines {lines}): each run needs one; narrow one of them"
    )


def _unused_cases(
    expected: expect.ExpectationFile, ran: list[Run], supported
) -> list[str]:
    """Scoped cases that name no supported version, or that no run used
    although an interpreter of their minor versions ran on their
    systems."""
    problems = []
    oldest, newest = supported
    minors = [(oldest[0], minor) for minor in range(oldest[1], newest[1] + 1)]
    for case in expected.cases:
        if case.python is None:
            continue  # a case for whole systems: used by every run there
        where = f"{expected.name}:{case.lineno}: python: {case.python.text}"
        if not any(map(case.python.could_match_minor, minors)):
            problems.append(
                f"{where} names no version this site supports "
                f"({'.'.join(map(str, oldest))} to "
                f"{'.'.join(map(str, newest))})"
            )
            continue
        on_its_systems = [
            run
            for run in ran
            if case.platform is None or run.platform in case.platform
        ]
        matched = [
            run
            for run in on_its_systems
            if case.applies_to(run.interpreter.release, run.platform)
        ]
        same_minor = [
            run.interpreter
            for run in on_its_systems
            if case.python.could_match_minor(run.interpreter.release[:2])
        ]
        if not matched and same_minor:
            problems.append(
                f"{where} matches no interpreter that ran, though "
                f"{names(same_minor)} did: name the versions that "
                "really behave this way"
            )
    return problems


def _merge_stored(
    outcome: ExampleOutcome,
    expected: expect.ExpectationFile,
    inputs: dict[str, str],
    stored: list[results.Stored],
    label_failures: bool = False,
) -> None:
    """Judge the results made elsewhere and add them to the outcome. A
    run the build made itself (same system, same minor version) wins.
    `label_failures`: a result that fails is set aside for the page to
    name, instead of failing the build."""
    own = {run.run.place for run in outcome.runs}
    merged: dict[tuple[str, str], Path] = {}
    for found in stored:
        where = (
            f"{outcome.example} on {platforms.title(found.platform)}"
            if found.interpreter is None
            else str(Run(outcome.example, found.interpreter, found.platform))
        )
        changed = found.changed(inputs)
        if changed:
            outcome.problems.append(
                f"refused the result of {where} read from {found.source}: "
                f"{', '.join(changed)} changed since it was produced. "
                "Produce it again: python -m snippet_runner run --out DIR"
            )
            continue
        if found.interpreter is None:  # "does not apply to this system"
            if not expected.not_applicable(found.platform):
                outcome.problems.append(
                    f"{found.source} says {outcome.example} does not apply "
                    f"to {platforms.title(found.platform)}, but its "
                    "expectation says it does"
                )
            continue
        run = Run(outcome.example, found.interpreter, found.platform)
        if run.place in own:
            continue
        if run.place in merged:
            outcome.problems.append(
                f"two results of {run}: {merged[run.place]} and "
                f"{found.source}; merge one result folder per system"
            )
            continue
        merged[run.place] = found.source
        case, problem = _case_for(expected, run)
        judged = Outcome(run, case, found.result, stored=found.source)
        judged.problems = (
            [problem] if case is None else judge(case, found.result)
        )
        if judged.problems and label_failures:
            outcome.failed_elsewhere.append(judged)
        else:
            outcome.runs.append(judged)


def _check_platforms(outcome: ExampleOutcome, project: Project) -> list[str]:
    """Every required system has results, each from every required
    version (but for examples that run on one Python only)."""
    problems = []
    for platform in project.require_platforms:
        if platform in outcome.not_applicable:
            continue
        minors = {
            run.run.interpreter.minor
            for run in outcome.runs
            if run.run.platform == platform
        }
        title = platforms.title(platform)
        if not minors:
            problems.append(
                f"no result from {title}, which this build requires "
                "(SNIPPET_RUNNER_REQUIRE_PLATFORMS or `require_platforms`): "
                f"run `python -m snippet_runner run --out DIR` on {title} "
                "and name DIR in SNIPPET_RUNNER_RESULTS"
            )
            continue
        lacking = [v for v in project.require if v not in minors]
        if lacking and not outcome.needs and platform != platforms.current():
            problems.append(
                f"no result from CPython {', '.join(lacking)} on {title}, "
                "which this build requires"
            )
    return problems


class MissingFiles(Exception):
    """Files of the project (its pages, its snippets) were there before
    the runs and are gone after them."""


def project_files(project: Project) -> set[Path]:
    """The files a build reads from: every file below the snippets and
    docs folders, and mkdocs.yml."""
    found = {project.root / "mkdocs.yml"}
    for folder in (project.snippets_dir, project.docs_dir):
        for base, dirs, files in os.walk(folder):
            dirs[:] = [name for name in dirs if name != "__pycache__"]
            found.update(Path(base, name) for name in files)
    return {path for path in found if path.exists()}


def stored_results(project: Project) -> dict[str, list[results.Stored]]:
    """The results in the project's result folders, by example reference."""
    by_example: dict[str, list[results.Stored]] = {}
    found = results.read_folders(
        project.results, project.supported, project.max_output
    )
    for stored in found:
        by_example.setdefault(stored.example, []).append(stored)
    return by_example


def check_examples(
    examples,
    interpreters: list[Interpreter],
    project: Project,
    jobs: int | None = None,
) -> dict[Example, ExampleOutcome]:
    """Run and judge many examples on every interpreter, all at once (the
    'alone' runs by themselves)."""
    handle_termination()  # a SIGTERM kills the runs before the build
    unique = list(dict.fromkeys(examples))
    before = project_files(project)
    outcomes, work, known = {}, [], {}
    for example in unique:
        outcomes[example], runs, expected = _plan(
            example, interpreters, project
        )
        if expected is not None:
            inputs = cache.example_inputs(
                example.snippet,
                example.args,
                example.expectation,
                project.root,
            )
            known[example] = (expected, inputs)
            digest = cache.digest_of(inputs)
            work += [(run, case, digest) for run, case in runs]
    done = run_in_order(work, jobs or project.jobs, project)
    missing = sorted(before - project_files(project))
    if missing:
        raise MissingFiles(
            "files of the project went missing while the examples ran: "
            + ", ".join(project.display(path) for path in missing)
            + ". Runs work in a scratch copy of their folder, so a program "
            "that deletes its own files deletes copies; one that reaches "
            "the project by an absolute path does not. Restore them (git "
            "restore), and find the snippet that deletes them"
        )
    for outcome in done:
        outcomes[outcome.run.example].runs.append(outcome)
    stored = stored_results(project) if project.results else {}
    for example, (expected, inputs) in known.items():
        outcome = outcomes[example]
        _merge_stored(
            outcome,
            expected,
            inputs,
            stored.get(example.reference, []),
            project.foreign_failures == "label",
        )
        outcome.runs.sort(key=_run_order)
        outcome.problems += _unused_cases(
            expected, [run.run for run in outcome.runs], project.supported
        )
        outcome.problems += _check_platforms(outcome, project)
    return outcomes


def run_in_order(work: list, jobs: int, project: Project) -> list[Outcome]:
    """check_run on every (run, case, digest), in the order that ends
    soonest; the outcomes in the order of `work`.

    The runs that may share the machine go first, `jobs` at once, the
    longest first (see schedule.py), so that the build does
    not end on one long run while the cores idle. Then the 'alone' runs,
    one after another. In the pool, an alone run would hold a place while
    it waited for the exclusive lock, and it could not get that lock
    before the shared runs were done anyway (flock gives a waiting
    exclusive lock no precedence over new shared ones).

    A run that hung (it timed out, and the load does not explain it: see
    _hung) stops its example's other runs, running or waiting: a program
    that hangs on every version is reported after one timeout, not one a
    version. A run that timed out because the load starved it goes once
    more, at most one per core, and only a second timeout fails it."""
    # Results in the cache first, here: a warm build then starts no
    # thread for them and orders only the runs it really makes (handing
    # 470 cached runs to 32 threads cost more than reading them).
    done: dict[int, Outcome] = {}
    for index, item in enumerate(work):
        cached = cached_outcome(*item, project)
        if cached is not None:
            done[index] = cached
    left = [i for i in range(len(work)) if i not in done]
    seconds = schedule.known(project.cache_dir, project.timings)
    order = [left[i] for i in schedule.order([work[i] for i in left], seconds)]
    shared = [i for i in order if not work[i][1].alone]
    alone = [i for i in order if work[i][1].alone]
    crowded = len(shared) > CORES
    stops = {work[i][0].example: Cancel() for i in left}
    cancel = Cancel()

    def attempt(i: int, again: bool = False, crowd: bool = crowded):
        run = work[i][0]
        stop = stops[run.example]
        outcome = check_run(*work[i], project, cancel, again=again, stop=stop)
        if _hung(outcome, crowd) or (again and _timed_out(outcome)):
            stop.set(
                f"its run on {run.interpreter.name} timed out after "
                f"{outcome.result.timeout:g} s"
            )
        return outcome

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            try:
                found = pool.map(attempt, shared)
                done.update(zip(shared, found, strict=True))
                again = [
                    i
                    for i in shared
                    if _timed_out(done[i])
                    and not _hung(done[i], crowded)
                    and not stops[work[i][0].example].is_set()
                ]
                one_per_core = threading.BoundedSemaphore(CORES)

                def rerun(i: int) -> Outcome:
                    with one_per_core:
                        return attempt(i, again=True)

                done.update(zip(again, pool.map(rerun, again), strict=True))
                for i in alone:
                    done[i] = attempt(i, crowd=False)
            except BaseException:
                # Ctrl-C (or any error here): runs not started never start,
                # and the running ones kill their processes and stop.
                pool.shutdown(wait=False, cancel_futures=True)
                cancel.set()
                raise
    finally:
        cancel.close()  # the pool is done: no run waits on it any more
        for stop in stops.values():
            stop.close()
    schedule.record(
        [(done[i], work[i][2]) for i in range(len(work))], project.run_cache
    )
    return [done[i] for i in range(len(work))]
