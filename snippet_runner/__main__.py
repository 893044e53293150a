"""Check snippets from the command line, the way the build checks them.

    python -m snippet_runner check snippets/manager/start_gate.py
    python -m snippet_runner check          # every snippet
    python -m snippet_runner check snippets/beyond/_cluster.py  # its users
    python -m snippet_runner show snippets/manager/start_gate.py
    python -m snippet_runner new topic/name   # a new snippet and a draft

`check` runs each file (every expectation it has) afresh, on every
interpreter the build uses (mkdocs.yml's snippet-runner options; set
SNIPPET_RUNNER_PYTHONS=build for the build's Python only), and reports
what is wrong; `show` prints the outputs as a page would show them; `new`
starts an example (see scaffold.py).
"""

import argparse
import os
import sys
from pathlib import Path

from . import cache, scaffold
from .interpreters import InterpreterError, names
from .runner import Example, check_examples, discover_examples
from .settings import project_interpreters


def examples_for(paths: list[str]) -> list[Example]:
    """The examples of these snippets; for a helper module (`_name.py`),
    those of every snippet that depends on it (it has none of its own)."""
    if not paths:
        return discover_examples()
    examples = []
    for path in paths:
        file = Path(path).resolve()
        if file.name.startswith("_") and file.is_file():
            found = [
                example
                for example in discover_examples(file.parent)
                if file in cache.local_modules(example.snippet)
            ]
        else:
            found = [
                example
                for example in discover_examples()
                if example.snippet == file
            ]
        # None found is reported: no such file, or no expectation.
        examples += found or [Example(file)]
    return examples


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m snippet_runner")
    parser.add_argument("command", choices=["check", "show", "new"])
    parser.add_argument(
        "snippets",
        nargs="*",
        help="snippet files; for new: topic/name, then any arguments",
    )
    options = parser.parse_args(argv)
    if options.command == "new":
        return new(options.snippets)
    os.environ.setdefault("SNIPPET_RUNNER_CACHE", "off")  # always run
    try:
        interpreters = list(project_interpreters())
    except InterpreterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    outcomes = check_examples(examples_for(options.snippets), interpreters)
    failed = [outcome for outcome in outcomes.values() if not outcome.ok]
    for example, outcome in outcomes.items():
        if options.command == "show":
            for _, runs in outcome.groups():
                shown = outcome.shown(runs).result
                checked = names([run.run.interpreter for run in runs])
                print(f"$ {' '.join(shown.command)}   # {checked}")
                print(shown.output, end="")
        if outcome.ok:
            print(f"ok    {example} on {names(outcome.interpreters)}")
        else:
            print(f"FAIL  {outcome.report()}")
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


def new(words: list[str]) -> int:
    if not words:
        print("new: which example? e.g. new topic/name", file=sys.stderr)
        return 2
    try:
        said = scaffold.create(words[0], words[1:])
    except scaffold.ScaffoldError as error:
        print(f"new: {error}", file=sys.stderr)
        return 1
    print("\n".join(said))
    return 0


if __name__ == "__main__":
    sys.exit(main())
