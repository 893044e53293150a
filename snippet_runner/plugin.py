"""The MkDocs plugin `snippet-runner`: runs every example a page refers
to, on every interpreter of the build, and puts its source and real
output into the page; executes and checks the notebooks.

Registered by the entry point in pyproject.toml and configured under
`plugins:` in mkdocs.yml; its options, validated by MkDocs, are described
in snippet_runner/settings.py; every path is resolved from the folder of
mkdocs.yml, so one installed engine serves any site. What it does to a
page: pages.py; to a notebook: notebook_pages.py and notebooks.py.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from .interpreters import InterpreterError
from .markup import BlockPlaceholders, unwrap_tokens
from .notebook_pages import NotebookPages
from .pages import (
    NOT_SEARCHED,
    ExampleBuild,
    ExampleError,
    build_statement,
    read_pages,
)
from .process import handle_termination
from .settings import Project, RunnerConfig
from .untrusted import html_text

log = logging.getLogger("mkdocs.plugins.snippet_runner")


class SnippetRunnerPlugin(BasePlugin[RunnerConfig]):
    supports_multiple_instances = False

    def __init__(self):
        self.interpreters = []
        self.build: ExampleBuild | None = None
        self.notebooks = NotebookPages()

    def on_config(self, config):
        # Every path from the folder of mkdocs.yml and the options, never
        # from where the engine is installed.
        self.project = Project.from_config(
            self.config, Path(config.config_file_path), config.docs_dir
        )
        # The folders the site's markdown-exec blocks import from.
        for folder in reversed(self.project.python_path):
            if str(folder) not in sys.path:
                sys.path.insert(0, str(folder))
        # A SIGTERM to the build (CI cancelled, a container stopped) kills
        # the runs in progress with all their processes first.
        handle_termination()
        config.markdown_extensions.append(BlockPlaceholders())
        try:
            self.interpreters = self.project.select_interpreters()
        except InterpreterError as error:
            raise PluginError(str(error)) from None
        for folder in self.project.results:
            if not folder.is_dir():
                raise PluginError(
                    f"result folder {folder} does not exist (named in the "
                    "`results` option or SNIPPET_RUNNER_RESULTS)"
                )
        return config

    def on_pre_build(self, config):
        if self.project.notebooks:
            self.notebooks.start(self.project)  # runs while examples run

    def on_files(self, files, config):
        # A fresh run on every build and every reload (the cache makes
        # the unchanged runs free).
        self.build = ExampleBuild(self.project, self.interpreters)
        try:
            self.build.run_all(read_pages(files))
        except ExampleError as error:  # an unreadable result folder
            raise PluginError(str(error)) from None
        for file in self.build.snippet_files(config):
            if files.get_file_from_path(file.src_uri) is None:
                files.append(file)
        return self.notebooks.on_files(files, config)

    def on_page_markdown(self, markdown, page, config, files):
        # sitemap.xml's <lastmod>: the page's last commit, not the build.
        source = Path(config["docs_dir"]) / page.file.src_uri
        page.update_date = last_commit_date(source) or page.update_date
        return self.build.expand(markdown, page.file.src_uri)

    def on_page_content(self, html, page, config, files):
        html = self.build.fill(html)
        if self.project.statement:
            # Every page names what this build ran its examples on,
            # taken from the build itself (pages.build_statement).
            html += (
                f'<p class="build-statement"{NOT_SEARCHED}>'
                f"{html_text(build_statement(self.build))}</p>"
            )
        html = unwrap_tokens(html, list(self.project.plain_tokens))
        return self.notebooks.on_page_content(html, page)


def last_commit_date(path: Path) -> str | None:
    """YYYY-MM-DD of the last commit that changed the file; None outside a
    git work tree, or if the file has changes not yet committed (then
    the build's date is the right one)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args, "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()

    try:
        if git("status", "--porcelain"):
            return None
        return git("log", "-1", "--format=%cs") or None
    except (OSError, subprocess.SubprocessError):
        return None
