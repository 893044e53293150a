"""Results made elsewhere: written by `run --out`, merged by a build.

The builds here are of a one-page project with two small examples, so
that each builds in seconds; they share one run cache, so a result read
from a folder is the very run a build made itself.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build_site, interpreters
from project_copy import EXAMPLE_MARKDOWN
from snippet_runner import platforms, results
from snippet_runner.interpreters import build_interpreter

MINORS = [found.minor for found in interpreters()]
BUILD = build_interpreter()
HERE = platforms.current()
ELSEWHERE = "windows" if HERE != "windows" else "linux"

PAGE = """\
# Two examples

<!-- example: demo/version.py -->

<!-- example: demo/same.py -->
"""
VERSION = """\
import sys

if __name__ == "__main__":
    print("on", ".".join(map(str, sys.version_info[:2])))
"""
SAME = """\
if __name__ == "__main__":
    print("the same everywhere")
"""
SAME_EXPECT = f"""\
exit: 0
---
the same everywhere
===
platform: {ELSEWHERE}
why: A case of its own, so that the page shows its output apart.
exit: 0
---
the same everywhere
"""


def write_config(project: Path, oldest: str, newest: str) -> None:
    """The versions this build (or `run`) uses: oldest to newest."""
    (project / "mkdocs.yml").write_text(
        "site_name: merged\n"
        "plugins:\n"
        "  - snippet-runner:\n"
        f'      oldest: "{oldest}"\n'
        f'      newest: "{newest}"\n'
        "      notebooks: false\n" + EXAMPLE_MARKDOWN
    )


@pytest.fixture
def small_project(tmp_path) -> Path:
    if len(MINORS) < 3:
        pytest.fail(
            "these tests need three interpreters (CI requires five); "
            f"found {MINORS}"
        )
    project = tmp_path / "project"
    shutil.copytree(
        ROOT / "snippet_runner",
        project / "snippet_runner",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (project / "docs").mkdir()
    (project / "docs/index.md").write_text(PAGE)
    demo = project / "snippets/demo"
    demo.mkdir(parents=True)
    (demo / "version.py").write_text(VERSION)
    (demo / "version.expect").write_text("exit: 0\n---\non 3.{int}\n")
    (demo / "same.py").write_text(SAME)
    (demo / "same.expect").write_text(SAME_EXPECT)
    return project


def run_out(project, folder, cache, minor) -> subprocess.CompletedProcess:
    """`python -m snippet_runner run --out folder` on one interpreter."""
    write_config(project, minor, minor)
    return subprocess.run(
        [sys.executable, "-m", "snippet_runner", "run", "--out", str(folder)],
        cwd=project,
        env={
            **os.environ,
            "PYTHONPATH": str(project),
            "SNIPPET_RUNNER_CACHE_DIR": str(cache),
            "SNIPPET_RUNNER_REQUIRE": minor,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def build(project, site, cache, **env):
    """A strict build of the small project on the build's own Python only
    (the others' runs come from result folders); every version found is
    in its supported range, so results from any of them are valid."""
    write_config(project, MINORS[0], MINORS[-1])
    return build_site(
        project, site, cache, SNIPPET_RUNNER_PYTHONS="build", **env
    )


def page(site: Path) -> str:
    """The built page, less the build time MkDocs' theme notes in it."""
    html = (site / "index.html").read_text("utf-8")
    return re.sub(r"<!--\s*MkDocs version.*?-->", "", html, flags=re.S)


def outputs(html: str) -> list:
    soup = BeautifulSoup(html, "html.parser")
    return soup.select(".example-output")


def test_results_of_other_interpreters_are_merged_and_marked(
    small_project, tmp_path
):
    others = [minor for minor in MINORS if minor != BUILD.minor]
    first, last = others[0], others[-1]
    cache = tmp_path / "cache"
    for minor, folder in [(first, "a"), (last, "b")]:
        done = run_out(small_project, tmp_path / folder, cache, minor)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "wrote 2 results" in done.stdout
    # A build on its own Python only, merging the other two.
    merged = build(
        small_project,
        tmp_path / "merged",
        cache,
        SNIPPET_RUNNER_RESULTS=os.pathsep.join(
            [str(tmp_path / "a"), str(tmp_path / "b")]
        ),
    )
    assert merged.returncode == 0, merged.stdout
    assert "merged 4 results made elsewhere" in merged.stdout
    version = outputs(page(tmp_path / "merged"))[0]
    # The output shown is the build's own run, with its own provenance.
    assert version.select_one("code").get_text() == f"on {BUILD.minor}\n"
    provenance = version.select_one(".example-provenance").get_text()
    assert BUILD.name in provenance and "elsewhere" not in provenance
    # Every version is named, and the merged ones as made elsewhere.
    by_minor = {found.minor: found.version for found in interpreters()}
    checked = version.select_one(".example-checked").get_text()
    assert checked.startswith(
        f"Checked on CPython {by_minor[first]}, {BUILD.version} and "
        f"{by_minor[last]} on {platforms.title(HERE)} (the runs on CPython "
        f"{by_minor[first]} and {by_minor[last]} on "
        f"{platforms.title(HERE)} were made elsewhere and merged from their "
        "result files)"
    )


def test_a_result_made_before_its_snippet_changed_is_refused(
    small_project, tmp_path
):
    cache = tmp_path / "cache"
    done = run_out(small_project, tmp_path / "a", cache, MINORS[0])
    assert done.returncode == 0, done.stdout + done.stderr
    snippet = small_project / "snippets/demo/version.py"
    snippet.write_text(VERSION + "    # edited after its result was made\n")
    done = build(
        small_project,
        tmp_path / "site",
        cache,
        SNIPPET_RUNNER_RESULTS=str(tmp_path / "a"),
    )
    assert done.returncode == 1, done.stdout
    assert (
        "refused the result of snippets/demo/version.py on CPython "
        f"{MINORS[0]}." in done.stdout
    )
    assert (
        "snippets/demo/version.py changed since it was produced" in done.stdout
    )
    # The other example's result is as good as ever.
    assert "refused the result of snippets/demo/same.py" not in done.stdout


def relabel(folder: Path, system: str, title: str) -> None:
    """Make a folder's results say they were made on another system."""
    for path in folder.glob("*.json"):
        record = json.loads(path.read_text("utf-8"))
        record["platform"] = system
        record["result"]["platform"] = f"{title} AMD64"
        path.write_text(json.dumps(record), "utf-8")


def test_results_from_another_system_show_its_outcome_and_provenance(
    small_project, tmp_path
):
    cache = tmp_path / "cache"
    done = run_out(small_project, tmp_path / "a", cache, MINORS[0])
    assert done.returncode == 0, done.stdout + done.stderr
    title = platforms.title(ELSEWHERE)
    relabel(tmp_path / "a", ELSEWHERE, title)
    build_minor = BUILD.minor
    done = build(
        small_project,
        tmp_path / "site",
        cache,
        SNIPPET_RUNNER_RESULTS=str(tmp_path / "a"),
    )
    assert done.returncode == 0, done.stdout
    version, same = outputs(page(tmp_path / "site"))
    # version.py: one expectation for both systems, one output.
    (checked,) = version.select(".example-checked")
    assert f"on {platforms.title(HERE)} (CPython {build_minor}." in (
        checked.get_text()
    )
    assert f" and {title} (CPython {MINORS[0]}." in checked.get_text()
    # same.py: the other system's case judged its run; its own output,
    # with its provenance, under its own heading.
    headings = [p.get_text() for p in same.select(".example-versions strong")]
    assert headings[1].startswith(f"On CPython {MINORS[0]}.")
    assert headings[1].endswith(f" on {title}")
    provenance = same.select(".example-provenance")[1].get_text()
    assert f"on {title} AMD64" in provenance
    assert "produced elsewhere, merged from its result file" in provenance
    missing = {"linux", "macos", "windows"} - {HERE, ELSEWHERE}
    assert (
        f"Not checked on {platforms.title(missing.pop())} in this build"
        in same.get_text()
    )
    # A build that requires every system fails, naming the one it lacks.
    strict = build(
        small_project,
        tmp_path / "strict",
        cache,
        SNIPPET_RUNNER_RESULTS=str(tmp_path / "a"),
        SNIPPET_RUNNER_REQUIRE_PLATFORMS="linux macos windows",
    )
    assert strict.returncode == 1
    assert "no result from macOS, which this build requires" in strict.stdout


FORKS = """\
import multiprocessing

if __name__ == "__main__":
    context = multiprocessing.get_context("fork")
    print("start method", context.get_start_method())
"""


def test_a_dry_run_of_the_deploy_merge_labels_what_did_not_run_or_failed(
    small_project, tmp_path
):
    # The merge the Pages deploy makes, with result folders for macOS and
    # Windows in the engine's own format: one example that does not apply
    # to Windows (it uses fork), and one result from macOS that fails.
    demo = small_project / "snippets/demo"
    (demo / "forks.py").write_text(FORKS)
    (demo / "forks.expect").write_text(
        "methods: fork\nexit: 0\n---\nstart method fork\n"
    )
    page = small_project / "docs/index.md"
    page.write_text(PAGE + "\n<!-- example: demo/forks.py -->\n")
    cache_dir = tmp_path / "cache"
    made = tmp_path / "made"
    done = run_out(small_project, made, cache_dir, MINORS[0])
    assert done.returncode == 0, done.stdout + done.stderr
    for system in ("macos", "windows"):
        folder = tmp_path / system
        shutil.copytree(made, folder)
        relabel(folder, system, platforms.title(system))
    # macOS: version.py printed something its expectation rejects.
    (version,) = (tmp_path / "macos").glob("*version*.json")
    record = json.loads(version.read_text())
    record["result"]["output"] = "on 2.7\n"
    version.write_text(json.dumps(record))
    # Windows: forks.py does not apply there; `run --out` on Windows
    # writes this record instead of a run (snippet_runner/__main__.py).
    (forks,) = (tmp_path / "windows").glob("*forks*.json")
    record = json.loads(forks.read_text())
    forks.unlink()
    results.write(
        tmp_path / "windows",
        record["example"],
        "windows",
        None,
        None,
        record["inputs"],
        "it uses the fork start method, which Windows does not have",
    )
    merged = os.pathsep.join(str(tmp_path / s) for s in ("macos", "windows"))
    site = tmp_path / "site"
    done = build(
        small_project,
        site,
        cache_dir,
        SNIPPET_RUNNER_RESULTS=merged,
        SNIPPET_RUNNER_FOREIGN_FAILURES="label",
    )
    assert done.returncode == 0, done.stdout
    html = page_html = (site / "index.html").read_text("utf-8")
    soup = BeautifulSoup(page_html, "html.parser")
    version_out, same_out, forks_out = outputs(html)
    assert (
        "Does not apply to Windows: it uses the fork start method, which "
        "Windows does not have" in forks_out.get_text()
    )
    assert "on macOS" in forks_out.select_one(".example-checked").get_text()
    checked = version_out.select(".example-checked")[-1].get_text()
    assert f"Did not match its expectation on CPython {MINORS[0]}." in checked
    assert "on macOS, in the results merged into this build" in checked
    assert "on 2.7" not in version_out.get_text()  # not shown
    statement = soup.select_one(".build-statement").get_text()
    assert statement.startswith(
        "The examples on this site ran, while it was built, on "
    )
    for system in ("Linux", "macOS", "Windows"):
        assert f" on {system}" in statement
    # Without the label, the failure elsewhere fails the build.
    strict = build(
        small_project,
        tmp_path / "strict",
        cache_dir,
        SNIPPET_RUNNER_RESULTS=merged,
    )
    assert strict.returncode == 1
    assert "demo/version.py on CPython" in strict.stdout
    assert "on macOS: output does not match" in strict.stdout
