"""The notebook page: executed by the same code the build uses, checked
cell by cell, and what goes wrong when a cell hangs, fails or goes stale."""

import re
import time

import nbformat
import psutil
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, build_site, one_page_site, project
from snippet_runner import notebooks

NOTEBOOK = ROOT / "docs/notebooks/pool_in_jupyter.ipynb"
MODULE = ROOT / "snippets/notebook/_pool_tasks.py"
# The tests that break the notebook build a site of its page alone.
NOTEBOOK_PAGE = "notebooks/pool_in_jupyter.ipynb"
WORKER_ERROR = (
    "AttributeError: Can't get attribute 'wait_then_work' on "
    "<module '__main__' "
)


@pytest.fixture(scope="session")
def outcome():
    return notebooks.check_notebook(NOTEBOOK, project())


def cells(nb):
    return {cell.id: cell for cell in nb.cells if cell.cell_type == "code"}


def test_every_cell_matches_its_expectation(outcome):
    if not outcome.ok:
        pytest.fail(outcome.report(), pytrace=False)


def test_spawn_workers_really_failed_and_the_fix_ran(outcome):
    executed = cells(outcome.executed)
    failure = notebooks.cell_text(executed["spawn-fails"])
    assert WORKER_ERROR in failure
    assert "Process SpawnPoolWorker-" in failure
    fixed = notebooks.cell_text(executed["fix-works"])
    assert "task 1: started after the event was set" in fixed
    info = outcome.provenance
    assert info["start_methods"] == ["fork", "spawn", "forkserver"]
    assert re.fullmatch(r"CPython 3\.\d+\.\d+", info["python"])


def test_every_expectation_names_a_code_cell():
    ids = cells(nbformat.read(NOTEBOOK, as_version=4))
    expectations = notebooks.expectation_files(NOTEBOOK)
    assert set(expectations) <= set(ids)
    assert {"fork-works", "spawn-fails", "fix-works"} <= set(expectations)


def test_source_notebook_has_no_outputs():
    # Outputs come from the build; a committed output would be pasted.
    for cell in cells(nbformat.read(NOTEBOOK, as_version=4)).values():
        assert cell.outputs == [] and cell.execution_count is None


def test_cache_key_covers_the_imported_module(project_copy):
    notebook = project_copy / NOTEBOOK.relative_to(ROOT)
    module = project_copy / MODULE.relative_to(ROOT)
    before = notebooks.cache_key(notebook)
    assert notebooks.local_modules(
        nbformat.read(notebook, as_version=4), module.parent
    ) == [module]
    module.write_text(module.read_text() + "\n# changed\n")
    assert notebooks.cache_key(notebook) != before


def page(site_dir):
    path = site_dir / "notebooks/pool_in_jupyter/index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_outputs(soup):
    return "\n".join(
        output.get_text() for output in soup.select(".jp-OutputArea-output")
    )


def test_page_shows_the_workers_error_and_the_fix(site):
    site_dir, build = site
    soup = page(site_dir)
    text = page_outputs(soup)
    assert WORKER_ERROR in text
    assert "the task now comes from: _pool_tasks" in text
    # The kernel's own stderr stays in the log, out of page and build.
    assert "Kernel is running over TCP" not in soup.get_text()
    assert "Kernel is running over TCP" not in build.stdout
    assert not re.search(r"WARNING|ERROR", build.stdout), build.stdout
    (line,) = soup.select(".notebook-downloads .example-provenance")
    assert re.fullmatch(
        r"Outputs below: executed while this site was built · [\d.]+ s · "
        r"CPython 3\.\d+\.\d+ on \w+ \w+ · start methods used: fork, "
        r"spawn, forkserver · \d{4}-\d\d-\d\d \d\d:\d\d UTC · checked on "
        r"this one Python only: the kernel is the build's own",
        line.get_text(),
    )


def test_download_links_give_the_executed_notebook_and_module(site):
    site_dir, _ = site
    soup = page(site_dir)
    links = {a["href"] for a in soup.select(".notebook-downloads a[download]")}
    assert links == {
        "pool_in_jupyter.ipynb",
        "../../snippets/notebook/_pool_tasks.py",
    }
    folder = site_dir / "notebooks/pool_in_jupyter"
    downloaded = nbformat.read(folder / "pool_in_jupyter.ipynb", 4)
    nbformat.validate(downloaded)
    texts = {
        cell_id: notebooks.cell_text(cell)
        for cell_id, cell in cells(downloaded).items()
    }
    assert WORKER_ERROR in texts["spawn-fails"]
    shown = page_outputs(soup).splitlines()
    assert all(line in shown for line in texts["fix-works"].splitlines())
    module = (folder / "../../snippets/notebook/_pool_tasks.py").resolve()
    assert module.read_bytes() == MODULE.read_bytes()


def add_cell(notebook, cell_id, source, expectation=None):
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source, id=cell_id))
    nbformat.write(nb, notebook)
    if expectation is not None:
        notebook.with_name(f"{notebook.stem}.{cell_id}.expect").write_text(
            expectation
        )


def test_unexpected_cell_error_fails_the_build(project_copy):
    one_page_site(project_copy, NOTEBOOK_PAGE)
    notebook = project_copy / NOTEBOOK.relative_to(ROOT)
    add_cell(notebook, "oops", "1 / 0")
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode != 0
    assert "cell 'oops': raised ZeroDivisionError: division by zero" in (
        build.stdout
    )
    assert "Aborted with 1 errors in strict mode!" in build.stdout


def test_changed_module_reexecutes_the_notebook(project_copy):
    one_page_site(project_copy, NOTEBOOK_PAGE)
    # The notebook and its expectations are unchanged, so only a cache key
    # that covers the module can make the build see the new output.
    module = project_copy / MODULE.relative_to(ROOT)
    source = module.read_text()
    assert "started after the event was set" in source
    module.write_text(source.replace("started after", "ran after"))
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode != 0
    assert "cell 'fix-works': output does not match" in build.stdout
    assert "task 0: ran after the event was set" in build.stdout


def test_hung_cell_is_stopped_by_its_timeout(project_copy):
    one_page_site(project_copy, NOTEBOOK_PAGE)
    notebook = project_copy / NOTEBOOK.relative_to(ROOT)
    # The pitfall itself, without a timeout: apply() waits forever.
    add_cell(
        notebook,
        "hangs",
        "def task():\n    pass\n\n\n"
        'pool = multiprocessing.get_context("spawn").Pool(1)\n'
        "pool.apply(task)",
        "exit: 0\ntimeout: 5\n---\n",
    )
    started = time.monotonic()
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode != 0
    assert time.monotonic() - started < 120
    assert "cell 'hangs' timed out after 5 s" in build.stdout, build.stdout
    run_in = str(project_copy / "snippets/notebook")
    leftovers = []
    for proc in psutil.process_iter():
        try:
            if proc.cwd() == run_in:
                leftovers.append(proc.pid)
        except psutil.Error:
            continue
    assert leftovers == []
