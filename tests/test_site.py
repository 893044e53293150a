"""The strict site build, and what its pages show."""

import re
import shutil

import psutil
from bs4 import BeautifulSoup

from conftest import FIXTURES, ROOT, build_site
from snippet_runner import cache
from snippet_runner.pages import references
from snippet_runner.runner import Run, discover_runs

CONDITION_ERROR = (
    "RuntimeError: Condition objects should only be shared between "
    "processes through inheritance"
)


def page(site_dir, name):
    html = (site_dir / name / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser")


def outputs(soup):
    return [
        block.select_one(".highlight code").get_text()
        for block in soup.select(".example-output")
    ]


def test_strict_build_prints_no_warning(site):
    _, build = site
    assert not re.search(r"WARNING|ERROR", build.stdout), build.stdout


def test_failures_page_shows_the_real_traceback(site):
    site_dir, _ = site
    texts = outputs(page(site_dir, "failures"))
    tracebacks = [text for text in texts if "Traceback" in text]
    assert len(tracebacks) == 1
    assert tracebacks[0].rstrip().endswith(CONDITION_ERROR)
    assert 'File "<stdlib>/multiprocessing/pool.py"' in tracebacks[0]


def test_every_output_says_what_produced_it(site):
    site_dir, _ = site
    soup = page(site_dir, "manager")
    (line,) = soup.select(".example-provenance")
    assert re.fullmatch(
        r"python snippets/manager/start_gate.py · exit code 0 · [\d.]+ s · "
        r"CPython 3\.\d+\.\d+ on \w+ \w+ · start method: \w+ · "
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC",
        line.get_text(),
    )


def test_every_run_is_shown_by_a_page():
    shown = {
        Run.from_reference(reference)
        for doc in (ROOT / "docs").rglob("*.md")
        for _, reference in references(doc.read_text(encoding="utf-8"))
    }
    unused = [str(run) for run in discover_runs() if run not in shown]
    assert unused == [], "runs no page shows"


def test_two_builds_that_run_the_example_show_different_values(tmp_path):
    # Both builds must run the example, and only it: they use a private
    # copy of this session's cache (other tests share the original) from
    # which the example's run is dropped before each build.
    snippet = ROOT / "snippets/manager/start_gate.py"
    key = cache.key(snippet, (), snippet.with_suffix(".expect"))
    private = tmp_path / "cache"
    private.mkdir()
    for stored in cache.directory().glob("*.json"):
        shutil.copy(stored, private)
    shown = []
    for name in ("one", "two"):
        (private / f"{key}.json").unlink(missing_ok=True)
        build = build_site(ROOT, tmp_path / name, cache_dir=private)
        assert build.returncode == 0, build.stdout
        shown.append(outputs(page(tmp_path / name, "manager")))
    assert re.search(r"worked for 0\.\d\d s", shown[0][0])
    assert shown[0] != shown[1]


def test_changed_output_fails_the_build_naming_the_snippet(project_copy):
    snippet = project_copy / "snippets/event_basics/flag_states.py"
    snippet.write_text(
        snippet.read_text().replace("after {after", "once {after")
    )
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode != 0
    assert (
        "event.md refers to snippets/event_basics/flag_states.py: output "
        "does not match its expectation" in build.stdout
    )
    assert (
        "first difference at snippets/event_basics/flag_states.expect:4"
        in build.stdout
    )
    assert "Aborted with 1 errors in strict mode!" in build.stdout


def test_deleting_the_set_call_is_stopped_by_the_timeout(project_copy):
    snippet = project_copy / "snippets/manager/start_gate.py"
    source = snippet.read_text()
    assert "            start.set()\n" in source
    snippet.write_text(source.replace("            start.set()\n", ""))
    expect = snippet.with_suffix(".expect")
    expect.write_text("timeout: 3\n" + expect.read_text())
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode != 0
    assert (
        "manager.md refers to snippets/manager/start_gate.py: timed out "
        "after 3 s" in build.stdout
    )
    leftovers = [
        proc.pid
        for proc in psutil.process_iter(["cmdline"])
        if str(project_copy) in " ".join(proc.info["cmdline"] or [])
    ]
    assert leftovers == []


def test_reference_to_a_missing_snippet_fails_the_build(project_copy):
    page_file = project_copy / "docs/event.md"
    page_file.write_text(
        page_file.read_text() + "\n<!-- example: event_basics/nope.py -->\n"
    )
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode != 0
    assert (
        "event.md refers to snippets/event_basics/nope.py: no such snippet "
        "file" in build.stdout
    )


def test_output_is_shown_as_text_never_markup(project_copy):
    for suffix in (".py", ".expect"):
        shutil.copy(
            FIXTURES / f"prints_markup{suffix}",
            project_copy / f"snippets/prints_markup{suffix}",
        )
    (project_copy / "docs/markup.md").write_text(
        "# Markup\n\n<!-- example: prints_markup.py -->\n"
    )
    build = build_site(project_copy, project_copy / "site")
    assert build.returncode == 0, build.stdout
    soup = page(project_copy / "site", "markup")
    (text,) = outputs(soup)
    assert text.splitlines() == [
        "<script>alert(1)</script>",
        "</code></pre><b>bold?</b>",
        "```",
        '--8<-- "event_basics/flag_states.py"',
        "{{ config.site_name }} {% raw %}",
        "\u241b[31mred\u241b[0m",
        "**not bold** & <not a tag>",
    ]
    output = soup.select_one(".example-output")
    assert output.find("script") is None
    assert output.find("b") is None
    assert output.find("strong") is None
