import fcntl
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest

from project_copy import copy_project
from snippet_runner import cache, platforms, settings
from snippet_runner.interpreters import InterpreterError, names
from snippet_runner.runner import discover_examples, example, plan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "snippets"


@functools.cache
def project() -> settings.Project:
    """This site's project, as its mkdocs.yml sets it, with the session's
    run cache (SNIPPET_RUNNER_CACHE_DIR, set in pytest_configure: so not
    read before the tests are collected)."""
    return settings.load(ROOT / "mkdocs.yml")


def interpreters() -> list:
    """The interpreters this site's examples run on."""
    return list(settings.project_interpreters(project()))


@pytest.fixture
def example_build():
    """A build of this site in progress, for what markdown-exec blocks
    call (pages.outcomes): the session's runs, through its cache."""
    from snippet_runner import pages

    build = pages.ExampleBuild(project(), interpreters())
    yield build
    pages.ExampleBuild.current = None


def fixture_example(name: str, *args: str):
    """The example of the fixture snippet tests/fixtures/snippets/NAME.py,
    named as messages name it (tests/fixtures/snippets/NAME.py)."""
    return example(FIXTURES / f"{name}.py", project(), args)


def pytest_configure(config):
    # One fresh run cache per test session, shared by the snippet tests, the
    # builds and any xdist workers (they inherit the environment), so each
    # snippet really runs once per session and is then reused.
    if not hasattr(config, "workerinput"):
        os.environ["SNIPPET_RUNNER_CACHE_DIR"] = tempfile.mkdtemp(
            prefix="snippet-runs-"
        )
        # Every run that passes is logged by its key, so the session can
        # check that none of the site's example runs happened twice.
        os.environ["SNIPPET_RUNNER_RUN_LOG"] = os.path.join(
            os.environ["SNIPPET_RUNNER_CACHE_DIR"], "runs.log"
        )


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ.pop("SNIPPET_RUNNER_CACHE_DIR"), True)


def pytest_collection_finish(session):
    # pytest-xdist's loadgroup keeps an xdist_group on one worker by adding
    # "@group" to the tests' ids. Under pytest 9.2 that silently stopped
    # working (pytest-dev/pytest-xdist#1386): the browser tests then ran
    # on every worker, each with a browser of its own. Workers report such
    # tests, and the session fails (see pytest_sessionfinish).
    config = session.config
    if hasattr(config, "workerinput") and config.option.loadgroup:
        config.workeroutput["ungrouped"] = [
            item.nodeid
            for item in session.items
            if item.get_closest_marker("xdist_group")
            and "@" not in item.nodeid
        ]


def pytest_testnodedown(node, error):
    reported = getattr(node, "workeroutput", {}).get("ungrouped", [])
    node.config.ungrouped = getattr(node.config, "ungrouped", set())
    node.config.ungrouped.update(reported)


def working_tree_state() -> set[str]:
    """What git sees in the repository, ignored files included, less the
    bytecode and caches that the tools themselves write."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--ignored"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return {
        line
        for line in status
        if not re.search(
            r"(^|/)(\.pytest_cache|\.ruff_cache|\.venv|test-artifacts)/",
            line[3:],
        )
        and not (
            "__pycache__/" in line and not line[3:].startswith("snippets/")
        )
    }


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):
        session.config.tree_before = working_tree_state()
        # A required interpreter that is missing stops the session at
        # once, naming it (mkdocs.yml's `require`, SNIPPET_RUNNER_REQUIRE).
        try:
            found = interpreters()
        except InterpreterError as error:
            raise pytest.UsageError(str(error)) from None
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(f"examples run on {names(found)}")


def pytest_sessionfinish(session, exitstatus):
    # Snippets run from the repository's root: none may leave files there.
    before = getattr(session.config, "tree_before", None)
    if before is None or session.testscollected == 0:
        return
    fail_session(
        session,
        "working tree changed during the test run "
        "(a snippet or test wrote files):",
        sorted(working_tree_state() ^ before),
    )
    fail_session(
        session,
        "these example runs happened more than once in this session (a run "
        "that passed is cached: a test should reuse it):",
        examples_run_twice(),
    )
    fail_session(
        session,
        "pytest-xdist ran these xdist_group tests ungrouped: this pytest "
        "and pytest-xdist do not work together (use the versions in "
        "requirements.txt):",
        sorted(getattr(session.config, "ungrouped", [])),
    )


def examples_run_twice() -> list[str]:
    """The site's example runs that the run log holds more than once."""
    log = Path(os.environ.get("SNIPPET_RUNNER_RUN_LOG", "/nonexistent"))
    if not log.is_file():
        return []
    counts = Counter(log.read_text().split())
    twice = []
    site = project()
    for found in discover_examples(site):
        digest = cache.example_digest(
            found.snippet, found.args, found.expectation, site.root
        )
        for run, _ in plan(found, interpreters(), site)[1]:
            times = counts[site.run_cache.key(digest, run.interpreter)]
            if times > 1:
                twice.append(f"{run}: {times} times")
    return twice


