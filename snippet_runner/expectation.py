"""The expectation format: what a snippet is guaranteed to print.

A snippet `snippets/topic/name.py` has its expectation in
`snippets/topic/name.expect`, a header and a body split by a `---` line:

    # Comments and blank lines are allowed in the header.
    exit: 1
    ---
    Setting the event.
    Traceback (most recent call last):
    ...
    RuntimeError: Condition objects should only be shared between ...

Header keys:
    exit     (required) the exit code the run must end with
    timeout  seconds after which the run and all its processes are killed
             (once more, at most one run per core, if it shared the
             machine with many: runner.py)
    alone    yes: run while no other snippet runs (timing measurements)
    draft    why this expectation is not reviewed yet; it always fails
    python   the versions this case is for (see below); none: every other
    platform the systems this case is for: linux, macos, windows
    why      with python or platform: one sentence on why they differ
    systems  (first case) the only systems the example applies to; on the
             others it is not run, and its page says it does not apply
    methods  (first case) start methods the example uses (fork,
             forkserver, spawn): it applies only to systems that have
             all of them (platforms.METHODS)
    needs    (first case) third-party packages the example imports: it
             runs on the build's own interpreter only

Where Python versions or operating systems really differ, a file holds
several cases, each a header, `---` and a body, separated by a line
`===`. Each run is judged by the one scoped case whose `python:` and
`platform:` (where given) both match it, or else by the case with
neither line (at most one). A run two scoped cases match is a mistake:
narrow one of them.

    exit: 0
    ---
    worker: woke up
    ===
    python: 3.9-3.10
    why: ...
    exit: 1
    ---
    ...

Versions in `python:`, separated by commas: `3.10` (every 3.10.x),
`3.11.5` (exactly), `3.9-3.10` (3.9.0 up to every 3.10.x), `>= 3.11.5`,
`< 3.12`. Systems in `platform:`, separated by commas: `windows`,
`linux, macos`.

Body: one pattern per output line, matched in order against the whole
output (stdout and stderr together, trailing spaces and blank lines at the
end ignored).
    {int} {float} {hex} {word} {text}   a value that varies
    {{ and }}                           a literal brace
    ...                                 any number of lines, even none
    [any order] ... [end]               the lines between, in any order
    \\ at the start of a line            the rest of the line is literal
"""

from __future__ import annotations

import codecs
import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from . import platforms

SEPARATOR = "---"
CASE_SEPARATOR = "==="
ANY_LINES = "..."
ANY_ORDER_START = "[any order]"
ANY_ORDER_END = "[end]"
DEFAULT_TIMEOUT = 20.0
KINDS = {  # header key: what its value must be
    "exit": "an integer",
    "timeout": "seconds, 0 to 600",
    "alone": "yes or no",
    "draft": "a note",
    "python": "versions like 3.10, 3.9-3.10, >= 3.11.5 or < 3.12",
    "platform": "systems among linux, macos, windows",
    "why": "a sentence",
    "needs": "package names, separated by commas",
    "systems": "systems among linux, macos, windows",
    "methods": "start methods among fork, forkserver, spawn",
}

PLACEHOLDERS = {
    "int": r"[-+]?\d+",
    # A float as Python prints it: a dot or an exponent, never a bare int.
    "float": r"[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|inf|nan)",
    "hex": r"(?:0x)?[0-9a-fA-F]+",
    "word": r"\S+",
    "text": r".+",
}
_TOKEN = re.compile(r"\{\{|\}\}|\{([a-z]+)\}")


class ExpectationError(Exception):
    """A malformed or missing expectation file; says where."""

    def __init__(self, name: str, line: int | None, message: str):
        where = f"{name}:{line}" if line else name
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Line:
    """One output line, literal apart from its placeholders."""

    text: str
    lineno: int
    regex: re.Pattern

    def matches(self, output_line: str) -> bool:
        return self.regex.fullmatch(output_line) is not None


@dataclass(frozen=True)
class AnyLines:
    lineno: int
    text: str = ANY_LINES


@dataclass(frozen=True)
class AnyOrder:
    lines: tuple[Line, ...]
    lineno: int


_VERSION = r"\d+\.\d+(?:\.\d+)?"
_TERM = re.compile(
    rf"(?P<op>>=|<)?\s*(?P<low>{_VERSION})(?:\s*-\s*(?P<high>{_VERSION}))?"
)


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _padded(release: tuple[int, ...]) -> tuple[int, ...]:
    return (release + (0, 0, 0))[:3]


