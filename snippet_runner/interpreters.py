"""The CPython interpreters a build runs its examples on.

Found in three places, in this order: given explicitly (the plugin's
`interpreters` option or SNIPPET_RUNNER_INTERPRETERS, paths separated by
the system's path separator), as `python3.X` on PATH, and under pyenv's
versions folder (`$PYENV_ROOT/versions`, else `~/.pyenv/versions`). Each
candidate is asked for its version by running it: a pyenv shim for a
version that is not selected answers with an error and is skipped, as is
anything outside the supported range. One interpreter per minor version
(3.9, 3.10, ...) is kept: the build's own Python for its minor version
(it has the project's requirements installed), else the first found.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

# What a candidate prints about itself: one JSON object.
PROBE = """\
import json, platform, sys, sysconfig
paths = sysconfig.get_paths()
print(json.dumps({
    "implementation": platform.python_implementation(),
    "version": platform.python_version(),
    "build": sys.version,
    "stdlib": paths["stdlib"],
    "purelib": paths["purelib"],
    "platlib": paths["platlib"],
}))
"""


_WRITING = threading.Lock()


class InterpreterError(Exception):
    """A required interpreter is missing, or a given one does not work."""


@dataclass(frozen=True)
class Interpreter:
    path: str  # how it is run (not resolved: a venv's python stays one)
    implementation: str  # "CPython"
    version: str  # "3.11.7"
    build: str  # sys.version: the exact build, for the run cache's key
    stdlib: str
    purelib: str
    platlib: str

    @property
    def release(self) -> tuple[int, ...]:
        """(3, 11, 7); a pre-release's "3.14.0rc1" gives (3, 14, 0)."""
        digits = []
        for part in self.version.split(".")[:3]:
            number = "".join(char for char in part if char.isdigit())
            digits.append(int(number or 0))
        return tuple(digits)

    @property
    def minor(self) -> str:
        return ".".join(map(str, self.release[:2]))

    @property
    def name(self) -> str:
        return f"{self.implementation} {self.version}"

    @property
    def is_build(self) -> bool:
        """Is this the Python that runs the build (and has its packages)?"""
        return self.path == sys.executable

    def identity(self) -> str:
        """What the run cache's key takes from the interpreter."""
        return f"{self.path}\0{self.build}"


def probe(path: str) -> Interpreter | None:
    """The interpreter at `path`, or None if it does not run."""
    try:
        done = subprocess.run(
            [path, "-I", "-c", PROBE],
            capture_output=True,
            text=True,
            timeout=20,
        )
        facts = json.loads(done.stdout) if done.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return None
    return None if facts is None else Interpreter(path=path, **facts)


def _cached_probe(path: str, cache_file: Path | None) -> Interpreter | None:
    """probe(), remembered by the executable's path, size and time, so a
    warm build starts no interpreter to ask its version."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    token = f"{path}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}"
    known = _read_json(cache_file)
    if token in known:
        facts = known[token]
        return None if facts is None else Interpreter(**facts)
    found = probe(path)
    if cache_file is not None:
        with _WRITING:  # probes run in threads; each adds its answer
            known = _read_json(cache_file)  # others may have added some
            known[token] = None if found is None else asdict(found)
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            partial = cache_file.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(known, indent=1), "utf-8")
            partial.replace(cache_file)  # readers never see half a file
    return found


def _read_json(path: Path | None) -> dict:
    try:
        return json.loads(path.read_text("utf-8")) if path else {}
    except (OSError, ValueError):
        return {}


def candidates(
    explicit: list[str], oldest: tuple[int, int], newest: tuple[int, int]
) -> list[str]:
    """Paths that may be interpreters, most wanted first."""
    found = [sys.executable, *explicit]
    for minor in range(oldest[1], newest[1] + 1):
        on_path = shutil.which(f"python{oldest[0]}.{minor}")
        if on_path:
            found.append(on_path)
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions = root / "versions"
    if versions.is_dir():
        found += sorted(
            str(path)
            for path in versions.glob("*/bin/python")
            if path.is_file()
        )
    return list(dict.fromkeys(found))


def discover(
    explicit: list[str],
    oldest: tuple[int, int],
    newest: tuple[int, int],
    cache_file: Path | None = None,
) -> list[Interpreter]:
    """One working CPython per minor version from `oldest` to `newest`,
    oldest first; the build's own Python always among them."""
    paths = candidates(explicit, oldest, newest)
    for path in explicit:
        if not Path(path).is_file():
            raise InterpreterError(f"interpreter {path} does not exist")
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = [*pool.map(_cached_probe, paths, [cache_file] * len(paths))]
    for path, interpreter in zip(paths, found, strict=True):
        if path in explicit and interpreter is None:
            raise InterpreterError(
                f"interpreter {path} does not run: it was given in the "
                "configuration, so it must"
            )
    chosen: dict[str, Interpreter] = {}
    for interpreter in found:
        if (
            interpreter is None
            or interpreter.implementation != "CPython"
            or not oldest <= interpreter.release[:2] <= newest
        ):
            continue
        chosen.setdefault(interpreter.minor, interpreter)
    return sorted(chosen.values(), key=lambda found: found.release)


_BUILD: list[Interpreter] = []  # the answer, once this process has it


def build_interpreter(cache_file: Path | None = None) -> Interpreter:
    """The Python running this code (asked once per process)."""
    if not _BUILD:
        found = _cached_probe(sys.executable, cache_file)
        if found is None:  # the Python running this cannot fail to run
            raise InterpreterError(f"{sys.executable} did not answer")
        _BUILD.append(found)
    return _BUILD[0]


def missing(required: list[str], interpreters: list[Interpreter]) -> list:
    """The required minor versions ("3.9") that no interpreter provides."""
    have = {interpreter.minor for interpreter in interpreters}
    return [version for version in required if version not in have]


def names(interpreters) -> str:
    """ "CPython 3.9.18, 3.10.13 and 3.11.7"."""
    versions = [interpreter.version for interpreter in interpreters]
    if not versions:
        return "no interpreter"
    implementation = interpreters[0].implementation
    if len(versions) == 1:
        return f"{implementation} {versions[0]}"
    return f"{implementation} {', '.join(versions[:-1])} and {versions[-1]}"
