"""Runs as portable data: written by one machine, merged by another build.

`python -m snippet_runner run --out DIR` writes one JSON file per run into
DIR: the example, the interpreter and the system it ran on, what it
printed and how it ended (the runner's RunResult, provenance included),
and the SHA-256 of every input the run cache's key covers (the runner's
code, the arguments, the snippet, its expectation, the modules and data
files of its folder). A build merges the folders named in
SNIPPET_RUNNER_RESULTS or the plugin's `results` option with its own
runs (runner.check_examples): each result is judged by its expectation
like a run of the build's own, and a result whose inputs no longer hash
the same is refused, naming the files that changed, so a page never
shows output from older code.

A result file is untrusted input. Before anything of it is used it is
validated (`read`): its size, every field's type (`false` is not an exit
code), the system (one of platforms.TITLES), the version (CPython, within
the build's supported range), the start methods, and the size of the
output. A file that fails says which file and which field, never a
traceback. What a valid file may do is limited by the runner: it can add
a run for a (system, minor version) that the build did not run itself,
and it is always shown as made elsewhere (runner._merge_stored).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import platforms
from . import process as processes
from .interpreters import Interpreter
from .process import RunResult

FORMAT = 2  # bumped when a field changes meaning
# Strings of a result that are not the output: generous, but bounded.
SHORT = 500  # a name, a path, a time
VERSION = re.compile(r"3\.\d{1,2}\.\d{1,3}(?:(?:a|b|rc)\d{1,2})?\+?")
REFERENCE = re.compile(r"[\w.-]+(?:/[\w.-]+)*\.py(?: [A-Za-z0-9_-]+)*")
FINISHED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
SHA256 = re.compile(r"[0-9a-f]{64}")


class ResultsError(Exception):
    """A result folder or file that cannot be read or is not valid."""


@dataclass(frozen=True)
class Stored:
    """One run's result as a result folder holds it."""

    example: str  # as pages refer to it: "topic/name.py arg"
    platform: str  # linux, macos, windows
    # Both None: the example does not apply to this system (its
    # expectation's `systems:` or `methods:`), so nothing ran there.
    interpreter: Interpreter | None
    result: RunResult | None
    inputs: dict[str, str]  # input: its SHA-256 (cache.example_inputs)
    source: Path  # the file it was read from
    reason: str = ""  # why it does not apply, if it does not

    def changed(self, now: dict[str, str]) -> list[str]:
        """The inputs that differ from `now` (the files as they are)."""
        names = sorted(set(self.inputs) | set(now))
        return [
            name for name in names if self.inputs.get(name) != now.get(name)
        ]


def file_name(
    example: str, platform: str, interpreter: Interpreter | None
) -> str:
    words = re.sub(r"[^A-Za-z0-9_.-]+", "-", example.replace("/", "--"))
    minor = interpreter.minor if interpreter is not None else "na"
    return f"{platform}-{minor}-{words}.json"


def write(
    folder: Path,
    example: str,
    platform: str,
    interpreter: Interpreter | None,
    result: RunResult | None,
    inputs: dict[str, str],
    reason: str = "",
) -> Path:
    """One run's result file; with no interpreter and no result, the
    record that the example does not apply to `platform` (and why)."""
    folder.mkdir(parents=True, exist_ok=True)
    if interpreter is None:
        path = folder / file_name(example, platform, None)
        record = {
            "format": FORMAT,
            "example": example,
            "platform": platform,
            "applicable": False,
            "reason": reason,
            "inputs": inputs,
        }
        path.write_text(json.dumps(record, indent=1) + "\n", "utf-8")
        return path
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


# -- Validation --------------------------------------------------------------


class Invalid(Exception):
    """One field that is wrong: says which and how."""