@dataclass(frozen=True)
class Versions:
    """The versions a `python:` line names (see the module's docstring)."""

    text: str
    terms: tuple[tuple[str, tuple[int, ...], tuple[int, ...]], ...]

    @classmethod
    def parse(cls, text: str) -> Versions:
        terms = []
        for term in text.split(","):
            found = _TERM.fullmatch(term.strip())
            if found is None or (found["op"] and found["high"]):
                raise ValueError(term.strip())
            low = _release(found["low"])
            high = _release(found["high"]) if found["high"] else low
            if found["high"] and _padded(high) < _padded(low):
                raise ValueError(term.strip())
            terms.append((found["op"] or "in", low, high))
        return cls(text, tuple(terms))

    def matches(self, release: tuple[int, ...]) -> bool:
        """Does a Python of this (major, minor, micro) fall in?"""
        return any(
            self._term_matches(term, release[:3]) for term in self.terms
        )

    @staticmethod
    def _term_matches(term, release) -> bool:
        op, low, high = term
        if op == ">=":
            return release >= _padded(low)
        if op == "<":
            return release < _padded(low)
        return low <= release[: len(low)] and release[: len(high)] <= high

    def could_match_minor(self, minor: tuple[int, int]) -> bool:
        """Could some release of this minor version (3, 10) fall in?"""
        first, last = (*minor, 0), (*minor, 10**6)
        for op, low, high in self.terms:
            if op == ">=" and last >= _padded(low):
                return True
            if op == "<" and first < _padded(low):
                return True
            if op == "in" and low[:2] <= minor <= high[:2]:
                return True
        return False


@dataclass(frozen=True)
class Expectation:
    """One case of an expectation file: what a run must print."""

    name: str  # the file's path as messages show it
    exit_code: int
    timeout: float
    alone: bool
    draft: str
    body: tuple[Line | AnyLines | AnyOrder, ...]
    python: Versions | None = None  # None: every version no case names
    why: str = ""
    lineno: int = 1  # where the case starts in its file
    platform: frozenset[str] | None = None  # None: every system

    @property
    def scoped(self) -> bool:
        return self.python is not None or self.platform is not None

    @property
    def scope(self) -> str:
        if not self.scoped:
            return "every other version and system"
        parts = []
        if self.python is not None:
            parts.append(f"python: {self.python.text}")
        if self.platform is not None:
            parts.append(f"platform: {', '.join(sorted(self.platform))}")
        return ", ".join(parts)

    def applies_to(self, release: tuple[int, ...], platform: str) -> bool:
        """Does this case name a run of this Python on this system?
        (The unscoped case names none: it takes what no other takes.)"""
        return (
            self.scoped
            and (self.python is None or self.python.matches(release))
            and (self.platform is None or platform in self.platform)
        )


@dataclass(frozen=True)
class ExpectationFile:
    """Every case of one expectation file."""

    name: str
    cases: tuple[Expectation, ...]
    needs: tuple[str, ...] = ()  # third-party packages: build Python only
    systems: frozenset[str] | None = None  # None: every system
    methods: tuple[str, ...] = ()  # start methods it needs

    def not_applicable(self, system: str) -> str:
        """Why the example does not apply to this system, or ""."""
        if self.systems is not None and system not in self.systems:
            return f"it is for {platforms.listed(self.systems)} only"
        lacking = [
            m for m in self.methods if system not in platforms.METHODS[m]
        ]
        if lacking:
            return (
                f"it uses the {' and '.join(lacking)} start method"
                f"{'s' if len(lacking) > 1 else ''}, which "
                f"{platforms.title(system)} does not have"
            )
        return ""

    @property
    def only(self) -> Expectation:
        """The one case, where a file may not have several."""
        if len(self.cases) != 1 or self.cases[0].scoped:
            raise ExpectationError(
                self.name,
                None,
                "must have one case, with no 'python:' or 'platform:'",
            )
        return self.cases[0]

    @property
    def draft(self) -> str:
        return next((case.draft for case in self.cases if case.draft), "")

    def cases_for(
        self, release: tuple[int, ...], platform: str | None = None
    ) -> list[Expectation]:
        """The case that judges a run of a Python of this release on this
        system (default: this one): the scoped cases that name it, else
        the default; several mean a mistake."""
        platform = platform or platforms.current()
        scoped = [
            case for case in self.cases if case.applies_to(release, platform)
        ]
        default = [case for case in self.cases if not case.scoped]
        return scoped or default


def _compile_line(text: str, name: str, lineno: int) -> Line:
    if text.startswith("\\"):
        text = text[1:]
    parts, end = [], 0
    for token in _TOKEN.finditer(text):
        parts.append(re.escape(text[end : token.start()]))
        placeholder = token.group(1)
        if placeholder is None:  # {{ or }}
            parts.append(re.escape(token.group()[0]))
        elif placeholder in PLACEHOLDERS:
            parts.append(f"(?:{PLACEHOLDERS[placeholder]})")
        else:
            known = " ".join(f"{{{k}}}" for k in PLACEHOLDERS)
            raise ExpectationError(
                name,
                lineno,
                f"unknown placeholder {{{placeholder}}} (known: {known}; "
                f"write {{{{{placeholder}}}}} for the literal text)",
            )
        end = token.end()
    parts.append(re.escape(text[end:]))
    return Line(text, lineno, re.compile("".join(parts)))


