"""A content-addressed cache of runs that passed, shared by builds and tests.

A result is reused only when nothing that could change it has changed: the
key covers the snippet's bytes, its expectation's bytes, every local module
it imports (transitively), its arguments, the interpreter (its path and
exact build), and the runner's own source. Failed runs are never
stored, so they always run again.

SNIPPET_RUNNER_CACHE=off bypasses it (a fresh run of everything);
SNIPPET_RUNNER_CACHE_DIR moves it (the tests use a fresh one per session).
The same folder holds the locks that keep two processes (an xdist worker
and a build, say) from running the same snippet at once, and that let an
'alone' snippet run while nothing else does.
"""

from __future__ import annotations

import ast
import dataclasses
import fcntl
import functools
import hashlib
import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from .interpreters import Interpreter
from .process import ROOT, RunResult

RUNNER_DIR = Path(__file__).resolve().parent
DEFAULT_DIRECTORY = ROOT / ".cache/snippet-runs"


def directory() -> Path:
    """SNIPPET_RUNNER_CACHE_DIR, else the plugin's `cache_dir`."""
    return Path(
        os.environ.get("SNIPPET_RUNNER_CACHE_DIR") or DEFAULT_DIRECTORY
    )


def configure(folder: Path) -> None:
    """Where the cache is when SNIPPET_RUNNER_CACHE_DIR does not say."""
    global DEFAULT_DIRECTORY
    DEFAULT_DIRECTORY = Path(folder)


def enabled() -> bool:
    return os.environ.get("SNIPPET_RUNNER_CACHE", "on") != "off"


@functools.cache
def runner_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(RUNNER_DIR.rglob("*.py")):
        digest.update(path.relative_to(RUNNER_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# check_runs computes keys from many threads at once, and ast.parse in
# several threads can fail on CPython 3.11 with a spurious "SystemError: AST
# constructor recursion depth mismatch" (seen here; CPython gh-106905).
_PARSE_LOCK = threading.Lock()


def imported_names(source: bytes) -> set[str]:
    """The top-level names of the modules a source file imports."""
    try:
        with _PARSE_LOCK:
            tree = ast.parse(source)
    except SyntaxError:
        return set()  # it will fail when it runs; nothing to follow
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add((node.module or "").split(".")[0])
    return names


def local_modules(snippet: Path) -> list[Path]:
    """Files beside the snippet that it imports, directly or not, and every
    helper (`_*.py`) in its folder, which it may also start as a program.

    The snippet runs as `python snippets/topic/name.py`, so its folder is
    the first place imports are looked up.
    """
    folder = snippet.parent
    helpers = sorted(folder.glob("_*.py"))
    found, todo = set(helpers), [snippet, *helpers]
    while todo:
        for name in imported_names(todo.pop().read_bytes()):
            module, package = folder / f"{name}.py", folder / name
            files = [module] if module.is_file() else []
            if (package / "__init__.py").is_file():
                files += sorted(package.rglob("*.py"))
            for file in files:
                if file not in found:
                    found.add(file)
                    todo.append(file)
    return sorted(found)


def example_digest(
    snippet: Path, args: tuple[str, ...], expectation: Path
) -> str:
    """Everything of an example that its runs' keys cover, on any
    interpreter: computed once per example, not once per run."""
    digest = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        digest.update(f"{label}:{len(data)}:".encode() + data)

    feed("runner", runner_version().encode())
    feed("args", "\0".join(args).encode())
    feed("snippet", snippet.read_bytes())
    feed("expectation", expectation.read_bytes())
    for module in local_modules(snippet):
        feed(
            module.relative_to(snippet.parent).as_posix(), module.read_bytes()
        )
    return digest.hexdigest()


def key(example: str, interpreter: Interpreter) -> str:
    """A run's key: its example's digest and the interpreter it runs on."""
    identity = f"{example}\0{interpreter.identity()}"
    return hashlib.sha256(identity.encode()).hexdigest()


def load(key: str) -> RunResult | None:
    path = directory() / f"{key}.json"
    if not enabled() or not path.is_file():
        return None
    return RunResult(**json.loads(path.read_text(encoding="utf-8")))


def store(key: str, result: RunResult) -> None:
    if not enabled():
        return
    path = directory() / f"{key}.json"
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(dataclasses.asdict(result)), "utf-8")
    partial.replace(path)  # atomic: readers never see half a file


@contextmanager
def _locked(path: Path, mode: int):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def slot(key: str, alone: bool):
    """Hold this while running: exclusive for 'alone' runs, else shared;
    and one run of a given key at a time."""
    locks = directory() / "locks"
    mode = fcntl.LOCK_EX if alone else fcntl.LOCK_SH
    with _locked(locks / "alone.lock", mode):
        if not enabled():
            yield
            return
        with _locked(locks / f"{key}.lock", fcntl.LOCK_EX):
            yield
