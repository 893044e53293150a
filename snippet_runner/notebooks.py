"""Execute the notebooks under docs/ and judge every code cell's output.

One code path for the build and the tests: the MkDocs hook
(snippet_runner/notebook_pages.py) and tests/test_notebook.py both call
`check_notebook`.

Why not let mkdocs-jupyter execute: it has no cell timeout (a hung pool
would hang the build for good, with the kernel and its workers left
running), it cannot check outputs, and its cache is keyed by the
notebook's bytes only, so a change to a module the notebook imports would
leave a stale page. Here the notebook runs once, in a kernel on this
Python, with a timeout per cell; every output is checked; the executed
notebook is cached under a key that includes the modules it imports; and
mkdocs-jupyter only renders the executed copy (`execute: false`).

Expectations, one file per checked cell, beside the notebook and in the
same format as a snippet's (snippet_runner/expectation.py):

    docs/notebooks/pool_in_jupyter.ipynb           the notebook
    docs/notebooks/pool_in_jupyter.fix-works.expect   its cell 'fix-works'

The cell's output is its outputs in order (stdout and stderr as they
came, a result's text, an error's traceback without colours). `exit: 0`
means the cell raises nothing, `exit: 1` that it raises; `timeout:` is
the cell's time limit. A code cell with no expectation file must print
nothing and raise nothing, so an unexpected error anywhere fails.

The notebook's metadata says where its kernel runs, relative to the
notebook: {"snippet_runner": {"run_in": "../../snippets/notebook"}}, the
folder of the module it imports, as a reader runs it with both files side
by side. Paths in outputs are shortened as in snippet outputs.
"""

from __future__ import annotations

import ast
import hashlib
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from . import cache
from . import expectation as expect
from .interpreters import build_interpreter
from .process import (
    child_environment,
    describe,
    kill_group,
    live,
    provenance,
    shorten_paths,
    survivors,
)
from .runner import EXPECTATION_SUFFIX

KERNEL = "python3"  # ipykernel's own spec: runs sys.executable
METADATA = "snippet_runner"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
SILENT = "exit: 0\n---\n"  # for code cells with no expectation file


def discover_notebooks(folder: Path) -> list[Path]:
    return sorted(
        path.resolve()
        for path in folder.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts
    )


def expectation_files(notebook: Path) -> dict[str, Path]:
    """{cell id: expectation file} for `<stem>.<cell id>.expect`."""
    prefix, suffix = notebook.stem + ".", EXPECTATION_SUFFIX
    return {
        path.name[len(prefix) : -len(suffix)]: path
        for path in sorted(notebook.parent.glob(f"{prefix}*{suffix}"))
    }


def run_folder(notebook: Path, nb) -> Path:
    """Where the kernel runs: metadata run_in, relative to the notebook."""
    relative = nb.metadata.get(METADATA, {}).get("run_in")
    return (
        (notebook.parent / relative).resolve() if relative else notebook.parent
    )


def local_modules(nb, folder: Path) -> list[Path]:
    """Modules in the run folder that the code cells import, transitively."""
    found: set[Path] = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # Imports resolve in the run folder, the kernel's working directory;
        # cache.local_modules then follows each module's own imports.
        for name in cache.imported_names(cell.source.encode()):
            module = folder / f"{name}.py"
            if module.is_file():
                found.add(module)
                found.update(cache.local_modules(module))
    return sorted(found)


def cache_key(notebook: Path) -> str:
    """Everything that could change the executed notebook."""
    nb = nbformat.read(notebook, as_version=4)
    folder = run_folder(notebook, nb)
    digest = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode() + data)

    feed("runner", cache.runner_version().encode())
    feed("python", f"{sys.version} {sys.platform}".encode())
    feed("notebook", notebook.read_bytes())
    feed("run_in", nb.metadata.get(METADATA, {}).get("run_in", "").encode())
    for cell_id, path in expectation_files(notebook).items():
        feed(f"expect:{cell_id}", path.read_bytes())
    for module in local_modules(nb, folder):
        feed(module.relative_to(folder).as_posix(), module.read_bytes())
    return digest.hexdigest()


def cell_text(cell) -> str:
    """A code cell's outputs as one text, as its expectation matches it."""
    parts = []
    for output in cell.get("outputs", []):
        kind = output.output_type
        if kind == "stream":
            parts.append(output.text)
        elif kind == "error":
            parts.append(ANSI.sub("", "\n".join(output.traceback)) + "\n")
        elif "text/plain" in output.get("data", {}):
            parts.append(output.data["text/plain"] + "\n")
    return "".join(parts)


