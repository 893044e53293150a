"""The engine is generic: installed normally (not editable) into a fresh
virtual environment, it builds a tiny second site in a folder of its own,
with its own folder names, finding everything from that site's
mkdocs.yml and nothing from this repository."""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import ROOT

CONFIG = """\
site_name: Second site
docs_dir: pages
plugins:
  - snippet-runner:
      snippets_dir: programs
      cache_dir: .runs
      pythons: build
      notebooks: false
markdown_extensions:
  - pymdownx.superfences
  - pymdownx.tabbed: {alternate_style: true}
  - attr_list
  - pymdownx.snippets:
      base_path: [!relative $config_dir/programs]
      check_paths: true
"""
PAGE = "# Hello\n\n<!-- example: greet/hello.py -->\n"
PROGRAM = """\
from pathlib import Path

if __name__ == "__main__":
    name = Path("programs/greet/name.txt").read_text().strip()
    print(f"hello, {name}")
"""


def installed_engine(tmp_path: Path) -> Path:
    """A new virtual environment with the engine installed from a copy of
    its sources as a wheel (not editable); the Python of it. Its other
    packages come from this one's site-packages, by a .pth line (which
    adds the folder, without running the .pth files in it: the editable
    install of this checkout stays out)."""
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
    )
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [
            python,
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n"
    )
    source = tmp_path / "source"  # a build writes into its source folder
    shutil.copytree(
        ROOT / "snippet_runner",
        source / "snippet_runner",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(ROOT / "pyproject.toml", source)
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install"]
        + ["--quiet", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["--disable-pip-version-check", str(source)],
        check=True,
    )
    return python


def test_an_installed_engine_builds_another_site(tmp_path):
    python = installed_engine(tmp_path)
    site = tmp_path / "second"
    (site / "pages").mkdir(parents=True)
    (site / "pages/index.md").write_text(PAGE)
    program = site / "programs/greet"
    program.mkdir(parents=True)
    (program / "hello.py").write_text(PROGRAM)
    (program / "hello.expect").write_text("exit: 0\n---\nhello, {word}\n")
    (program / "name.txt").write_text("world\n")  # a data file it reads
    (site / "mkdocs.yml").write_text(CONFIG)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SNIPPET_RUNNER_", "PYTHONPATH"))
    }
    where = subprocess.run(
        [
            python,
            "-c",
            "import snippet_runner; print(snippet_runner.__file__)",
        ],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv"), where
    (record,) = (tmp_path / "venv").rglob("direct_url.json")
    assert (
        not json.loads(record.read_text()).get("dir_info", {}).get("editable")
    )
    build = subprocess.run(
        [python, "-m", "mkdocs", "build", "--strict"],
        cwd=site,
        env={**env, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stdout
    html = (site / "site/index.html").read_text("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    output = soup.select_one(".example-output .highlight code").get_text()
    assert output == "hello, world\n"
    provenance = soup.select_one(".example-provenance").get_text()
    assert "python programs/greet/hello.py" in provenance
    # The download links offer the program and the file it reads.
    assert (site / "site/snippets/greet/name.txt").is_file()
    # Its cache is where its own mkdocs.yml says, not in this repository.
    assert list((site / ".runs").glob("*.json"))
    assert not (ROOT / "programs").exists()
