"""Check snippets from the command line, the way the build checks them.

    python -m snippet_runner check snippets/manager/start_gate.py
    python -m snippet_runner check          # every snippet
    python -m snippet_runner check snippets/beyond/_cluster.py  # its users
    python -m snippet_runner show snippets/manager/start_gate.py
    python -m snippet_runner new topic/name   # a new snippet and a draft
    python -m snippet_runner run --out results/linux   # for another build

`check` runs each file (every expectation it has) afresh, on every
interpreter the build uses (mkdocs.yml's snippet-runner options; set
SNIPPET_RUNNER_PYTHONS=build for the build's Python only), and reports
what is wrong; `show` prints the outputs as a page would show them; `new`
starts an example (see scaffold.py). `run --out DIR` checks them as
`check` does (through the run cache) and writes every run's result into
DIR, passing or not, for a build elsewhere to merge (see results.py): the
GitHub workflows run it on Linux, macOS and Windows.
"""

import argparse
import os
import sys
from pathlib import Path

from mkdocs.exceptions import ConfigurationError

from . import cache, platforms, results, scaffold
from .interpreters import InterpreterError, names
from .runner import (
    Example,
    MissingFiles,
    check_examples,
    discover_examples,
    example,
    ran_again,
)
from .settings import Project, load, project_interpreters
from .untrusted import log_text


def examples_for(paths: list[str], project: Project) -> list[Example]:
    """The examples of these snippets; for a helper module (`_name.py`),
    those of every snippet that depends on it (it has none of its own)."""
    if not paths:
        return discover_examples(project)
    examples = []
    every = None
    for path in paths:
        file = Path(path).resolve()
        if file.name.startswith("_") and file.is_file():
            found = [
                found
                for found in discover_examples(project, file.parent)
                if file in cache.local_modules(found.snippet)
            ]
        else:
            every = every or discover_examples(project)
            found = [found for found in every if found.snippet == file]
            if not found and file.is_file():  # outside the snippets folder
                found = discover_examples(project, file.parent)
                found = [other for other in found if other.snippet == file]
        # None found is reported: no such file, or no expectation.
        examples += found or [example(file, project)]
    return examples


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m snippet_runner")
    parser.add_argument("command", choices=["check", "show", "new", "run"])
    parser.add_argument(
        "snippets",
        nargs="*",
        help="snippet files; for new: topic/name, then any arguments",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="run: the folder to write each run's result into",
    )
    parser.add_argument(
        "-f",
        "--config-file",
        type=Path,
        default=Path("mkdocs.yml"),
        help="the site's mkdocs.yml (default: the one here)",
    )
    options = parser.parse_intermixed_args(argv)
    try:
        project = load(options.config_file)
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if options.command == "new":
        return new(options.snippets, project)
    if (options.command == "run") != (options.out is not None):
        parser.error("--out goes with run, and run needs it")
    if options.command != "run":
        os.environ.setdefault("SNIPPET_RUNNER_CACHE", "off")  # always run
    try:
        interpreters = list(project_interpreters(project))
    except InterpreterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        outcomes = check_examples(
            examples_for(options.snippets, project), interpreters, project
        )
    except (results.ResultsError, MissingFiles) as error:
        print(f"error: {log_text(str(error))}", file=sys.stderr)
        return 2
    if options.out is not None:
        written = write_results(outcomes.values(), options.out, project)
        print(f"wrote {written} results into {options.out}")
    failed = [outcome for outcome in outcomes.values() if not outcome.ok]
    for checked, outcome in outcomes.items():
        if options.command == "show":
            for _, runs in outcome.groups():
                shown = outcome.shown(runs).result
                checked = names([run.run.interpreter for run in runs])
                print(f"$ {' '.join(shown.command)}   # {checked}")
                print(log_text(shown.output), end="")
        if outcome.ok and not outcome.runs and outcome.not_applicable:
            reason = outcome.not_applicable.get(platforms.current(), "")
            print(f"n/a   {checked}: does not apply here ({reason})")
        elif outcome.ok:
            print(f"ok    {checked} on {names(outcome.interpreters)}")
        else:
            print(f"FAIL  {log_text(outcome.report())}")
    again = ran_again(outcomes.values())
    if again:
        print(
            "ran again after a timeout that the load explained:",
            log_text("; ".join(again)),
        )
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def write_results(outcomes, folder: Path, project: Project) -> int:
    """Every run with a result, made here (not merged from elsewhere)."""
    written = 0
    for outcome in outcomes:
        example = outcome.example
        if not example.expectation.is_file():
            continue
        inputs = cache.example_inputs(
            example.snippet, example.args, example.expectation, project.root
        )
        here = platforms.current()
        if here in outcome.not_applicable:
            results.write(
                folder,
                example.reference,
                here,
                None,
                None,
                inputs,
                outcome.not_applicable[here],
            )
            written += 1
            continue
        for run in outcome.runs:
            if run.result is None or run.stored is not None:
                continue
            results.write(
                folder,
                example.reference,
                run.run.platform,
                run.run.interpreter,
                run.result,
                inputs,
            )
            written += 1
    return written


def new(words: list[str], project: Project) -> int:
    if not words:
        print("new: which example? e.g. new topic/name", file=sys.stderr)
        return 2
    try:
        said = scaffold.create(words[0], words[1:], project)
    except scaffold.ScaffoldError as error:
        print(f"new: {error}", file=sys.stderr)
        return 1
    print("\n".join(said))
    return 0


if __name__ == "__main__":
    sys.exit(main())
