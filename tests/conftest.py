import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "snippets"
# What a copy of the project needs to build the site.
PROJECT_PARTS = ["mkdocs.yml", "docs", "snippets", "snippet_runner"]


def pytest_configure(config):
    # One fresh run cache per test session, shared by the snippet tests, the
    # builds and any xdist workers (they inherit the environment), so each
    # snippet really runs once per session and is then reused.
    if not hasattr(config, "workerinput"):
        os.environ["SNIPPET_RUNNER_CACHE_DIR"] = tempfile.mkdtemp(
            prefix="snippet-runs-"
        )


def pytest_unconfigure(config):
    if not hasattr(config, "workerinput"):
        shutil.rmtree(os.environ.pop("SNIPPET_RUNNER_CACHE_DIR"), True)


def build_site(
    project: Path, site_dir: Path, fresh: bool = False
) -> subprocess.CompletedProcess:
    """A strict build, as `make build` runs it; `fresh`: bypass the cache."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"]
        + ["--config-file", str(project / "mkdocs.yml")]
        + ["--site-dir", str(site_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # the log, then MkDocs' last word
        text=True,
        timeout=240,
        env={
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "SNIPPET_RUNNER_CACHE": "off" if fresh else "on",
        },
    )


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """A throwaway copy of the project, for builds that must go wrong."""
    copy = tmp_path / "project"
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(
                source,
                copy / part,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        else:
            copy.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / part)
    return copy
