"""`make bench` (tools/bench.py): what running the examples costs.

Measures, in one run on this machine, with every interpreter the build
uses (mkdocs.yml's snippet-runner options and SNIPPET_RUNNER_REQUIRE):
    S  the example runs' runtimes summed, each run alone, and each run's
       CPU time (the ten costliest are listed, with what their CPU went on)
    C  a cold build (empty cache: every example runs), its CPU time and how
       busy it kept the machine: CPU / (cores x C)
    W  a warm build (nothing changed: no example runs), with every
       interpreter, and W1 with the build's Python only
    T  the whole test suite
    F  the least a cold build could take here: W, plus the 'alone' runs
       one after another, plus the CPU time of all the other runs and of
       the notebook spread over every core
    the preview: `make serve` from an empty cache until the first page
       answers (against C1, the cold build on the build's Python only),
       and from an edit of one snippet until its page shows the edit
    CI: `.ci/run` in a fresh clone of the last commit
and the cold build of a throwaway site with N generated sleep-only examples,
for N = 10, 40, 160, to show how the build grows with the number of
examples. Prints a report and writes it to docs/data/bench.json, which the
"How this site is built" page renders.

CPU times come from the kernel's accounting of finished processes
(wait4 and RUSAGE_CHILDREN), not from machine-wide counters, so other work
on the machine does not count; but waiting for cores it shares still
stretches the wall times, so the load average is recorded with them. This
process makes itself the "child subreaper" of what it starts, so that
processes orphaned by their parent (pool workers exiting after the main
process, a forkserver, Dask's workers) are reaped, and counted, here.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from project_copy import EXAMPLE_MARKDOWN, copy_project
from snippet_runner import cache, schedule, settings
from snippet_runner.interpreters import build_interpreter, names
from snippet_runner.process import child_environment, provenance, run_program
from snippet_runner.runner import discover_examples, plan

ROOT = Path(__file__).resolve().parent.parent
PROJECT = settings.load(ROOT / "mkdocs.yml")
RESULTS = ROOT / "docs" / "data" / "bench.json"
SCALING_SIZES = (10, 40, 160)
SCALING_SLEEP = 1.0  # seconds each generated example sleeps
COSTLIEST = 10
WARM_TRIES = 3
# F before issue #16 cut the costliest runs (the cost measurements' rounds
# halved, all_primitives' initargs pools made one), and after: measured
# in one pass, by this module's method, running each run of commit e564b56
# and then the same run of the cut examples, so that both saw the same
# load (it fell from 22.8 to 2.1 during the pass), with the W of the last
# quiet bench (3.47 s) for both.
F_BEFORE = {
    "F": 61.74,
    "F_after": 54.47,
    "date": "2026-12-01",
    "how": "measured in one interleaved pass with the cut examples, "
    "which gave F = 54.47 s; load 22.8 falling to 2.1",
}
# The snippet whose edit the preview measurement times, and what it adds.
EDITED = "event_basics/flag_states.py"
EDIT_MARK = "# bench: edited"
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Orphans of what this process starts become its children (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans() -> float:
    """Reap every finished child not waited for yet (orphans handed to
    this subreaper); their CPU seconds."""
    seconds = 0.0
    while True:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return seconds
        if pid == 0:
            return seconds
        seconds += usage.ru_utime + usage.ru_stime


def children_cpu() -> float:
    """CPU seconds of every child of this process reaped so far (with
    theirs): orphans are reaped first."""
    reap_orphans()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> float:
    return round(os.getloadavg()[0], 1)


@dataclasses.dataclass
class Timed:
    seconds: float
    cpu: float  # of the command and all it ran
    load: tuple[float, float]  # 1-minute load average: before, after
    output: str = ""
    passed: bool = True


def timed(
    command: list[str], cwd: Path, check: bool = True, **env: str
) -> Timed:
    """Run the command to its end; its wall and CPU seconds, its output."""
    cpu, before = children_cpu(), load()
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seconds = time.monotonic() - started
    if check and done.returncode != 0:  # a broken build measures nothing
        sys.exit(f"bench: {' '.join(command)} failed:\n{done.stdout}")
    return Timed(
        seconds,
        children_cpu() - cpu,
        (before, load()),
        done.stdout,
        done.returncode == 0,
    )


def build_command(project: Path, site: Path) -> list[str]:
    return [sys.executable, "-m", "mkdocs", "build", "--strict"] + [
        "--config-file",
        str(project / "mkdocs.yml"),
        "--site-dir",
        str(site),
    ]


def build(project: Path, cache_dir: Path, **env: str) -> Timed:
    site = Path(tempfile.mkdtemp(prefix="bench-site-"))
    try:
        return timed(
            build_command(project, site),
            cwd=project,
            SNIPPET_RUNNER_CACHE_DIR=str(cache_dir),
            **env,
        )
    finally:
        shutil.rmtree(site, ignore_errors=True)


@dataclasses.dataclass
class RunCost:
    run: str
    key: str  # schedule.run_key
    alone: bool
    seconds: float  # wall
    cpu: float  # the run's processes, orphans included
    starts: int  # Python processes started (the program and spawned ones)


def start_counter(folder: Path) -> Path:
    """A file the child's sitecustomize adds a line to at every Python
    start of a run (SNIPPET_RUNNER_STARTS; forked children are not
    starts: they copy their parent)."""
    path = folder / "starts.txt"
    path.write_text("")
    os.environ["SNIPPET_RUNNER_STARTS"] = str(path)
    return path


def runs_one_by_one(interpreters, scratch: Path) -> list[RunCost]:
    """Every run, one after another, nothing else running here."""
    counter = start_counter(scratch)
    costs = []
    try:
        for example in discover_examples(PROJECT):
            for run, case in plan(example, interpreters, PROJECT)[1]:
                counter.write_text("")
                reap_orphans()
                result = run_program(
                    example.snippet,
                    example.args,
                    case.timeout,
                    interpreter=run.interpreter,
                    root=ROOT,
                )
                if result.timed_out or result.exit_code != case.exit_code:
                    sys.exit(f"bench: {run} failed:\n{result.output}")
                costs.append(
                    RunCost(
                        str(run),
                        schedule.run_key(run),
                        case.alone,
                        result.seconds,
                        (result.cpu_seconds or 0.0) + reap_orphans(),
                        len(counter.read_text().splitlines()),
                    )
                )
    finally:
        os.environ.pop("SNIPPET_RUNNER_STARTS")
    return costs


def probe_cpu(interpreter: str, code: str, times: int = 5) -> float:
    """The least CPU seconds of `interpreter -c code`, run `times` times
    (the least is the cost; more is interference)."""
    least = float("inf")
    for _ in range(times):
        before = children_cpu()
        subprocess.run(
            [interpreter, "-c", code],
            cwd=ROOT,
            env=child_environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        least = min(least, children_cpu() - before)
    return least


def importable(names_: set[str], interpreter: str) -> list[str]:
    """The names that import on `interpreter` from the repository root
    (the snippet's folder's own modules are left out)."""
    found = []
    for name in sorted(names_):
        done = subprocess.run(
            [
                interpreter,
                "-c",
                f"import importlib.util as u; "
                f"raise SystemExit(u.find_spec({name!r}) is None)",
            ],
            cwd=ROOT,
            capture_output=True,
        )
        if done.returncode == 0 and name != "__future__":
            found.append(name)
    return found


def breakdown(cost: RunCost, interpreters) -> dict:
    """What a costly run's CPU went on: each Python start, the imports of
    its program in each (a spawned worker imports the main module again),
    and the rest: what the program does (pools, Dask, the measurement)."""
    reference, _, version = cost.run.rpartition(" on ")
    path, *_ = reference.split()
    by_name = {found.name: found for found in interpreters}
    interpreter = by_name.get(version, build_interpreter()).path
    start = probe_cpu(interpreter, "pass")
    snippet = ROOT / path
    modules = set()
    for file in [snippet, *cache.local_modules(snippet)]:
        modules |= cache.imported_names(file.read_bytes())
    local = {file.stem for file in cache.local_modules(snippet)}
    imports = importable(modules - local, interpreter)
    imported = (
        probe_cpu(interpreter, "import " + ", ".join(imports))
        if (imports)
        else start
    )
    starts = max(cost.starts, 1)
    parts = {
        "interpreter starts": starts * start,
        "imports": starts * max(imported - start, 0.0),
    }
    parts["the program's own work"] = max(cost.cpu - sum(parts.values()), 0)
    return {
        **dataclasses.asdict(cost),
        "start_cpu": round(start, 3),
        "imports": imports,
        "parts": {name: round(value, 2) for name, value in parts.items()},
        "cost": max(parts, key=parts.get),
    }


def notebook_cpu(scratch: Path) -> Timed:
    """The notebook, executed from an empty cache, as a build starts it."""
    code = (
        "from snippet_runner import notebooks, settings\n"
        "project = settings.load('mkdocs.yml')\n"
        "for path in notebooks.discover_notebooks(project.docs_dir):\n"
        "    outcome = notebooks.check_notebook(path, project)\n"
        "    assert outcome.ok, outcome.report()\n"
    )
    return timed(
        [sys.executable, "-c", code],
        cwd=ROOT,
        SNIPPET_RUNNER_CACHE_DIR=str(scratch / "notebook-cache"),
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def until(condition, limit: float) -> float:
    """Seconds until condition() is true, polled every 50 ms."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > limit:
            sys.exit(f"bench: gave up after {limit:g} s")
        time.sleep(0.05)
    return time.monotonic() - started


