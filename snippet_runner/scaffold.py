"""Start a new example: `make new NAME=topic/name`.

    python -m snippet_runner new topic/name          # or topic/name.py
    python -m snippet_runner new topic/name.py spawn # a run with arguments

Creates `snippets/topic/name.py` from a small template unless the file is
already there (write the program first, or edit the template after), then
runs it twice, at the same time, through the runner, and writes the
expectation from the first run's real output: every line literal, the
header's `exit:` from the real exit code, and a `draft:` line.

A draft always fails (see runner.judge), so `make test` and a strict build
keep pointing at it until a person has replaced what varies with
placeholders, made free-order groups `[any order]`, and deleted the
`draft:` line. The lines that differed between the two runs are listed in
the draft's header comments as a start, not as the whole answer: a single
pair of runs cannot show everything that may vary.

Running it again redrafts a draft (after the template was replaced by the
real program); an expectation without a `draft:` line is never touched.
"""

from __future__ import annotations

import difflib
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import expectation as expect
from .process import RunResult, run_program
from .runner import Example

NAME = re.compile(r"[a-z][a-z0-9_]*/[a-z][a-z0-9_]*")
TEMPLATE_MARK = "TODO(new example)"
DRAFT_NOTE = "drafted by make new from one real run, not reviewed yet"
TEMPLATE = f'''\
"""{TEMPLATE_MARK}: say in one sentence what this example shows."""

from multiprocessing.pool import Pool


def square(number):
    # Runs in a worker process; the result is pickled back to the parent.
    return number * number


if __name__ == "__main__":
    with Pool(2) as pool:
        result = pool.map_async(square, range(4))
        # A timeout, so that a bug cannot hang the run forever.
        print(result.get(timeout=10))
'''
# Body lines that the expectation format would read as something else.
SPECIAL_LINES = {
    expect.SEPARATOR,
    expect.ANY_LINES,
    expect.ANY_ORDER_START,
    expect.ANY_ORDER_END,
}


class ScaffoldError(Exception):
    """Why no draft was written; the message says what to do."""


def parse_name(
    name: str, args: list[str] | tuple[str, ...], project
) -> Example:
    """`topic/name`, `topic/name.py` or `snippets/topic/name.py`."""
    folder = project.display(project.snippets_dir) + "/"
    reference = name.strip().removeprefix(folder).removesuffix(".py")
    if not NAME.fullmatch(reference):
        raise ScaffoldError(
            f"NAME must look like topic/name (lower-case letters, digits and "
            f"underscores, one folder below snippets/), got {name!r}"
        )
    try:
        return Example.from_reference(
            " ".join([reference + ".py", *args]), project
        )
    except ValueError as error:
        raise ScaffoldError(str(error)) from None


def literal_line(line: str) -> str:
    """An expectation line that matches exactly `line`."""
    line = line.rstrip().replace("{", "{{").replace("}", "}}")
    if line in SPECIAL_LINES or line.startswith("\\"):
        return "\\" + line
    return line


def varying_lines(first: RunResult, second: RunResult) -> list[int]:
    """Line numbers of the first output that the second run changed."""
    one = expect.output_lines(first.output)
    two = expect.output_lines(second.output)
    changed: list[int] = []
    matcher = difflib.SequenceMatcher(None, one, two, autojunk=False)
    for tag, start, end, _, _ in matcher.get_opcodes():
        if tag != "equal":
            changed += range(start + 1, max(end, start + 1) + 1)
    return sorted({n for n in changed if n <= len(one)})


def draft_text(result: RunResult, varying: list[int]) -> str:
    lines = expect.output_lines(result.output)
    methods = ", ".join(result.start_methods) or "none"
    header = [
        "# Drafted by `make new` from one real run",
        f"# ({result.python}, start method: {methods}).",
        "# It fails every check until it states only what the program",
        "# guarantees: {int} {float} {hex} {word} {text} where a value",
        "# varies, [any order] ... [end] around lines printed in no fixed",
        "# order, ... for lines that differ between Python versions.",
        "# Then delete the 'draft:' line (see CONTRIBUTING.md).",
    ]
    if varying:
        numbers = ", ".join(str(n) for n in varying)
        header.append(
            f"# A second run at the same time changed output line(s) "
            f"{numbers}."
        )
    else:
        header.append("# A second run at the same time printed the same.")
    header += [f"draft: {DRAFT_NOTE}", f"exit: {result.exit_code}", "---"]
    return "\n".join(header + [literal_line(line) for line in lines]) + "\n"


def is_draft(path: Path) -> bool:
    """Has the file a 'draft:' line? (a draft may be overwritten)"""
    try:
        return bool(expect.load(path).draft)
    except expect.ExpectationError:
        return False


def create(name: str, args, project) -> list[str]:
    """Make the snippet (if absent) and its draft; return what to say."""
    run = parse_name(name, args, project)  # an Example
    display = project.display
    said = []
    if run.expectation.exists() and not is_draft(run.expectation):
        raise ScaffoldError(
            f"{display(run.expectation)} exists and is no draft, so it "
            "is left alone; delete it first to draft it again from a new run"
        )
    if run.snippet.exists():
        said.append(f"kept    {display(run.snippet)} (already there)")
    else:
        run.snippet.parent.mkdir(parents=True, exist_ok=True)
        run.snippet.write_text(TEMPLATE, encoding="utf-8")
        said.append(f"created {display(run.snippet)} from a template")
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(
            lambda _: run_program(
                run.snippet,
                run.args,
                project.timeout,
                root=project.root,
                environment=project.environment,
                max_output=project.max_output,
            ),
            range(2),
        )
    if first.timed_out:
        raise ScaffoldError(
            f"{run} did not end within {first.timeout:g} s (all its "
            "processes were killed), so no draft was written: make it end "
            "by itself, then run this again"
        )
    redraft = run.expectation.exists()
    run.expectation.write_text(
        draft_text(first, varying_lines(first, second)), encoding="utf-8"
    )
    said.append(
        f"{'redrafted' if redraft else 'drafted'} "
        f"{display(run.expectation)} from its real output "
        f"(exit code {first.exit_code})"
    )
    if first.left_behind:
        said.append(
            "warning: it left processes running after it exited; "
            "the check will fail until it does not"
        )
    reference = run.reference
    said += [
        "next:",
        f"  1. edit {display(run.snippet)} if it is the template, "
        "then run this again: a draft is redrafted from a new run",
        f"  2. generalise {display(run.expectation)}, then delete its "
        "'draft:' line (see CONTRIBUTING.md)",
        f"  3. add  <!-- example: {reference} -->  on its own line in a page",
        f"  4. make check SNIPPET={display(run.snippet)}, then make test",
    ]
    return said
