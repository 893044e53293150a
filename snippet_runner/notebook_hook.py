"""MkDocs hooks (see `hooks:` in mkdocs.yml) for the notebook pages.

Each notebook under docs/ is executed and checked by
snippet_runner/notebooks.py while the examples run; mkdocs-jupyter then
renders the executed copy (`execute: false`) instead of the source. A
notebook whose outputs do not fit its expectations is logged as an error,
which fails a strict build. Each notebook page gets download links for
the notebook and the modules it imports, and a provenance line.
"""

import html
import logging
import posixpath
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# MkDocs loads this file by path, so the package beside it is not yet
# importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nbformat  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from snippet_runner import notebooks  # noqa: E402
from snippet_runner.pages import escape_output  # noqa: E402

log = logging.getLogger("mkdocs.plugins.snippet_runner.notebooks")

# The executed copies that mkdocs-jupyter renders and the site offers for
# download; one folder for the life of this MkDocs process.
_output = tempfile.TemporaryDirectory(prefix="notebook-pages-")
_running = None  # {source path: future outcome}, started by on_pre_build
_pages: dict[str, dict] = {}  # page src_uri: what on_page_content adds


def on_pre_build(config):
    # Started now so the notebooks run while the examples run (on_files).
    global _running
    pool = ThreadPoolExecutor(max_workers=2)
    docs = Path(config["docs_dir"])
    _running = {
        path: pool.submit(notebooks.check_notebook, path)
        for path in notebooks.discover_notebooks(docs)
    }
    pool.shutdown(wait=False)


def on_files(files, config):
    _pages.clear()
    docs = Path(config["docs_dir"]).resolve()
    for source, future in (_running or {}).items():
        uri = source.relative_to(docs).as_posix()
        try:
            outcome = future.result()
        except Exception as error:  # a kernel that cannot start, say
            log.error("%s could not be executed: %r", uri, error)
            continue
        if not outcome.ok:
            log.error("%s", outcome.report())
        elif outcome.kernel_log.strip():
            log.debug("kernel output for %s:\n%s", uri, outcome.kernel_log)
        modules = _module_files(config, source, outcome)
        for module in modules:
            if files.get_file_from_path(module.src_uri) is None:
                files.append(module)
        page = files.get_file_from_path(uri)
        if page is None or outcome.executed is None:
            continue
        executed = Path(_output.name) / uri
        executed.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(outcome.executed, executed)
        # mkdocs-jupyter may already have wrapped the file; point both the
        # wrapper and the file at the executed copy.
        for file in (page, vars(page).get("file")):
            if file is not None:
                file.abs_src_path = str(executed)
        _pages[uri] = {"outcome": outcome, "modules": modules}
    # The notebooks' expectation files are for the build, not the site.
    for source in _running or {}:
        for path in notebooks.expectation_files(source).values():
            file = files.get_file_from_path(path.relative_to(docs).as_posix())
            if file is not None:
                files.remove(file)
    return files


def _module_files(config, source: Path, outcome) -> list[File]:
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


def on_page_content(page_html, page, config, files):
    added = _pages.get(page.file.src_uri)
    if added is None:
        return page_html
    outcome = added["outcome"]
    here = posixpath.dirname(page.url) or "."  # the page's folder
    name = posixpath.basename(page.file.src_uri)
    # mkdocs-jupyter's include_source puts the executed notebook beside
    # the page.
    links = [f'<a href="{html.escape(name)}" download>Download {name}</a>']
    for module in added["modules"]:
        target = posixpath.relpath(module.src_uri, here)
        module_name = posixpath.basename(module.src_uri)
        links.append(
            f'<a href="{html.escape(target)}" download>'
            f"Download {html.escape(module_name)}</a>"
        )
    info = outcome.provenance
    methods = ", ".join(info.get("start_methods", [])) or "none"
    parts = ['<div class="notebook-downloads">']
    if not outcome.ok:
        parts.append(
            '<div class="admonition failure"><p class="admonition-title">'
            "This notebook is wrong; a strict build fails</p><pre><code>"
            f"{escape_output(outcome.report())}</code></pre></div>"
        )
    parts.append(
        f"<p>{' · '.join(links)} (put them in one folder, then run the "
        "notebook there)</p>"
    )
    if info:
        parts.append(
            '<p class="example-provenance">Outputs below: executed while '
            f"this site was built · {info['seconds']:.1f} s · "
            f"{html.escape(info['python'])} on "
            f"{html.escape(info['platform'])} · start methods used: "
            f"{html.escape(methods)} · {html.escape(info['finished_at'])}"
            "</p>"
        )
    parts.append("</div>")
    # Under the notebook's title, if it has one.
    before, title, after = page_html.partition("</h1>")
    if not title:
        return "".join(parts) + page_html
    return before + title + "".join(parts) + after