def fail_session(session, reason: str, details: list[str]) -> None:
    if not details:
        return
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    reporter.write_line("")
    reporter.write_line(f"FAILED {reason}", red=True)
    for line in details:
        reporter.write_line(f"    {line}")


def build_site(
    project: Path,
    site_dir: Path,
    cache_dir: Path | None = None,
    **env: str,
) -> subprocess.CompletedProcess:
    """A strict build, as `make build` runs it, using the session's run
    cache or, for a test that must change what is cached, `cache_dir`.
    A copy of the project is built by its own copy of the engine (first
    on PYTHONPATH, before the one installed in .venv)."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"]
        + ["--config-file", str(project / "mkdocs.yml")]
        + ["--site-dir", str(site_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # the log, then MkDocs' last word
        text=True,
        timeout=240,
        cwd=project,  # as make runs it: the project's engine comes first
        env={
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "PYTHONPATH": str(project),
            "SNIPPET_RUNNER_CACHE_DIR": str(
                cache_dir or os.environ["SNIPPET_RUNNER_CACHE_DIR"]
            ),
            **env,
        },
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """One strict build of the project per test session, for the tests that
    read the built pages. The first xdist worker to ask builds it; the
    others wait for it and read the same folder."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session's folder, above each worker's
    site_dir, log = shared / "site", shared / "site-build.json"
    with open(shared / "site-build.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not log.exists():
            build = build_site(ROOT, site_dir)
            log.write_text(json.dumps([build.returncode, build.stdout]))
    returncode, stdout = json.loads(log.read_text())
    assert returncode == 0, stdout
    return site_dir, subprocess.CompletedProcess(
        "mkdocs build", returncode, stdout
    )


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A throwaway copy of the project, for builds that must go wrong."""
    return copy_project(tmp_path / "project")


def not_checked_here() -> str:
    """What every output of a build without merged results says of the
    other systems."""
    others = [s for s in platforms.TITLES if s != platforms.current()]
    titles = " or ".join(platforms.title(s) for s in others)
    return f". Not checked on {titles} in this build"


def one_page_site(project: Path, page: str, text: str | None = None) -> Path:
    """Make a copy of the project a site of one page: `page` (its own
    text, or `text`), and no other page or notebook; for a test that
    checks what one broken example does to a build, which then runs that
    page's examples only. Links to the pages left out are not checked."""
    docs = project / "docs"
    kept = docs / page
    if text is not None:
        kept.write_text(text)
    for other in [*docs.rglob("*.md"), *docs.rglob("*.ipynb")]:
        if other != kept and "_content" not in other.parts:
            other.unlink()
    config = project / "mkdocs.yml"
    text = config.read_text()
    nav = re.compile(r"^nav:\n(?:[ #].*\n|\n)*", re.MULTILINE)
    assert nav.search(text), "mkdocs.yml has no nav"
    text = nav.sub(f"nav:\n  - {page}\n", text)
    if not page.endswith(".ipynb"):
        # No notebook to render: mkdocs-jupyter's import alone is a
        # quarter of a small build's CPU time.
        jupyter = re.compile(r"^  - mkdocs-jupyter:\n(?:      .*\n)*", re.M)
        assert jupyter.search(text), "mkdocs.yml has no mkdocs-jupyter"
        text = jupyter.sub("", text)
    config.write_text(
        text + "validation:\n"
        "  links: {not_found: info, anchors: info}\n"
        "  nav: {omitted_files: info}\n"
    )
    return project