def _shorten(cell, root: Path) -> None:
    """Paths in outputs are shortened as the runner does for snippets."""
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            output.text = shorten_paths(output.text, build_interpreter(), root)
        elif output.output_type == "error":
            output.traceback = [
                shorten_paths(text, build_interpreter(), root)
                for text in output.traceback
            ]


@dataclass
class NotebookOutcome:
    notebook: Path
    name: str = ""  # as messages show it: from the project's folder
    executed: object | None = None  # the executed notebook (nbformat)
    problems: list[str] = field(default_factory=list)
    from_cache: bool = False
    kernel_log: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def provenance(self) -> dict:
        if self.executed is None:
            return {}
        return self.executed.metadata.get(METADATA, {}).get("provenance", {})

    def report(self) -> str:
        lines = [f"{self.name or self.notebook}: " + self.problems[0]]
        lines += [f"  {problem}" for problem in self.problems[1:]]
        if self.kernel_log.strip():
            lines.append("  the kernel's own output (stdout and stderr):")
            lines += [f"    | {ln}" for ln in self.kernel_log.splitlines()]
        return "\n".join(lines)


def _execute(notebook: Path, timeouts: dict[str, float], project):
    """Run every code cell in a fresh kernel; returns (nb, log, problems)."""
    nb = nbformat.read(notebook, as_version=4)
    folder = run_folder(notebook, nb)
    problems: list[str] = []
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        allow_errors=True,  # a cell's error is judged like an exit code
        timeout_func=lambda cell: timeouts.get(
            cell.get("id"), project.timeout
        ),
        interrupt_on_timeout=False,  # a timeout stops the notebook
        # Leftovers are checked before the kernel stops, then its whole
        # process group is killed: no need to wait for a clean exit.
        shutdown_kernel="immediate",
    )
    started = time.monotonic()
    start_methods: list[str] = []
    with tempfile.TemporaryDirectory(prefix="notebook-run-") as scratch:
        log_path = Path(scratch) / "kernel.log"
        env = child_environment(project.environment)
        # Makes child/sitecustomize.py record the start methods the
        # kernel's processes were created with (asked for below).
        env["SNIPPET_RUNNER_REPORT"] = str(Path(scratch) / "start-methods.txt")
        group = None
        with open(log_path, "w", encoding="utf-8") as log:
            try:
                # The kernel's stdout and stderr ("Kernel is running over
                # TCP ...", anything a worker writes to descriptor 2) go to
                # a log that failure reports show; never to the page.
                with client.setup_kernel(
                    cwd=str(folder), env=env, stdout=log, stderr=log
                ):
                    kernel = client.km.provisioner.pid
                    group = client.km.provisioner.pgid
                    with live(group):
                        problems += _check_kernel(kernel)
                        problems += _run_cells(client, nb)
                        if not problems:
                            start_methods = _start_methods(client)
                            problems += _leftovers(group, kernel)
            finally:
                if group is not None:
                    kill_group(group)  # workers of a hung cell, say
        seconds = time.monotonic() - started
        log_text = log_path.read_text(encoding="utf-8", errors="replace")
    # A print() can arrive in pieces; Jupyter shows consecutive pieces of
    # one stream as one block, and so does the page.
    CoalesceStreamsPreprocessor().preprocess(nb, {})
    for cell in nb.cells:
        _shorten(cell, project.root)
    nb.metadata.setdefault(METADATA, {})["provenance"] = {
        **provenance(),
        "start_methods": start_methods,
        "seconds": round(seconds, 1),
    }
    log_text = shorten_paths(log_text, build_interpreter(), project.root)
    return nb, log_text, problems


def _check_kernel(pid: int) -> list[str]:
    executable = psutil.Process(pid).cmdline()[0]
    if executable != sys.executable:
        return [f"the kernel runs {executable}, not {sys.executable}"]
    return []


def _run_cells(client: NotebookClient, nb) -> list[str]:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            client.execute_cell(cell, index)
        except CellTimeoutError:
            cell.metadata[METADATA] = {"timed_out": True}
            return [
                f"cell {cell.id!r} timed out after "
                f"{client._get_timeout(cell):g} s (its 'timeout'); the "
                "kernel and all its processes were killed"
            ]
        except DeadKernelError:
            cell.metadata[METADATA] = {"timed_out": True}
            return [f"the kernel died while running cell {cell.id!r}"]
    return []