def _parse_header(
    lines: list[str], name: str, first_lineno: int = 1
) -> dict[str, object]:
    header: dict[str, object] = {}
    for lineno, raw in enumerate(lines, start=first_lineno):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, colon, value = (part.strip() for part in line.partition(":"))
        if not colon:
            raise ExpectationError(
                name, lineno, f"expected 'key: value' above '---', got {raw!r}"
            )
        if key in header:
            raise ExpectationError(name, lineno, f"'{key}' given twice")
        try:
            if key == "exit":
                header[key] = int(value)
            elif key == "timeout":
                header[key] = float(value)
                if not 0 < header[key] <= 600:
                    raise ValueError
            elif key == "alone":
                header[key] = {"yes": True, "no": False}[value]
            elif key == "draft":
                header[key] = value or "no reason given"
            elif key == "python":
                header[key] = Versions.parse(value)
            elif key in ("platform", "systems"):
                header[key] = platforms.parse(value)
            elif key == "methods":
                header[key] = platforms.parse_methods(value)
            elif key in ("why", "needs"):
                if not value:
                    raise ValueError
                header[key] = value
            else:
                raise ExpectationError(
                    name,
                    lineno,
                    f"unknown key '{key}' (known: {', '.join(KINDS)})",
                )
        except (ValueError, KeyError):
            kind = KINDS[key]
            raise ExpectationError(
                name, lineno, f"'{key}' must be {kind}, got {value!r}"
            ) from None
    if "exit" not in header:
        raise ExpectationError(
            name,
            first_lineno if first_lineno > 1 else None,
            "the header has no 'exit: N' line above '---'",
        )
    scoped = "python" in header or "platform" in header
    if scoped != ("why" in header):
        raise ExpectationError(
            name,
            first_lineno,
            "a case with 'python:' or 'platform:' needs a 'why:' line "
            "saying why those versions or systems differ, and only such a "
            "case has one",
        )
    return header


def _parse_body(lines: list[str], first_lineno: int, name: str):
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    body: list[Line | AnyLines | AnyOrder] = []
    group: list[Line] | None = None
    group_start = 0
    for lineno, raw in enumerate(lines, start=first_lineno):
        text = raw.rstrip()
        if text == ANY_ORDER_START:
            if group is not None:
                raise ExpectationError(
                    name, lineno, f"{ANY_ORDER_START} inside another one"
                )
            group, group_start = [], lineno
        elif text == ANY_ORDER_END:
            if group is None:
                raise ExpectationError(
                    name, lineno, f"{ANY_ORDER_END} without {ANY_ORDER_START}"
                )
            if not group:
                raise ExpectationError(name, lineno, "empty [any order] block")
            body.append(AnyOrder(tuple(group), group_start))
            group = None
        elif text == ANY_LINES:
            if group is not None:
                raise ExpectationError(
                    name, lineno, "'...' is not allowed inside [any order]"
                )
            body.append(AnyLines(lineno))
        else:
            line = _compile_line(text, name, lineno)
            (group if group is not None else body).append(line)
    if group is not None:
        raise ExpectationError(
            name, group_start, f"{ANY_ORDER_START} is never closed by [end]"
        )
    return tuple(body)


def _parse_case(
    lines: list[str], first_lineno: int, name: str, timeout: float
):
    """One case: header, '---', body; returns (Expectation, header)."""
    try:
        separator = [line.rstrip() for line in lines].index(SEPARATOR)
    except ValueError:
        raise ExpectationError(
            name,
            first_lineno if first_lineno > 1 else None,
            "no '---' line: put 'exit: N' above it and the expected output "
            "below it",
        ) from None
    header = _parse_header(lines[:separator], name, first_lineno)
    body = _parse_body(
        lines[separator + 1 :], first_lineno + separator + 1, name
    )
    case = Expectation(
        name=name,
        exit_code=header["exit"],
        timeout=header.get("timeout", timeout),
        alone=header.get("alone", False),
        draft=header.get("draft", ""),
        body=body,
        python=header.get("python"),
        why=header.get("why", ""),
        lineno=first_lineno,
        platform=header.get("platform"),
    )
    return case, header


