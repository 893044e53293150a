"""`make bench`: what executing the examples costs the build and the tests.

Measures, in one run on this machine, with every interpreter the build
uses (mkdocs.yml's snippet-runner options and SNIPPET_RUNNER_REQUIRE):
    S  the example runs' runtimes summed, each run alone
    C  a cold build (empty cache: every example runs)
    W  a warm build (nothing changed: no example runs), with every
       interpreter, and W1 with the build's Python only
    T  the whole test suite
    F  the least a cold build could take here: W, plus the 'alone' runs
       one after another, plus the CPU time of all the other runs spread
       over every core (measured machine-wide while S runs, so the
       machine must be otherwise idle)
and the cold build of a throwaway site with N generated sleep-only examples,
for N = 10, 40, 160, to show how the build grows with the number of
examples. Prints a report and writes it to docs/data/bench.json, which the
"How this site is built" page renders.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from .interpreters import names
from .process import ROOT, provenance, run_program
from .runner import discover_examples, plan
from .settings import project_interpreters

RESULTS = ROOT / "docs" / "data" / "bench.json"
SCALING_SIZES = (10, 40, 160)
SCALING_SLEEP = 1.0  # seconds each generated example sleeps


def timed(command: list[str], cwd: Path, **env: str) -> tuple[float, str]:
    """Seconds the command took, and what it printed."""
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if done.returncode != 0:  # a broken build or suite measures nothing
        sys.exit(f"bench: {' '.join(command)} failed:\n{done.stdout}")
    return time.monotonic() - started, done.stdout


def build(project: Path, cache_dir: Path, **env: str) -> tuple[float, str]:
    site = Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        return timed(
            [sys.executable, "-m", "mkdocs", "build", "--strict"]
            + ["--config-file", str(project / "mkdocs.yml")]
            + ["--site-dir", str(site)],
            cwd=project,
            SNIPPET_RUNNER_CACHE_DIR=str(cache_dir),
            **env,
        )
    finally:
        shutil.rmtree(site, ignore_errors=True)


def busy_seconds() -> float:
    """CPU time this machine has spent, on every core, by every process."""
    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq


@dataclasses.dataclass
class Runtimes:
    runs: int = 0
    total: float = 0.0  # S: wall seconds, summed
    alone: float = 0.0  # wall seconds of the runs that must run alone
    cpu_of_others: float = 0.0  # CPU seconds of the runs that need not


def sum_of_runtimes(interpreters) -> Runtimes:
    measured = Runtimes()
    for example in discover_examples():
        for run, case in plan(example, interpreters)[1]:
            busy = busy_seconds()
            seconds = run_program(
                example.snippet,
                example.args,
                case.timeout,
                interpreter=run.interpreter,
            ).seconds
            measured.runs += 1
            measured.total += seconds
            if case.alone:
                measured.alone += seconds
            else:
                measured.cpu_of_others += busy_seconds() - busy
    return measured


def scaling_project(size: int, folder: Path) -> Path:
    """A copy of the site machinery with `size` sleep-only examples."""
    shutil.copytree(
        ROOT / "snippet_runner",
        folder / "snippet_runner",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (folder / "docs").mkdir()
    (folder / "mkdocs.yml").write_text(
        "site_name: scaling\n"
        "plugins: [snippet-runner]\n"
        "markdown_extensions:\n"
        "  - pymdownx.superfences\n"
        "  - pymdownx.tabbed: {alternate_style: true}\n"
        "  - attr_list\n"
        "  - pymdownx.snippets:\n"
        "      base_path: [!relative $config_dir/snippets]\n"
        "      check_paths: true\n"
    )
    topic = folder / "snippets" / "scale"
    topic.mkdir(parents=True)
    page = ["# Scaling", ""]
    for number in range(size):
        (topic / f"sleeper_{number}.py").write_text(
            "import time\n\n"
            'if __name__ == "__main__":\n'
            f"    time.sleep({SCALING_SLEEP})\n"
            f'    print("sleeper {number} done")\n'
        )
        (topic / f"sleeper_{number}.expect").write_text(
            f"exit: 0\n---\nsleeper {number} done\n"
        )
        page += [f"<!-- example: scale/sleeper_{number}.py -->", ""]
    (folder / "docs" / "index.md").write_text("\n".join(page))
    return folder


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    interpreters = list(project_interpreters())
    try:
        print(f"on {names(interpreters)}")
        print("S: running every example alone, one after another ...")
        runtimes = sum_of_runtimes(interpreters)
        print("C, W: cold and warm builds ...")
        cold, _ = build(ROOT, scratch / "cache")
        warm, warm_log = build(ROOT, scratch / "cache")
        warm_one, _ = build(
            ROOT, scratch / "cache", SNIPPET_RUNNER_PYTHONS="build"
        )
        print("T: the test suite ...")
        suite, _ = timed(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=ROOT,
        )
        scaling = {}
        for size in SCALING_SIZES:
            print(f"scaling: cold build with {size} sleep-only examples ...")
            project = scaling_project(size, scratch / f"scale-{size}")
            # One interpreter: this measures how the build grows with
            # the number of examples, not with the number of versions.
            scaling[size], _ = build(
                project,
                scratch / f"scale-cache-{size}",
                SNIPPET_RUNNER_PYTHONS="build",
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    produced = provenance()
    cores = os.cpu_count() or 1
    results = {
        "date": produced["finished_at"],
        "machine": f"{produced['platform']}, {cores} cores",
        "python": produced["python"],
        "interpreters": names(interpreters),
        "runs": runtimes.runs,
        "S": round(runtimes.total, 2),
        "C": round(cold, 2),
        "W": round(warm, 2),
        "W1": round(warm_one, 2),
        "W_examples": examples_seconds(warm_log),
        "T": round(suite, 2),
        "alone": round(runtimes.alone, 2),
        "cpu_of_others": round(runtimes.cpu_of_others, 2),
        "cores": cores,
        "F": round(warm + runtimes.alone + runtimes.cpu_of_others / cores, 2),
        "scaling_sleep": SCALING_SLEEP,
        "scaling": {str(n): round(t, 2) for n, t in scaling.items()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))


def examples_seconds(build_log: str) -> float:
    """What a build spent getting its examples' results, from its log."""
    found = re.search(
        r"ran \d+ of \d+ example runs .* in ([\d.]+) s", build_log
    )
    if found is None:
        sys.exit(f"bench: no 'ran ... examples' line in the log:\n{build_log}")
    return float(found.group(1))


