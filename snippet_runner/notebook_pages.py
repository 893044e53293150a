"""The notebook pages, for the plugin (snippet_runner/plugin.py).

Each notebook under docs/ is executed and checked by
snippet_runner/notebooks.py while the examples run; mkdocs-jupyter then
renders the executed copy (`execute: false`) instead of the source. A
notebook whose outputs do not fit its expectations is logged as an error,
which fails a strict build. Each notebook page gets download links for
the notebook and the modules it imports, and a provenance line. The
kernel is the build's own Python (it needs ipykernel), so a notebook is
checked on that one version, and its page says so.
"""

from __future__ import annotations

import html
import logging
import posixpath
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup  # nbconvert's own dependency
from mkdocs.structure.files import File

from . import notebooks
from .pages import NOT_SEARCHED, escape_output
from .untrusted import html_text, log_text

log = logging.getLogger("mkdocs.plugins.snippet_runner.notebooks")


class NotebookPages:
    """The notebook pages of one MkDocs process, redone on every build."""

    def __init__(self):
        # The executed copies that mkdocs-jupyter renders and the site
        # offers for download; one folder for the life of the process.
        self._output = tempfile.TemporaryDirectory(prefix="notebook-pages-")
        self._running: dict = {}  # {source path: future outcome}
        self._pages: dict[str, dict] = {}  # src_uri: what the page adds

    def start(self, project) -> None:
        """Start every notebook of the project (a settings.Project) now,
        to run while the examples run."""
        pool = ThreadPoolExecutor(max_workers=2)
        self._running = {
            path: pool.submit(notebooks.check_notebook, path, project)
            for path in notebooks.discover_notebooks(project.docs_dir)
        }
        pool.shutdown(wait=False)

    def on_files(self, files, config):
        self._pages.clear()
        docs = Path(config["docs_dir"]).resolve()
        for source, future in self._running.items():
            self._add(files, config, source, future)
        # The notebooks' expectation files are for the build, not the site.
        for source in self._running:
            for path in notebooks.expectation_files(source).values():
                uri = path.relative_to(docs).as_posix()
                file = files.get_file_from_path(uri)
                if file is not None:
                    files.remove(file)
        return files

    def _add(self, files, config, source: Path, future) -> None:
        docs = Path(config["docs_dir"]).resolve()
        uri = source.relative_to(docs).as_posix()
        try:
            outcome = future.result()
        except Exception as error:  # a kernel that cannot start, say
            log.error("%s could not be executed: %r", uri, error)
            return
        if not outcome.ok:
            log.error("%s", log_text(outcome.report()))
        elif outcome.kernel_log.strip():
            log.debug("kernel output for %s:\n%s", uri, outcome.kernel_log)
        modules = _module_files(config, source)
        for module in modules:
            if files.get_file_from_path(module.src_uri) is None:
                files.append(module)
        page = files.get_file_from_path(uri)
        if page is None or outcome.executed is None:
            return
        executed = Path(self._output.name) / uri
        executed.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(outcome.executed, executed)
        # mkdocs-jupyter may already have wrapped the file; point both the
        # wrapper and the file at the executed copy.
        for file in (page, vars(page).get("file")):
            if file is not None:
                file.abs_src_path = str(executed)
        self._pages[uri] = {"outcome": outcome, "modules": modules}

    def on_page_content(self, page_html: str, page) -> str:
        added = self._pages.get(page.file.src_uri)
        if added is None:
            return page_html
        page_html = reader_html(page_html)
        outcome = added["outcome"]
        ours = outcome.executed.metadata.get(notebooks.METADATA, {})
        description = ours.get("description")
        if description:  # for <meta name="description">; a notebook has
            # no front matter
            page.meta.setdefault("description", description)
        parts = [f'<div class="notebook-downloads"{NOT_SEARCHED}>']
        if not outcome.ok:
            parts.append(
                '<div class="admonition failure"><p class="admonition-title">'
                "This notebook is wrong; a strict build fails</p><pre><code>"
                f"{escape_output(outcome.report())}</code></pre></div>"
            )
        parts.append(_downloads(page, added["modules"]))
        info = outcome.provenance
        if info:
            methods = ", ".join(map(str, info.get("start_methods", [])))
            seconds = info.get("seconds")
            if isinstance(seconds, (int, float)):
                seconds = f"{seconds:.1f}"
            parts.append(
                '<p class="example-provenance">Outputs below: executed '
                f"while this site was built · {html_text(seconds)} s · "
                f"{html_text(info.get('python'))} on "
                f"{html_text(info.get('platform'))} · start methods used: "
                f"{html_text(methods or 'none')} · "
                f"{html_text(info.get('finished_at'))}"
                " · checked on this one Python only: the kernel is the "
                "build's own</p>"
            )
        parts.append("</div>")
        # Under the notebook's title, if it has one.
        before, title, after = page_html.partition("</h1>")
        if not title:
            return "".join(parts) + page_html
        return before + title + "".join(parts) + after