def parse(
    text: str, name: str, timeout: float = DEFAULT_TIMEOUT
) -> ExpectationFile:
    """`timeout`: a case's where its header gives none."""
    lines = text.splitlines()
    starts = [0] + [
        index + 1
        for index, line in enumerate(lines)
        if line.rstrip() == CASE_SEPARATOR
    ]
    ends = [start - 1 for start in starts[1:]] + [len(lines)]
    cases, needs, systems, methods = [], (), None, ()
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        case, header = _parse_case(lines[start:end], start + 1, name, timeout)
        for key in ("needs", "systems", "methods"):
            if key in header and number:
                raise ExpectationError(
                    name, start + 1, f"'{key}:' belongs in the first case"
                )
        if "needs" in header:
            needs = tuple(
                package.strip() for package in header["needs"].split(",")
            )
        systems = header.get("systems", systems)
        methods = header.get("methods", methods)
        cases.append(case)
    defaults = [case for case in cases if not case.scoped]
    if len(defaults) > 1:
        raise ExpectationError(
            name,
            defaults[1].lineno,
            "only one case may leave out both 'python:' and 'platform:' "
            "(the one for every other version and system); give this one "
            "the versions or systems it is for",
        )
    return ExpectationFile(name, tuple(cases), needs, systems, methods)


def load(
    path: Path, name: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> ExpectationFile:
    """Read an expectation; `name` is how messages refer to the file."""
    name = name or str(path)
    if not path.is_file():
        raise ExpectationError(
            name, None, "missing: every snippet needs an expectation file"
        )
    return parse(decode(path.read_bytes(), name), name, timeout)


def decode(data: bytes, name: str) -> str:
    """An expectation's text: UTF-8 without a byte-order mark, or an
    ExpectationError that says where it is not and how to fix it."""
    if data.startswith(codecs.BOM_UTF8):
        raise ExpectationError(
            name,
            1,
            "starts with a byte-order mark (BOM, the bytes EF BB BF), which "
            "some Windows editors add: save the file as UTF-8 without BOM",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex().upper()
        raise ExpectationError(
            name,
            line,
            f"not UTF-8 text (byte {byte} at offset {error.start} cannot "
            "start or continue a UTF-8 character): save the file as UTF-8",
        ) from None


def output_lines(output: str) -> list[str]:
    lines = [line.rstrip() for line in output.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _perfect_matching(patterns: tuple[Line, ...], lines: list[str]) -> bool:
    """Can each pattern take a different line? (bipartite matching)"""
    owner: dict[int, int] = {}

    def assign(pattern: int, seen: set[int]) -> bool:
        for index, line in enumerate(lines):
            if index in seen or not patterns[pattern].matches(line):
                continue
            seen.add(index)
            if index not in owner or assign(owner[index], seen):
                owner[index] = pattern
                return True
        return False

    return all(assign(p, set()) for p in range(len(patterns)))


def _pattern_lines(items) -> list[str]:
    lines: list[str] = []
    for item in items:
        if isinstance(item, AnyOrder):
            lines += [ANY_ORDER_START, *(ln.text for ln in item.lines)]
            lines.append(ANY_ORDER_END)
        else:
            lines.append(item.text)
    return lines


def mismatch(expectation: Expectation, output: str) -> str | None:
    """None if the output fits the expectation, else a readable report."""
    lines = output_lines(output)
    items = expectation.body
    furthest = [-1, -1]  # (output line, body item) where matching stopped

    def stopped(item: int, line: int) -> bool:
        furthest[:] = max(furthest, [line, item])
        return False

    @functools.cache
    def fits(item: int, line: int) -> bool:
        if item == len(items):
            return line == len(lines) or stopped(item, line)
        pattern = items[item]
        if isinstance(pattern, AnyLines):
            return any(fits(item + 1, k) for k in range(line, len(lines) + 1))
        if isinstance(pattern, Line):
            if line < len(lines) and pattern.matches(lines[line]):
                return fits(item + 1, line + 1)
            return stopped(item, line)
        size = len(pattern.lines)
        block = lines[line : line + size]
        if len(block) == size and _perfect_matching(pattern.lines, block):
            return fits(item + 1, line + size)
        return stopped(item, line)

    if fits(0, 0):
        return None
    line, item = furthest
    if item == len(items):
        where = f"{expectation.name}: the expectation ends"
        what = f"output line {line + 1} is more: {lines[line]!r}"
    else:
        pattern = items[item]
        where = f"{expectation.name}:{pattern.lineno}"
        got = (
            f"output line {line + 1}: {lines[line]!r}"
            if line < len(lines)
            else "the output had already ended"
        )
        if isinstance(pattern, AnyOrder):
            what = (
                f"the [any order] block of {len(pattern.lines)} lines does "
                f"not fit the output from line {line + 1}"
            )
        else:
            what = f"expected {pattern.text!r}, {got}"
    # The diff shows the output as matched up to the failure, then the
    # patterns still unmatched, so its first hunk is where things differ.
    expected_view = lines[:line] + _pattern_lines(items[item:])
    diff = difflib.unified_diff(
        expected_view, lines, "expected", "actual output", lineterm=""
    )
    return f"first difference at {where}\n  {what}\n" + "\n".join(diff)