def report(results: dict) -> str:
    s, c, w, t, f = (results[k] for k in "SCWTF")
    scaling = results["scaling"]
    smallest = scaling[str(min(map(int, scaling)))]
    lines = [
        f"{results['date']} · {results['machine']} · {results['python']}",
        f"{results['runs']} example runs on {results['interpreters']}",
        f"S = {s:6.2f} s  examples' runtimes summed, each alone",
        f"C = {c:6.2f} s  cold build       C/S = {c / s:.2f}",
        f"W = {w:6.2f} s  warm build       W/C = {w / c:.2f}"
        f"   ({results['W_examples']:.2f} s of it on the examples)",
        f"W1= {results['W1']:6.2f} s  warm build, the build's Python only"
        f"   W/W1 = {w / results['W1']:.2f}",
        f"T = {t:6.2f} s  test suite       T/S = {t / s:.2f}",
        f"F = {f:6.2f} s  least possible cold build here: W "
        f"+ {results['alone']:.2f} s alone runs "
        f"+ {results['cpu_of_others']:.2f} CPU s / {results['cores']} cores"
        f"   F/S = {f / s:.2f}, C/F = {c / f:.2f}",
        f"cold build with N sleep-only examples "
        f"({results['scaling_sleep']:g} s each):",
    ]
    for size, seconds in scaling.items():
        ratio = seconds / smallest
        lines.append(f"  N = {size:>3}: {seconds:6.2f} s  ({ratio:.1f}x N=10)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