def site_url_of(config_file: Path) -> str | None:
    """mkdocs.yml's site_url, its !ENV and !relative tags resolved."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    placeholder = MkDocsConfig(config_file_path=str(config_file))
    with open(config_file, "rb") as source:
        raw = yaml_load(source, get_yaml_loader(config=placeholder))
    return raw.get("site_url")


def preview(scratch: Path) -> dict:
    """`make serve` in a copy of the project, from an empty cache: seconds
    until the first page answers; then seconds from an edit of one
    snippet until its page shows it."""
    project = copy_project(scratch / "serve-project")
    port = free_port()
    # MkDocs serves the site under its site_url's path; read as MkDocs
    # reads it (site_url may come from the environment through !ENV).
    site_url = site_url_of(project / "mkdocs.yml")
    prefix = urlsplit(site_url).path if site_url else "/"
    url = f"http://127.0.0.1:{port}{prefix}"
    log = open(scratch / "serve.log", "w")  # noqa: SIM115 (closed below)
    started = time.monotonic()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "serve",
            "--dev-addr",
            f"127.0.0.1:{port}",
        ],
        cwd=project,
        env={
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "SNIPPET_RUNNER_PYTHONS": "build",  # as `make serve`
            "SNIPPET_RUNNER_CACHE_DIR": str(scratch / "serve-cache"),
            # The copy is built by its own copy of the engine.
            "PYTHONPATH": str(project),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        until(lambda: server.poll() is not None or fetch(url) is not None, 600)
        if server.poll() is not None:  # it could not start: say why
            log.flush()
            sys.exit(
                "bench: mkdocs serve ended:\n"
                + (scratch / "serve.log").read_text(encoding="utf-8")
            )
        first_page = time.monotonic() - started
        snippet = project / "snippets" / EDITED
        page_url = url + "event/"
        assert EDIT_MARK not in (fetch(page_url) or "")
        time.sleep(1)  # let the server settle after its first build
        snippet.write_text(snippet.read_text() + EDIT_MARK + "\n")
        edit = until(lambda: EDIT_MARK in (fetch(page_url) or ""), 300)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    alone = run_program(ROOT / "snippets" / EDITED, timeout=60, root=ROOT)
    return {
        "first_page": round(first_page, 2),
        "edit": round(edit, 2),
        "edited": EDITED,
        "edited_runtime": round(alone.seconds, 2),
    }


def ci(scratch: Path) -> Timed:
    """`.ci/run` in a fresh clone of the last commit (package caches as
    they are: warm on a machine that has built the project before)."""
    clone = scratch / "clone"
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    subprocess.run(
        ["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)],
        check=True,
    )
    subprocess.run(
        ["git", "checkout", "--quiet", commit], cwd=clone, check=True
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SNIPPET_RUNNER_CACHE", "PYTHONPATH"))
    }
    cpu, before = children_cpu(), load()
    started = time.monotonic()
    done = subprocess.run(
        [str(clone / ".ci/run")],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seconds = time.monotonic() - started
    if done.returncode != 0:  # reported, not fatal: the rest still counts
        print(f"bench: .ci/run failed in a fresh clone:\n{done.stdout}")
    return Timed(
        seconds,
        children_cpu() - cpu,
        (before, load()),
        passed=done.returncode == 0,
    )


# The Markdown extensions an example's block needs (its tabs and the
# listing of its snippet): the whole mkdocs.yml of a small throwaway site
# is a name, the plugin and these.
def scaling_project(size: int, folder: Path) -> Path:
    """A copy of the site machinery with `size` sleep-only examples."""
    shutil.copytree(
        ROOT / "snippet_runner",
        folder / "snippet_runner",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (folder / "docs").mkdir()
    (folder / "mkdocs.yml").write_text(
        "site_name: scaling\nplugins: [snippet-runner]\n" + EXAMPLE_MARKDOWN
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


def figures(timed_: Timed, cores: int | None = None) -> dict:
    found = {"seconds": round(timed_.seconds, 2), "cpu": round(timed_.cpu, 2)}
    found["load"] = list(timed_.load)
    found["passed"] = timed_.passed
    if cores:
        found["busy"] = round(timed_.cpu / (cores * timed_.seconds), 2)
    return found


def main() -> None:

    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    interpreters = list(settings.project_interpreters(PROJECT))
    cores = os.cpu_count() or 1
    counted = become_subreaper()
    try:
        print(f"on {names(interpreters)}, load {load()}")
        print("S: running every example alone, one after another ...")
        s_load = load()
        costs = runs_one_by_one(interpreters, scratch)
        s_load = (s_load, load())
        print("   and the notebook ...")
        notebook = notebook_cpu(scratch)
        print("C, W: cold and warm builds ...")
        cold = build(ROOT, scratch / "cache")
        # The least of three, taken in turns: a warm build is short, and a
        # burst of other work would be a large part of one.
        warm, warm_one = [], []
        for _ in range(WARM_TRIES):
            warm.append(build(ROOT, scratch / "cache"))
            warm_one.append(
                build(ROOT, scratch / "cache", SNIPPET_RUNNER_PYTHONS="build")
            )
        warm = min(warm, key=lambda found: found.seconds)
        warm_one = min(warm_one, key=lambda found: found.seconds)
        cold_one = build(
            ROOT, scratch / "cache-one", SNIPPET_RUNNER_PYTHONS="build"
        )
        print("preview: make serve, then an edit ...")
        served = preview(scratch)
        print("T: the test suite ...")
        suite = timed(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=ROOT,
            check=False,  # a failure is reported with the figures
        )
        if not suite.passed:
            print(f"bench: the test suite failed:\n{suite.output}")
        print("CI: .ci/run in a fresh clone ...")
        fresh = ci(scratch)
        scaling = {}
        for size in SCALING_SIZES:
            print(f"scaling: cold build with {size} sleep-only examples ...")
            project = scaling_project(size, scratch / f"scale-{size}")
            # One interpreter: this measures how the build grows with
            # the number of examples, not with the number of versions.
            scaling[size] = build(
                project,
                scratch / f"scale-cache-{size}",
                SNIPPET_RUNNER_PYTHONS="build",
            ).seconds
        print("the costliest runs: what their CPU went on ...")
        costliest = sorted(costs, key=lambda cost: -cost.cpu)[:COSTLIEST]
        costliest = [breakdown(cost, interpreters) for cost in costliest]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    produced = provenance()
    alone = sum(cost.seconds for cost in costs if cost.alone)
    others = sum(cost.cpu for cost in costs if not cost.alone)
    results = {
        "date": produced["finished_at"],
        "machine": f"{produced['platform']}, {cores} cores",
        "python": produced["python"],
        "interpreters": names(interpreters),
        "orphans_counted": counted,
        "runs": len(costs),
        "S": round(sum(cost.seconds for cost in costs), 2),
        "S_cpu": round(sum(cost.cpu for cost in costs), 2),
        "S_load": list(s_load),
        "C": round(cold.seconds, 2),
        "C_detail": figures(cold, cores),
        "W": round(warm.seconds, 2),
        "W_detail": figures(warm),
        "W1": round(warm_one.seconds, 2),
        "W_examples": examples_seconds(warm.output),
        "W1_examples": examples_seconds(warm_one.output),
        "C1": round(cold_one.seconds, 2),
        "C1_detail": figures(cold_one, cores),
        "T": round(suite.seconds, 2),
        "T_detail": figures(suite, cores),
        "alone": round(alone, 2),
        "alone_cpu": round(sum(cost.cpu for cost in costs if cost.alone), 2),
        "cpu_of_others": round(others, 2),
        "notebook_cpu": round(notebook.cpu, 2),
        "notebook_seconds": round(notebook.seconds, 2),
        "cores": cores,
        "F": round(warm.seconds + alone + (others + notebook.cpu) / cores, 2),
        "F_before": F_BEFORE,
        "preview": served,
        "CI": figures(fresh, cores),
        "costliest": costliest,
        "scaling_sleep": SCALING_SLEEP,
        "scaling": {str(n): round(t, 2) for n, t in scaling.items()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    # What the builds order their runs by (see schedule.py).
    seconds = {cost.key: round(cost.seconds, 2) for cost in costs}
    PROJECT.timings.write_text(
        json.dumps(seconds, indent=0, sort_keys=True) + "\n"
    )
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
    served = results["preview"]
    lines = [
        f"{results['date']} · {results['machine']} · {results['python']}",
        f"{results['runs']} example runs on {results['interpreters']}",
        f"S = {s:6.2f} s  examples' runtimes summed, each alone "
        f"({results['S_cpu']:.2f} CPU s; load {results['S_load']})",
        f"C = {c:6.2f} s  cold build       C/F = {c / f:.2f}"
        f"   busy {results['C_detail']['busy']:.2f}"
        f" (load {results['C_detail']['load']})",
        f"W = {w:6.2f} s  warm build       W/C = {w / c:.2f}"
        f"   ({results['W_examples']:.2f} s of it on the examples)",
        f"W1= {results['W1']:6.2f} s  warm build, the build's Python only"
        f"   W/W1 = {w / results['W1']:.2f}",
        f"T = {t:6.2f} s  test suite       T/C = {t / c:.2f}"
        f"   busy {results['T_detail']['busy']:.2f}"
        f" (load {results['T_detail']['load']})",
        f"F = {f:6.2f} s  least possible cold build here: W "
        f"+ {results['alone']:.2f} s alone runs "
        f"+ ({results['cpu_of_others']:.2f} + notebook "
        f"{results['notebook_cpu']:.2f}) CPU s / {results['cores']} cores",
        f"F before the cuts of #16: {results['F_before']['F']:.2f} s "
        f"({results['F_before']['how']})",
        f"C1= {results['C1']:6.2f} s  cold build, the build's Python only",
        f"serve: first page after {served['first_page']:.2f} s "
        f"(target C1 + 1 = {results['C1'] + 1:.2f}); an edit of "
        f"{served['edited']} shown after {served['edit']:.2f} s (target "
        f"{served['edited_runtime']:.2f} + W1 + 1 = "
        f"{served['edited_runtime'] + results['W1'] + 1:.2f})",
        f"CI: .ci/run in a fresh clone {results['CI']['seconds']:.2f} s"
        + ("" if results["CI"]["passed"] else " (it FAILED)"),
        "" if results["T_detail"]["passed"] else "T: the test suite FAILED",
        f"the {len(results['costliest'])} costliest runs by CPU:",
    ]
    for cost in results["costliest"]:
        lines.append(
            f"  {cost['cpu']:5.2f} CPU s {cost['seconds']:5.2f} s "
            f"{cost['starts']:2d} starts  {cost['run']}: {cost['cost']}"
        )
    lines.append(
        f"cold build with N sleep-only examples "
        f"({results['scaling_sleep']:g} s each):"
    )
    for size, seconds in scaling.items():
        ratio = seconds / smallest
        lines.append(f"  N = {size:>3}: {seconds:6.2f} s  ({ratio:.1f}x N=10)")
    return "\n".join(line for line in lines if line)


if __name__ == "__main__":
    main()