def reader_html(notebook_html: str) -> str:
    """mkdocs-jupyter's page, made to read like the site's other pages.

    It inlines JupyterLab's whole stylesheet (about 580 KB, mostly rules
    for icons no page uses) and scripts for its copy buttons, MathJax and
    Mermaid. Without them Material styles the cells as any other page:
    its code colours (in dark mode too), its copy button, a page a phone
    can read. Prompts, code and outputs are kept out of the search index,
    so that a result starts with the notebook's prose."""
    soup = BeautifulSoup(notebook_html, "html.parser")
    dropped = "style, script, .zeroclipboard-container, .clipboard-copy-txt"
    for tag in soup.select(f"{dropped}, .jp-Collapser"):
        tag.decompose()
    # A Markdown cell's HTML at the top level, as on any page: search
    # then files the text under its heading (nested in a cell's divs,
    # the text after it went back to the page's first section).
    for cell in soup.select(".jp-MarkdownCell"):
        rendered = cell.select_one(".jp-RenderedMarkdown")
        if rendered is not None:
            cell.replace_with(rendered)
            rendered.unwrap()
    for block in soup.select("div.highlight-ipynb"):
        block["class"] = ["highlight"]
        # Material's code blocks (and their copy button) are pre > code.
        code = soup.new_tag("code")
        code.extend(list(block.pre.contents))
        block.pre.append(code)
    for tag in soup.select("[tabindex]"):  # JupyterLab's keyboard focus
        del tag["tabindex"]
    for link in soup.select("a.anchor-link"):  # as Material's permalinks
        link["class"] = ["headerlink"]
        link["title"] = "Permanent link"
    for prompt in soup.select(".jp-InputPrompt, .jp-OutputPrompt"):
        if not prompt.get_text(strip=True):
            prompt.decompose()
    skipped = ".jp-InputPrompt, .jp-OutputPrompt, .jp-InputArea-editor"
    for tag in soup.select(skipped):
        tag["data-search-exclude"] = "true"  # as pages.NOT_SEARCHED
    return str(soup)


def _downloads(page, modules: list[File]) -> str:
    here = posixpath.dirname(page.url) or "."  # the page's folder
    name = posixpath.basename(page.file.src_uri)
    # mkdocs-jupyter's include_source puts the executed notebook beside
    # the page.
    links = [f'<a href="{html.escape(name)}" download>Download {name}</a>']
    for module in modules:
        target = posixpath.relpath(module.src_uri, here)
        module_name = posixpath.basename(module.src_uri)
        links.append(
            f'<a href="{html.escape(target)}" download>'
            f"Download {html.escape(module_name)}</a>"
        )
    return (
        f"<p>{' · '.join(links)} (put them in one folder, then run the "
        "notebook there)</p>"
    )


def _module_files(config, source: Path) -> list[File]:
    nb = nbformat.read(source, as_version=4)
    folder = notebooks.run_folder(source, nb)
    project = Path(config["config_file_path"]).resolve().parent
    return [
        File.generated(
            config,
            module.relative_to(project).as_posix(),
            abs_src_path=str(module),
        )
        for module in notebooks.local_modules(nb, folder)
    ]
