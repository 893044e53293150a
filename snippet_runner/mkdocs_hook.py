"""MkDocs hooks (see `hooks:` in mkdocs.yml) that run the examples.

What they do, and why a hook: snippet_runner/pages.py.
"""

import sys
from pathlib import Path

# MkDocs loads this file by path, so the package beside it is not yet
# importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from snippet_runner.pages import ExampleBuild, read_pages  # noqa: E402

_build = ExampleBuild()


def on_files(files, config):
    global _build
    _build = ExampleBuild()  # a fresh run on every build and every reload
    _build.run_all(read_pages(files))
    for file in _build.snippet_files(config):
        files.append(file)
    return files


def on_page_markdown(markdown, page, config, files):
    return _build.expand(markdown, page.file.src_uri)


def on_page_content(html, page, config, files):
    return _build.fill(html)
