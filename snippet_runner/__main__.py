"""Check snippets from the command line, the way the build checks them.

    python -m snippet_runner check snippets/manager/start_gate.py
    python -m snippet_runner check          # every snippet
    python -m snippet_runner check snippets/beyond/_cluster.py  # its users
    python -m snippet_runner show snippets/manager/start_gate.py
    python -m snippet_runner new topic/name   # a new snippet and a draft

`check` runs each file (every expectation it has) afresh and reports what
is wrong; `show` prints one run's output as a page would show it; `new`
starts an example (see scaffold.py).
"""

import argparse
import os
import sys
from pathlib import Path

from . import cache, scaffold
from .runner import Run, check_runs, discover_runs


def runs_for(paths: list[str]) -> list[Run]:
    """The runs of these snippets; for a helper module (`_name.py`), the
    runs of every snippet that depends on it (it has no runs of its own)."""
    if not paths:
        return discover_runs()
    runs = []
    for path in paths:
        file = Path(path).resolve()
        if file.name.startswith("_") and file.is_file():
            found = [
                run
                for run in discover_runs(file.parent)
                if file in cache.local_modules(run.snippet)
            ]
        else:
            found = [run for run in discover_runs() if run.snippet == file]
        runs += found or [Run(file)]  # reported: no file or no expectation
    return runs


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
    outcomes = check_runs(runs_for(options.snippets))
    failed = [outcome for outcome in outcomes.values() if not outcome.ok]
    for run, outcome in outcomes.items():
        if options.command == "show" and outcome.result is not None:
            print(f"$ {' '.join(outcome.result.command)}")
            print(outcome.result.output, end="")
        if outcome.ok:
            print(f"ok    {run}")
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
