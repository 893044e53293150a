"""A content-addressed cache of runs that passed, shared by builds and tests.

A result is reused only when nothing that could change it has changed: the
key covers the snippet's bytes, its expectation's bytes, every local module
it imports (transitively), every data file of its folder (any file that is
neither Python nor an expectation), its arguments, the interpreter (its
path and exact build), the environment a run gets (the allowlisted
variables, names and values), and the runner's own source. Failed runs
are never stored, so they always run again. An entry that cannot be read
back as a valid result (a crash mid-write on a file system without atomic
rename, a disk error, an edit by hand) is deleted with a message, and the
run goes again.

A project's cache is a `RunCache` in its `cache_dir` (settings.py;
SNIPPET_RUNNER_CACHE_DIR moves it: the tests use a fresh one per
session). SNIPPET_RUNNER_CACHE=off bypasses every cache (a fresh run of
everything). The same folder holds the locks that keep two processes (an
xdist worker and a build, say) from running the same snippet at once, and
that let an 'alone' snippet run while nothing else does.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import json
import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from . import process, results
from .interpreters import Interpreter
from .process import RunResult

try:
    import fcntl
except ImportError:  # Windows: see slot()
    fcntl = None

RUNNER_DIR = Path(__file__).resolve().parent
EXPECTATION_SUFFIX = ".expect"
log = logging.getLogger("mkdocs.plugins.snippet_runner")


def enabled() -> bool:
    return os.environ.get("SNIPPET_RUNNER_CACHE", "on") != "off"


def text_bytes(path: Path) -> bytes:
    """A source file's bytes with Windows line ends made Unix ones, so
    that a checkout on Windows (git may convert them) hashes the same."""
    return path.read_bytes().replace(b"\r\n", b"\n")


@functools.cache
def runner_version() -> str:
    digest = hashlib.sha256()
    for path in sorted(RUNNER_DIR.rglob("*.py")):
        digest.update(path.relative_to(RUNNER_DIR).as_posix().encode())
        digest.update(text_bytes(path))
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


def data_files(snippet: Path) -> list[Path]:
    """The files of the snippet's folder (and below) that a run may read:
    neither Python nor an expectation, nor hidden, nor bytecode."""
    folder = snippet.parent
    found = []
    for path in folder.rglob("*"):
        parts = path.relative_to(folder).parts
        if (
            path.is_file()
            and path.suffix not in (".py", ".pyc", EXPECTATION_SUFFIX)
            and "__pycache__" not in parts
            and not any(part.startswith(".") for part in parts)
        ):
            found.append(path)
    return sorted(found)


def example_inputs(
    snippet: Path, args: tuple[str, ...], expectation: Path, root: Path
) -> dict[str, str]:
    """Every input of an example that its runs' keys cover, on any
    interpreter, each with its SHA-256: the runner's code, the
    arguments, and each file by its path from the project's folder
    (`root`; so a stored result can say which file changed since)."""

    def sha(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def name(path: Path) -> str:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return path.as_posix()

    inputs = {
        "the runner (snippet_runner/)": runner_version(),
        "the arguments": sha("\0".join(args).encode()),
        name(snippet): sha(text_bytes(snippet)),
        name(expectation): sha(text_bytes(expectation)),
    }
    for module in local_modules(snippet):
        inputs[name(module)] = sha(text_bytes(module))
    for data in data_files(snippet):
        inputs[name(data)] = sha(data.read_bytes())
    return inputs


def digest_of(inputs: dict[str, str]) -> str:
    """One hash for all of an example's inputs (see example_inputs)."""
    digest = hashlib.sha256()
    for label, value in sorted(inputs.items()):
        digest.update(f"{label}\0{value}\n".encode())
    return digest.hexdigest()


def example_digest(
    snippet: Path, args: tuple[str, ...], expectation: Path, root: Path
) -> str:
    """Computed once per example, not once per run."""
    return digest_of(example_inputs(snippet, args, expectation, root))


@contextmanager
def _locked(path: Path, mode: int):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _SharedOrAlone:
    """Many holders at once, or one alone: the 'alone' lock between the
    threads of one process."""

    def __init__(self):
        self._changed = threading.Condition()
        self._shared = 0
        self._alone = False

    @contextmanager
    def hold(self, alone: bool):
        with self._changed:
            self._changed.wait_for(
                lambda: not self._alone and (not alone or not self._shared)
            )
            if alone:
                self._alone = True
            else:
                self._shared += 1
        try:
            yield
        finally:
            with self._changed:
                if alone:
                    self._alone = False
                else:
                    self._shared -= 1
                self._changed.notify_all()


_IN_PROCESS = _SharedOrAlone()


class RunCache:
    """A project's cache of runs that passed, in `directory`, for runs
    that get the variables `environment` names and keep `max_output`
    bytes of output (both part of every key)."""

    def __init__(
        self,
        directory: Path,
        environment: tuple[str, ...] = process.DEFAULT_ENVIRONMENT,
        max_output: int = process.DEFAULT_MAX_OUTPUT,
    ):
        self.directory = Path(directory)
        self.environment = tuple(environment)
        self.max_output = max_output

    def environment_digest(self) -> str:
        """The environment a run gets from the build, as one hash: read
        afresh, as the build's environment may change between runs."""
        passed = sorted(process.passed_environment(self.environment).items())
        return hashlib.sha256(repr(passed).encode()).hexdigest()

    def key(self, example: str, interpreter: Interpreter) -> str:
        """A run's key: its example's digest, the interpreter it runs on,
        the environment it gets and how much of its output is kept."""
        identity = (
            f"{example}\0{interpreter.identity()}\0"
            f"{self.environment_digest()}\0{self.max_output}"
        )
        return hashlib.sha256(identity.encode()).hexdigest()

    def load(self, key: str) -> RunResult | None:
        """The stored result, or None: not stored, or not valid (then the
        entry is deleted, with a message, and the run goes again)."""
        path = self.directory / f"{key}.json"
        if not enabled() or not path.is_file():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return results.run_result(data, max_output=self.max_output)
        except (OSError, ValueError, results.Invalid) as error:
            log.info(
                "run cache: discarded %s, which is not a valid result (%s); "
                "the run goes again",
                path,
                str(error)[:200],
            )
            path.unlink(missing_ok=True)
            return None

    def store(self, key: str, result: RunResult) -> None:
        if not enabled():
            return
        path = self.directory / f"{key}.json"
        partial = path.with_suffix(
            f".{os.getpid()}.{threading.get_ident()}.tmp"
        )
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(dataclasses.asdict(result)), "utf-8")
        partial.replace(path)  # atomic: readers never see half a file

    @contextmanager
    def slot(self, key: str, alone: bool):
        """Hold this while running: exclusive for 'alone' runs, else
        shared; and one run of a given key at a time."""
        if fcntl is None:
            # Windows has no shared file locks in the standard library:
            # there runs are kept apart only within one process (the
            # workflows run one `python -m snippet_runner run` per system,
            # nothing else).
            with _IN_PROCESS.hold(alone):
                yield
            return
        locks = self.directory / "locks"
        mode = fcntl.LOCK_EX if alone else fcntl.LOCK_SH
        with _locked(locks / "alone.lock", mode):
            if not enabled():
                yield
                return
            with _locked(locks / f"{key}.lock", fcntl.LOCK_EX):
                yield