def _start_methods(client: NotebookClient) -> list[str]:
    """Ask the kernel which start methods its processes really used."""
    message = client.kc.execute(
        "",
        silent=True,
        user_expressions={
            "methods": "__import__('sitecustomize')._start_methods"
        },
    )
    reply = client.wait_for_reply(message)
    found = reply["content"]["user_expressions"]["methods"]
    if found.get("status") != "ok":
        return []
    return ast.literal_eval(found["data"]["text/plain"])


# Helpers that multiprocessing keeps for the kernel's whole life.
KERNEL_HELPERS = (
    "multiprocessing.resource_tracker",
    "multiprocessing.forkserver",
)


def _leftovers(group: int, kernel: int) -> list[str]:
    """Processes the cells started and did not end (a pool not closed)."""
    left = [
        proc
        for proc in survivors(group)
        if proc.pid != kernel
        and not any(
            helper in " ".join(proc.cmdline()) for helper in KERNEL_HELPERS
        )
    ]
    if not left:
        return []
    return [
        "the notebook left processes running after its last cell (now "
        "killed): " + "; ".join(describe(left))
    ]


def _judge(nb, expectations, name: str) -> list[str]:
    problems = []
    cells = {cell.id: cell for cell in nb.cells if cell.cell_type == "code"}
    for cell_id in sorted(set(expectations) - set(cells)):
        problems.append(
            f"{expectations[cell_id].name}: the notebook has no code cell "
            f"with id {cell_id!r}"
        )
    for cell_id, cell in cells.items():
        if cell.metadata.get(METADATA, {}).get("timed_out"):
            break  # reported already; later cells did not run
        expected = (
            expectations.get(cell_id)
            or expect.parse(
                SILENT, f"{name} (cell {cell_id!r} has no expectation file)"
            ).only
        )
        where = f"cell {cell_id!r}"
        text = cell_text(cell)
        errors = [o for o in cell.outputs if o.output_type == "error"]
        exit_code = 1 if errors else 0
        found = []
        if expected.draft:
            found.append(
                f"{expected.name} is a draft ({expected.draft}): make it "
                "state only what the cell guarantees, then delete its "
                "'draft:' line"
            )
        if exit_code != expected.exit_code:
            what = (
                f"raised {errors[0].ename}: {errors[0].evalue}"
                if errors
                else "raised nothing"
            )
            found.append(
                f"{what}, but {expected.name} says exit: {expected.exit_code}"
            )
        difference = expect.mismatch(expected, text)
        if difference:
            found.append("output does not match its expectation")
            found += difference.splitlines()
        if found:
            problems.append(f"{where}: {found[0]}")
            problems += found[1:]
            problems.append("output:")
            shown = expect.output_lines(text) or ["(no output)"]
            problems += [f"  | {line}" for line in shown]
    return problems


def check_notebook(notebook: Path, project) -> NotebookOutcome:
    """Execute (or take from the cache) and judge one notebook of the
    project (a settings.Project)."""
    notebook = notebook.resolve()
    outcome = NotebookOutcome(notebook, project.display(notebook))
    try:
        expectations = {
            cell_id: expect.load(
                path, project.display(path), project.timeout
            ).only
            for cell_id, path in expectation_files(notebook).items()
        }
    except expect.ExpectationError as error:
        outcome.problems.append(f"bad expectation: {error}")
        return outcome
    key = cache_key(notebook)
    stored = project.cache_dir / f"{key}.ipynb"
    with project.run_cache.slot(key, alone=False):
        if cache.enabled() and stored.is_file():
            try:
                outcome.executed = nbformat.read(stored, as_version=4)
                outcome.from_cache = True
            except Exception as error:  # nbformat raises many kinds
                cache.log.info(
                    "run cache: discarded %s, which is not a valid executed "
                    "notebook (%s); it runs again",
                    stored,
                    str(error)[:200],
                )
                stored.unlink(missing_ok=True)
        if not outcome.from_cache:
            timeouts = {k: e.timeout for k, e in expectations.items()}
            nb, outcome.kernel_log, problems = _execute(
                notebook, timeouts, project
            )
            outcome.executed = nb
            outcome.problems += problems
        outcome.problems += _judge(
            outcome.executed, expectations, outcome.name
        )
        if outcome.ok and not outcome.from_cache and cache.enabled():
            partial = stored.with_suffix(f".{os.getpid()}.tmp")
            stored.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(outcome.executed, partial)
            partial.replace(stored)  # only notebooks that passed
    return outcome
