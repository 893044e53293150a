"""Runs as portable data: written by one machine, merged by another build.

`python -m snippet_runner run --out DIR` writes one JSON file per run into
DIR: the example, the interpreter and the system it ran on, what it
printed and how it ended (the runner's RunResult, provenance included),
and the SHA-256 of every input the run cache's key covers (the runner's
code, the arguments, the snippet, its expectation, the modules it
imports). A build merges the folders named in SNIPPET_RUNNER_RESULTS or
the plugin's `results` option with its own runs (runner.check_examples):
each result is judged by its expectation like a run of the build's own,
and a result whose inputs no longer hash the same is refused, naming the
files that changed, so a page never shows output from older code.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .interpreters import Interpreter
from .process import RunResult

FORMAT = 1  # bumped when a field changes meaning


class ResultsError(Exception):
    """A result folder or file that cannot be read."""


@dataclass(frozen=True)
class Stored:
    """One run's result as a result folder holds it."""

    example: str  # as pages refer to it: "topic/name.py arg"
    platform: str  # linux, macos, windows
    interpreter: Interpreter
    result: RunResult
    inputs: dict[str, str]  # input: its SHA-256 (cache.example_inputs)
    source: Path  # the file it was read from

    def changed(self, now: dict[str, str]) -> list[str]:
        """The inputs that differ from `now` (the files as they are)."""
        names = sorted(set(self.inputs) | set(now))
        return [
            name for name in names if self.inputs.get(name) != now.get(name)
        ]


def file_name(example: str, platform: str, interpreter: Interpreter) -> str:
    words = re.sub(r"[^A-Za-z0-9_.-]+", "-", example.replace("/", "--"))
    return f"{platform}-{interpreter.minor}-{words}.json"


def write(
    folder: Path,
    example: str,
    platform: str,
    interpreter: Interpreter,
    result: RunResult,
    inputs: dict[str, str],
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(example, platform, interpreter)
    record = {
        "format": FORMAT,
        "example": example,
        "platform": platform,
        "interpreter": dataclasses.asdict(interpreter),
        "result": dataclasses.asdict(result),
        "inputs": inputs,
    }
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return path


def read(path: Path) -> Stored:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("format") != FORMAT:
            raise ResultsError(
                f"{path}: format {record.get('format')!r}, this runner "
                f"reads {FORMAT}: produce it again with this version"
            )
        return Stored(
            example=record["example"],
            platform=record["platform"],
            interpreter=Interpreter(**record["interpreter"]),
            result=RunResult(**record["result"]),
            inputs=dict(record["inputs"]),
            source=path,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ResultsError(f"{path}: not a run result ({error})") from None


def read_folders(folders) -> list[Stored]:
    """Every result below these folders, in a stable order. A build asks
    more than once (each table's block does): files unchanged since the
    last call are not read again."""
    paths = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            raise ResultsError(f"result folder {folder} does not exist")
        paths += sorted(folder.rglob("*.json"))
    signature = []
    for path in paths:
        stat = path.stat()
        signature.append((str(path), stat.st_mtime_ns, stat.st_size))
    return list(_read_all(tuple(signature)))


@functools.lru_cache(maxsize=4)
def _read_all(signature: tuple) -> tuple[Stored, ...]:
    return tuple(read(Path(path)) for path, _, _ in signature)
