"""The operating systems a run can come from, by the names expectations,
settings and pages use: linux, macos, windows.

A build runs its examples on the system it runs on; results from the
others come as result folders made there (see results.py).
"""

from __future__ import annotations

import platform

# name: how a page writes it
TITLES = {"linux": "Linux", "macos": "macOS", "windows": "Windows"}
# The start methods each system has
# (https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods):
# fork and forkserver are POSIX only; spawn is everywhere.
METHODS = {
    "fork": frozenset({"linux", "macos"}),
    "forkserver": frozenset({"linux", "macos"}),
    "spawn": frozenset(TITLES),
}
# platform.system(): name
_SYSTEMS = {"Linux": "linux", "Darwin": "macos", "Windows": "windows"}


def of_system(system: str) -> str:
    """'Linux' (platform.system(), or the first word of a result's
    platform, 'Linux x86_64') as a name: 'linux'."""
    word = system.split()[0] if system.split() else system
    return _SYSTEMS.get(word, word.lower())


def current() -> str:
    """The system this process runs on."""
    return of_system(platform.system())


def title(name: str) -> str:
    return TITLES.get(name, name)


def ordered(names) -> list[str]:
    """Known systems in TITLES' order, then any others by name."""
    known = list(TITLES)
    return sorted(
        set(names),
        key=lambda name: (known.index(name) if name in known else 99, name),
    )


def parse(text: str) -> frozenset[str]:
    """'linux, macos' as written after `platform:`; ValueError names
    the first word that is no known system."""
    found = [word.strip() for word in text.split(",")]
    for word in found:
        if word not in TITLES:
            raise ValueError(word)
    return frozenset(found)


def listed(names, conjunction: str = "and") -> str:
    """'Linux, macOS and Windows' (or 'macOS or Windows')."""
    titles = [title(name) for name in ordered(names)]
    if len(titles) < 2:
        return "".join(titles)
    return f"{', '.join(titles[:-1])} {conjunction} {titles[-1]}"


def parse_methods(text: str) -> tuple[str, ...]:
    """'fork, forkserver' as written after `methods:`; ValueError names
    the first word that is no start method."""
    found = tuple(word.strip() for word in text.split(","))
    for word in found:
        if word not in METHODS:
            raise ValueError(word)
    return found
