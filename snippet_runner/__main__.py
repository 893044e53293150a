"""Check snippets from the command line, the way the build checks them.

    python -m snippet_runner check snippets/manager/start_gate.py
    python -m snippet_runner check          # every snippet
    python -m snippet_runner show snippets/manager/start_gate.py

`check` runs each file (every expectation it has) afresh and reports what
is wrong; `show` prints one run's output as a page would show it.
"""

import argparse
import os
import sys
from pathlib import Path

from .runner import Run, check_runs, discover_runs


def runs_for(paths: list[str]) -> list[Run]:
    if not paths:
        return discover_runs()
    runs = []
    for path in paths:
        snippet = Path(path).resolve()
        runs += [run for run in discover_runs() if run.snippet == snippet]
        if not any(run.snippet == snippet for run in runs):
            runs.append(Run(snippet))  # reported: no file or no expectation
    return runs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m snippet_runner")
    parser.add_argument("command", choices=["check", "show"])
    parser.add_argument("snippets", nargs="*", help="snippet files")
    options = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