def _object(value, where: str, fields: set[str], optional=()) -> dict:
    if not isinstance(value, dict):
        raise Invalid(f"{where}: expected an object, got {_kind(value)}")
    missing = sorted(fields - set(value))
    if missing:
        raise Invalid(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(value) - fields - set(optional))
    if unknown:
        raise Invalid(f"{where}: unknown field {', '.join(unknown)}")
    return value


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _string(value, where: str, limit: int = SHORT, pattern=None) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{where}: expected a string, got {_kind(value)}")
    if len(value) > limit:
        raise Invalid(f"{where}: {len(value)} characters, at most {limit}")
    if pattern is not None and not pattern.fullmatch(value):
        raise Invalid(f"{where}: {value[:80]!r} is not {pattern.pattern}")
    return value


def _integer(value, where: str, low: int, high: int, nullable=False):
    if value is None and nullable:
        return None
    # bool is an int in Python, not in this format: `false` is no exit code
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{where}: expected an integer, got {_kind(value)}")
    if not low <= value <= high:
        raise Invalid(f"{where}: {value} is outside {low} to {high}")
    return value


def _number(value, where: str, high: float, nullable=False):
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"{where}: expected a number, got {_kind(value)}")
    if not 0 <= value <= high:
        raise Invalid(f"{where}: {value} is outside 0 to {high}")
    return float(value)


def _strings(value, where: str, limit: int = 100, pattern=None) -> list:
    if not isinstance(value, list):
        raise Invalid(f"{where}: expected a list, got {_kind(value)}")
    if len(value) > limit:
        raise Invalid(f"{where}: {len(value)} items, at most {limit}")
    return [
        _string(item, f"{where}[{n}]", pattern=pattern)
        for n, item in enumerate(value)
    ]


def run_result(
    value,
    where: str = "result",
    max_output: int = processes.DEFAULT_MAX_OUTPUT,
) -> RunResult:
    """A RunResult from JSON data (a result file's or the run cache's),
    every field checked; Invalid names the first wrong one."""
    fields = {field.name for field in dataclasses.fields(RunResult)}
    data = _object(value, where, fields)
    at = f"{where}."
    output = _string(data["output"], at + "output", limit=max_output)
    return RunResult(
        command=_strings(data["command"], at + "command", limit=50),
        exit_code=_integer(
            data["exit_code"], at + "exit_code", -255, 255, nullable=True
        ),
        output=output,
        seconds=_number(data["seconds"], at + "seconds", 86400),
        timeout=_number(data["timeout"], at + "timeout", 86400),
        start_methods=_strings(
            data["start_methods"],
            at + "start_methods",
            10,
            processes.START_METHOD,
        ),
        left_behind=_strings(data["left_behind"], at + "left_behind"),
        cpu_seconds=_number(
            data["cpu_seconds"], at + "cpu_seconds", 86400, nullable=True
        ),
        python=_string(data["python"], at + "python", 100),
        platform=_string(data["platform"], at + "platform", 100),
        finished_at=_string(
            data["finished_at"], at + "finished_at", pattern=FINISHED
        ),
        buffering=_string(data["buffering"], at + "buffering"),
        cut=_integer(data["cut"], at + "cut", 0, 2**62),
        hung=_boolean(data["hung"], at + "hung"),
        troubles=_strings(data["troubles"], at + "troubles"),
    )


