"""A copy of this project, for the builds that must go wrong (the tests)
and the bench's preview; and the Markdown extensions a small throwaway
site needs to show examples (the tests' and the bench's tiny sites)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a copy of the project needs to build the site (the bench's preview
# and the tests' broken copies both make one).
PROJECT_PARTS = (
    "mkdocs.yml",
    "docs",
    "snippets",
    "snippet_runner",
    "overrides",  # mkdocs.yml's theme custom_dir
    "CONTRIBUTING.md",  # docs/contributing.md includes it
    "pyproject.toml",  # the Makefile installs the engine from it
)


def copy_project(folder: Path) -> Path:
    """A copy of the project's PROJECT_PARTS in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(
                source,
                folder / part,
                ignore=shutil.ignore_patterns("__pycache__"),
            )
        else:
            shutil.copy2(source, folder / part)
    return folder


EXAMPLE_MARKDOWN = (
    "markdown_extensions:\n"
    "  - pymdownx.superfences\n"
    "  - pymdownx.tabbed: {alternate_style: true}\n"
    "  - attr_list\n"
    "  - pymdownx.snippets:\n"
    "      base_path: [!relative $config_dir/snippets]\n"
    "      check_paths: true\n"
)