def _boolean(value, where: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise Invalid(
            f"{where}: expected true, false or null, got {_kind(value)}"
        )
    return value


def _interpreter(value, supported) -> Interpreter:
    fields = {field.name for field in dataclasses.fields(Interpreter)}
    data = _object(value, "interpreter", fields)
    found = Interpreter(
        **{
            name: _string(data[name], f"interpreter.{name}", 1000)
            for name in fields
        }
    )
    if found.implementation != "CPython":
        raise Invalid(
            f"interpreter.implementation: {found.implementation[:80]!r}, "
            "not CPython"
        )
    _string(found.version, "interpreter.version", pattern=VERSION)
    oldest, newest = supported
    if not oldest <= found.release[:2] <= newest:
        raise Invalid(
            f"interpreter.version: {found.version} is outside the versions "
            f"this build supports ({'.'.join(map(str, oldest))} to "
            f"{'.'.join(map(str, newest))})"
        )
    return found


def validate(record, source: Path, supported, max_output) -> Stored:
    """A Stored from a result file's JSON, or Invalid."""
    if isinstance(record, dict) and record.get("applicable") is False:
        return _not_applicable(record, source)
    fields = {"format", "example", "platform", "interpreter"}
    data = _object(record, "the file", fields | {"result", "inputs"})
    _format(data)
    platform = _platform(data["platform"])
    interpreter = _interpreter(data["interpreter"], supported)
    result = run_result(data["result"], max_output=max_output)
    if result.python != interpreter.name:
        raise Invalid(
            f"result.python: {result.python!r} is not the interpreter's "
            f"{interpreter.name!r}"
        )
    if platforms.of_system(result.platform) != platform:
        raise Invalid(
            f"result.platform: {result.platform!r} is not a {platform} system"
        )
    return Stored(
        example=_string(data["example"], "example", pattern=REFERENCE),
        platform=platform,
        interpreter=interpreter,
        result=result,
        inputs=_inputs(data["inputs"]),
        source=source,
    )


def _format(data: dict) -> None:
    if data["format"] != FORMAT or isinstance(data["format"], bool):
        raise Invalid(
            f"format {json.dumps(data['format'])[:20]}, this runner reads "
            f"{FORMAT}: produce it again with this version"
        )


def _platform(value) -> str:
    platform = _string(value, "platform", 20)
    if platform not in platforms.TITLES:
        raise Invalid(
            f"platform: {platform!r} is not one of "
            f"{', '.join(platforms.TITLES)}"
        )
    return platform


def _inputs(inputs) -> dict[str, str]:
    if not isinstance(inputs, dict):
        raise Invalid(f"inputs: expected an object, got {_kind(inputs)}")
    if len(inputs) > 1000:
        raise Invalid(f"inputs: {len(inputs)} entries, at most 1000")
    for name, digest in inputs.items():
        _string(name, "inputs (a name)", 1000)
        _string(digest, f"inputs[{name[:80]!r}]", pattern=SHA256)
    return dict(inputs)


def _not_applicable(record: dict, source: Path) -> Stored:
    """The record that an example does not apply to a system."""
    fields = {"format", "example", "platform", "applicable", "reason"}
    data = _object(record, "the file", fields | {"inputs"})
    _format(data)
    return Stored(
        example=_string(data["example"], "example", pattern=REFERENCE),
        platform=_platform(data["platform"]),
        interpreter=None,
        result=None,
        inputs=_inputs(data["inputs"]),
        source=source,
        reason=_string(data["reason"], "reason"),
    )


def max_file_size(max_output: int) -> int:
    """The largest result file read: its output at max_output, every
    character escaped by JSON (6 bytes each), and room for the rest."""
    return 6 * max_output + (1 << 20)


def read(
    path: Path,
    supported=((3, 0), (3, 99)),
    max_output: int = processes.DEFAULT_MAX_OUTPUT,
) -> Stored:
    """One result file, validated (see the module's docstring)."""
    try:
        size = path.stat().st_size
        if size > max_file_size(max_output):
            raise ResultsError(
                f"{path}: not a valid run result: {size} bytes, at most "
                f"{max_file_size(max_output)} (the output is limited by "
                "max_output)"
            )
        record = json.loads(path.read_text(encoding="utf-8"))
        return validate(record, path, supported, max_output)
    except Invalid as error:
        raise ResultsError(
            f"{path}: not a valid run result: {error}"
        ) from None
    except (OSError, ValueError) as error:
        raise ResultsError(f"{path}: not a run result ({error})") from None


def read_folders(
    folders,
    supported=((3, 0), (3, 99)),
    max_output: int = processes.DEFAULT_MAX_OUTPUT,
) -> list[Stored]:
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
    return list(_read_all(tuple(signature), tuple(supported), max_output))


@functools.lru_cache(maxsize=4)
def _read_all(signature: tuple, supported, max_output) -> tuple[Stored, ...]:
    return tuple(
        read(Path(path), supported, max_output) for path, _, _ in signature
    )
